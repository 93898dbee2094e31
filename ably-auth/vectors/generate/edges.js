// Generates ably-auth/vectors/token-requests.ably-js-edges.json and
// ably-auth/vectors/jwt-edges.json.
//
//   mkdir /tmp/vecgen && cd /tmp/vecgen && npm install ably@2.28.0
//   NODE_PATH=/tmp/vecgen/node_modules node edges.js <output dir>
//
// TokenRequests come from ably-js's own `createTokenRequest` (fixed timestamp and nonce, fake
// key, no network call); each MAC is checked against the signed text written out by the rule
// of Ably's token request spec (docs `api/token-request-spec.mdx`) with Node's crypto HMAC. JWTs are built with Node's crypto
// (HMAC-SHA256, HMAC-SHA384, base64url without padding); their expected outcome is the one
// Ably's docs (`auth/token/jwt.mdx`, error codes) give.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const Ably = require('ably');

const out = process.argv[2] || '.';
const ablyVersion = (() => {
  let dir = path.dirname(require.resolve('ably'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
})();
const KEY = 'appId.keyId:keySecret';
const [KEY_NAME, SECRET] = KEY.split(':');
const base = { timestamp: 1700000000000, nonce: '0123456789abcdef' };

function signedText(r) {
  // §3.3: six fields, each followed by LF; ttl 0 is written empty as ably-js does (`ttl || ''`).
  return [r.keyName, r.ttl || '', r.capability || '', r.clientId || '', r.timestamp, r.nonce]
    .map((f) => `${f}\n`)
    .join('');
}

async function tokenRequests() {
  const rest = new Ably.Rest({ key: KEY });
  const cases = [
    ['ttl-zero', 'ttl 0 is sent as `"ttl":0` and signed as an empty line', { ttl: 0 }],
    [
      'ttl-zero-with-fields',
      'ttl 0 between other fields',
      { ttl: 0, clientId: 'bob', capability: { 'chat:*': ['subscribe'] } },
    ],
    [
      'utf16-order-object',
      'resources sorted by UTF-16 code units: a name with U+1F600 (surrogates D83D DE00) sorts before one with U+FF61, although its code point is higher',
      { capability: { 'a\uFF61': ['subscribe'], 'a\u{1F600}': ['publish'] } },
    ],
    [
      'utf16-order-string',
      'the same order from a capability string, with more names around the surrogate range',
      {
        capability: JSON.stringify({
          'a\uFFFF': ['subscribe'],
          'a\u{1F601}': ['history'],
          'a\uE000': ['presence'],
          'a\u{10000}': ['publish'],
          'a\u{1F600}': ['publish'],
          'a\uD7FF': ['subscribe'],
          'ab': ['stats'],
        }),
      },
    ],
    [
      'repeated-key-last-wins',
      'a capability string repeating a resource: JSON.parse keeps the last',
      { capability: '{"a":["publish"],"b":["history"],"a":["subscribe","presence"]}' },
    ],
    [
      'repeated-key-last-wins-narrower',
      'the last occurrence wins even when it grants less',
      { capability: '{"x":["*"],"x":["subscribe"]}' },
    ],
  ];
  const vectors = [];
  for (const [name, what, params] of cases) {
    const given = { ...params, ...base };
    const wire = await rest.auth.createTokenRequest(JSON.parse(JSON.stringify(given)));
    const text = signedText(wire);
    const mac = crypto.createHmac('sha256', SECRET).update(text, 'utf8').digest('base64');
    if (mac !== wire.mac) throw new Error(`${name}: ably-js MAC ${wire.mac} != ${mac}`);
    vectors.push({ name, what, key: KEY, params: given, wire_json: wire, signed_text: text, mac });
  }
  return {
    generator: `ably-js ${ablyVersion} (npm ably) createTokenRequest, Node ${process.version}; script ably-auth/vectors/generate/edges.js`,
    vectors,
  };
}

const b64url = (s) => Buffer.from(s).toString('base64url');

function jwt(header, claims, { hash = 'sha256', secret = SECRET, signature } = {}) {
  const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig =
    signature !== undefined
      ? signature
      : crypto.createHmac(hash, secret).update(signed).digest('base64url');
  return `${signed}.${sig}`;
}

function jwts() {
  const NOW_MS = 1700000005000;
  const iat = 1700000000;
  const hs256 = { typ: 'JWT', alg: 'HS256', kid: KEY_NAME };
  const claims = { iat, exp: iat + 3600 };
  const invalid = { code: 40144, statusCode: 401 };
  const ttl = { code: 40003, statusCode: 400 };
  const clientId = { code: 40012, statusCode: 400 };
  const cases = [
    // [name, reason, header, claims, options, expected]
    ['valid', 'a correct Ably JWT', hs256, claims, {}, 'accepted'],
    ['alg-hs384', '§5.1: alg must be HS256; correctly signed with HMAC-SHA384', { ...hs256, alg: 'HS384' }, claims, { hash: 'sha384' }, invalid],
    ['alg-none-hs256-signature', '§5.1: alg must be HS256; the signature is a valid HS256 one', { ...hs256, alg: 'none' }, claims, {}, invalid],
    ['alg-none-empty-signature', '§5.1: alg none without a signature', { ...hs256, alg: 'none' }, claims, { signature: '' }, invalid],
    ['alg-lowercase', '§5.1: alg is case-sensitive (RFC 7515)', { ...hs256, alg: 'hs256' }, claims, {}, invalid],
    ['alg-missing', '§5.1: alg is required', { typ: 'JWT', kid: KEY_NAME }, claims, {}, invalid],
    ['kid-missing', '§5.1 and §6.3: a missing kid is 40144', { typ: 'JWT', alg: 'HS256' }, claims, {}, invalid],
    ['kid-null', '§5.1: kid must be the key name', { ...hs256, kid: null }, claims, {}, invalid],
    ['kid-number', '§5.1: kid must be the key name', { ...hs256, kid: 42 }, claims, {}, invalid],
    ['kid-empty', '§5.1: an empty kid names no key', { ...hs256, kid: '' }, claims, {}, invalid],
    ['kid-unknown', '§6.3: a key that does not exist is 40400', { ...hs256, kid: 'appId.other' }, claims, {}, { code: 40400, statusCode: 404 }],
    ['ttl-24h', '§5.3: exp - iat of exactly 24 h', hs256, { iat, exp: iat + 86400 }, {}, 'accepted'],
    ['ttl-over-24h', '§5.3 and §2: exp - iat over 24 h is 40003', hs256, { iat, exp: iat + 86401 }, {}, ttl],
    ['ttl-1h-revocable', '§5.3: exactly 1 h on a key with revocable tokens', hs256, { iat, exp: iat + 3600 }, { revocable: true }, 'accepted'],
    ['ttl-over-1h-revocable', '§5.3 and §9: over 1 h on a key with revocable tokens is 40003', hs256, { iat, exp: iat + 3601 }, { revocable: true }, ttl],
    ['exp-equals-iat', '§6.3: iat/exp problems are 40144 (iat 10 s ahead, within the skew allowed)', hs256, { iat: iat + 10, exp: iat + 10 }, {}, invalid],
    ['exp-before-iat', '§6.3: iat/exp problems are 40144', hs256, { iat: iat + 10, exp: iat + 8 }, {}, invalid],
    ['iat-missing', '§5.2: iat is required', hs256, { exp: iat + 3600 }, {}, invalid],
    ['iat-string', '§5.2: iat is a number of seconds', hs256, { iat: String(iat), exp: iat + 3600 }, {}, invalid],
    ['exp-missing', '§5.2: exp is required', hs256, { iat }, {}, invalid],
    ['expired', '§5.2: exp in the past is 40142', hs256, { iat: iat - 3600, exp: iat }, {}, { code: 40142, statusCode: 401 }],
    ['client-id-number', '§5.2: a non-string x-ably-clientId is 40012', hs256, { ...claims, 'x-ably-clientId': 42 }, {}, clientId],
    ['client-id-bool', '§5.2: a non-string x-ably-clientId is 40012', hs256, { ...claims, 'x-ably-clientId': true }, {}, clientId],
    ['client-id-object', '§5.2: a non-string x-ably-clientId is 40012', hs256, { ...claims, 'x-ably-clientId': { id: 'a' } }, {}, clientId],
    ['client-id-array', '§5.2: a non-string x-ably-clientId is 40012', hs256, { ...claims, 'x-ably-clientId': ['a'] }, {}, clientId],
    ['client-id-null', '§5.2: a non-string x-ably-clientId is 40012', hs256, { ...claims, 'x-ably-clientId': null }, {}, clientId],
    ['client-id-string', 'a string x-ably-clientId', hs256, { ...claims, 'x-ably-clientId': 'alice' }, {}, 'accepted'],
    ['capability-object', '§5.2: x-ably-capability is the capability JSON as a string, not an object', hs256, { ...claims, 'x-ably-capability': { '*': ['*'] } }, {}, invalid],
    ['capability-null', '§5.2: x-ably-capability is a string', hs256, { ...claims, 'x-ably-capability': null }, {}, invalid],
    ['capability-string', 'a capability string within the key\'s', hs256, { ...claims, 'x-ably-capability': '{"chat:*":["subscribe"]}' }, {}, 'accepted'],
    ['revocation-key-number', '§5.2: x-ably-revocation-key is a string', hs256, { ...claims, 'x-ably-revocation-key': 7 }, {}, invalid],
  ];
  return {
    generator: `Node ${process.version} crypto (HMAC-SHA256 and HMAC-SHA384, base64url without padding); script ably-auth/vectors/generate/edges.js`,
    now_ms: NOW_MS,
    vectors: cases.map(([name, reason, header, c, opts, expected]) => ({
      name,
      reason,
      key: KEY,
      revocable_tokens: Boolean(opts.revocable),
      header,
      claims: c,
      jwt: jwt(header, c, opts),
      expected,
    })),
  };
}

(async () => {
  const write = (file, doc) =>
    fs.writeFileSync(path.join(out, file), JSON.stringify(doc, null, 2) + '\n');
  write('token-requests.ably-js-edges.json', await tokenRequests());
  write('jwt-edges.json', jwts());
})();
