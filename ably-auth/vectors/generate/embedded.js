// Generates ably-auth/vectors/embedded-jwt.json: External JWTs with an embedded Ably token or
// Ably JWT under `x-ably-token` (Ably's docs `auth/token/index.mdx`, "Embedded Token JWT").
//
//   node embedded.js <output dir>
//
// Only Node's own `crypto` is used (HMAC-SHA256 and HMAC-SHA384, base64url without padding):
// no JWT library, no Ably SDK (none builds these). `sign` vectors are what a builder must
// reproduce byte for byte from their inputs; `verify` vectors carry the outcome a verifier
// must give at `now_ms`. The codes are written by hand: 40144 (invalid JWT, HTTP 401) for a
// JWT Ably would refuse as malformed, wrongly signed or outliving its embedded token (the
// docs: "Ably will reject any JWT if it is unencrypted and its exp claim is later than the
// expiry of the enclosed token"), and 40142 (HTTP 401) for an expired one.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const out = process.argv[2] || '.';
const SECRET = 'app-secret-for-embedded-jwt-vectors-0001';
const OTHER_SECRET = 'another-app-secret-not-the-configured-1';
const ABLY_KEY = 'appId.keyId:keySecret';
const ABLY_SECRET = ABLY_KEY.split(':')[1];
const IAT = 1700000000;
const NOW_MS = 1700000100000;
const ABLY_TOKEN = 'appId.Xq7HqL-embedded-opaque-token-0001';
const ABLY_TOKEN_EXPIRES = 1700003600000;

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64url');
function compact(header, payload, secret, hash = 'sha256') {
  const signed = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const sig = crypto.createHmac(hash, Buffer.from(secret, 'utf8')).update(signed).digest('base64url');
  return `${signed}.${sig}`;
}

// An Ably JWT (the shape of ably-auth/vectors/jwt.json), signed with the Ably key.
const ablyJwt = compact(
  { typ: 'JWT', alg: 'HS256', kid: 'appId.keyId' },
  { iat: IAT, exp: IAT + 3600, 'x-ably-capability': '{"chat:*":["publish","subscribe"]}', 'x-ably-clientId': 'user-1' },
  ABLY_SECRET,
);
const ablyJwtBadSig = ablyJwt.slice(0, -4) + (ablyJwt.endsWith('AAAA') ? 'BBBB' : 'AAAA');

const sign = [];
function signCase(name, reason, input, header, payload, secret = SECRET) {
  sign.push({ name, reason, input, header, payload, jwt: compact(header, payload, secret) });
}

signCase(
  'header-ably-token',
  'an Ably token in the JOSE header; exp is the token expiry; claims of the app',
  { secret: SECRET, placement: 'header', token: ABLY_TOKEN, token_expires_ms: ABLY_TOKEN_EXPIRES, issued_at_ms: IAT * 1000, claims: [['sub', 'user-1'], ['aud', 'chat-app'], ['iss', 'https://auth.example.com']] },
  { typ: 'JWT', alg: 'HS256', 'x-ably-token': ABLY_TOKEN },
  { iat: IAT, exp: ABLY_TOKEN_EXPIRES / 1000, sub: 'user-1', aud: 'chat-app', iss: 'https://auth.example.com' },
);
signCase(
  'claim-ably-token-kid-ttl',
  'an Ably token as a payload claim, a kid header, a ttl shorter than the token',
  { secret: SECRET, placement: 'claim', token: ABLY_TOKEN, token_expires_ms: ABLY_TOKEN_EXPIRES, issued_at_ms: IAT * 1000 + 999, ttl_s: 600, kid: 'app-2026-01', claims: [['sub', 'user-1']] },
  { typ: 'JWT', alg: 'HS256', kid: 'app-2026-01' },
  { iat: IAT, exp: IAT + 600, 'x-ably-token': ABLY_TOKEN, sub: 'user-1' },
);
signCase(
  'header-ably-jwt',
  'an Ably JWT in the JOSE header; exp is the Ably JWT exp',
  { secret: SECRET, placement: 'header', ably_jwt: ablyJwt, issued_at_ms: IAT * 1000, claims: [['aud', ['chat-app', 'admin']]] },
  { typ: 'JWT', alg: 'HS256', 'x-ably-token': ablyJwt },
  { iat: IAT, exp: IAT + 3600, aud: ['chat-app', 'admin'] },
);
signCase(
  'claim-ably-token-millis-unicode',
  'a token expiry with milliseconds (exp rounds down), non-ASCII claim, backdated iat',
  { secret: SECRET, placement: 'claim', token: ABLY_TOKEN, token_expires_ms: ABLY_TOKEN_EXPIRES + 999, issued_at_ms: IAT * 1000, backdate_s: 30, claims: [['name', 'Jürgen 👋'], ['n', 7]] },
  { typ: 'JWT', alg: 'HS256' },
  { iat: IAT - 30, exp: ABLY_TOKEN_EXPIRES / 1000, 'x-ably-token': ABLY_TOKEN, name: 'Jürgen 👋', n: 7 },
);
signCase(
  'ably-key-secret',
  "signed with the Ably key's secret, as the docs' examples do",
  { secret_from_key: ABLY_KEY, placement: 'header', token: ABLY_TOKEN, token_expires_ms: ABLY_TOKEN_EXPIRES, issued_at_ms: IAT * 1000, claims: [] },
  { typ: 'JWT', alg: 'HS256', 'x-ably-token': ABLY_TOKEN },
  { iat: IAT, exp: ABLY_TOKEN_EXPIRES / 1000 },
  ABLY_SECRET,
);

const accepted = (placement, token, expires_ms, embedded_expires_ms) => ({ placement, token, expires_ms, embedded_expires_ms });
const refused = (code, statusCode) => ({ code, statusCode });
const verify = [];
function verifyCase(name, reason, jwt, external, embedded) {
  verify.push({ name, reason, jwt, external, embedded });
}
const H = (extra) => Object.assign({ typ: 'JWT', alg: 'HS256' }, extra);
const opaque = { 'x-ably-token': ABLY_TOKEN };
const withJwt = { 'x-ably-token': ablyJwt };
const onlyAblyJwt = refused(40144, 401); // verify_embedded_jwt on an opaque Ably token

verifyCase('sign-header-ably-token', 'the first sign vector', sign[0].jwt,
  accepted('header', ABLY_TOKEN, ABLY_TOKEN_EXPIRES, null), onlyAblyJwt);
verifyCase('sign-header-ably-jwt', 'the Ably JWT sign vector; the embedded JWT verifies with the Ably key', sign[2].jwt,
  accepted('header', ablyJwt, (IAT + 3600) * 1000, (IAT + 3600) * 1000), { ok: true, client_id: 'user-1', expires_ms: (IAT + 3600) * 1000 });
verifyCase('claim-ably-jwt-exp-equal', 'an Ably JWT claim; outer exp equal to the inner exp is allowed',
  compact(H(), { exp: IAT + 3600, ...withJwt }, SECRET),
  accepted('claim', ablyJwt, (IAT + 3600) * 1000, (IAT + 3600) * 1000), { ok: true, client_id: 'user-1', expires_ms: (IAT + 3600) * 1000 });
verifyCase('ably-jwt-shorter-outer', 'the outer exp earlier than the inner: the grant expires with the outer',
  compact(H(withJwt), { iat: IAT, exp: IAT + 600 }, SECRET),
  accepted('header', ablyJwt, (IAT + 600) * 1000, (IAT + 3600) * 1000), { ok: true, client_id: 'user-1', expires_ms: (IAT + 600) * 1000 });
verifyCase('both-places-same', 'the same token in header and payload',
  compact(H(opaque), { exp: IAT + 600, ...opaque }, SECRET),
  accepted('header', ABLY_TOKEN, (IAT + 600) * 1000, null), onlyAblyJwt);
verifyCase('exp-after-inner-jwt', 'outer exp one second after the embedded Ably JWT exp',
  compact(H(withJwt), { iat: IAT, exp: IAT + 3601 }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('wrong-secret', 'signed with a secret that is not configured',
  compact(H(opaque), { iat: IAT, exp: IAT + 600 }, OTHER_SECRET), refused(40144, 401), refused(40144, 401));
{
  const good = compact(H(opaque), { iat: IAT, exp: IAT + 600 }, SECRET).split('.');
  const swapped = b64(JSON.stringify(H({ 'x-ably-token': 'appId.someone-elses-token' })));
  verifyCase('tampered-header-token', 'the header x-ably-token swapped after signing',
    [swapped, good[1], good[2]].join('.'), refused(40144, 401), refused(40144, 401));
  const longer = b64(JSON.stringify({ iat: IAT, exp: IAT + 3000 }));
  verifyCase('tampered-payload-exp', 'the payload exp lengthened after signing',
    [good[0], longer, good[2]].join('.'), refused(40144, 401), refused(40144, 401));
}
verifyCase('tampered-inner-jwt', 'a validly signed outer JWT around an Ably JWT whose signature is wrong',
  compact(H({ 'x-ably-token': ablyJwtBadSig }), { iat: IAT, exp: IAT + 600 }, SECRET),
  accepted('header', ablyJwtBadSig, (IAT + 600) * 1000, (IAT + 3600) * 1000), refused(40144, 401));
verifyCase('alg-none', 'alg none (with a valid HS256 signature)',
  compact({ typ: 'JWT', alg: 'none', ...opaque }, { exp: IAT + 600 }, SECRET), refused(40144, 401), refused(40144, 401));
{
  const header = { typ: 'JWT', alg: 'HS384', ...opaque };
  verifyCase('alg-hs384', 'alg HS384, signed with HMAC-SHA384',
    compact(header, { exp: IAT + 600 }, SECRET, 'sha384'), refused(40144, 401), refused(40144, 401));
}
verifyCase('crit-header', 'a crit header naming an extension',
  compact(H({ crit: ['x-ably-token'], ...opaque }), { exp: IAT + 600 }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('both-places-differ', 'a header and a payload x-ably-token that differ',
  compact(H(opaque), { exp: IAT + 600, 'x-ably-token': 'appId.another-token' }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('no-token', 'no x-ably-token anywhere',
  compact(H(), { iat: IAT, exp: IAT + 600, sub: 'user-1' }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('token-not-string', 'an x-ably-token that is a number',
  compact(H({ 'x-ably-token': 42 }), { exp: IAT + 600 }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('token-empty', 'an empty x-ably-token claim',
  compact(H(), { exp: IAT + 600, 'x-ably-token': '' }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('no-exp', 'no exp claim',
  compact(H(opaque), { iat: IAT }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('exp-string', 'exp as a string',
  compact(H(opaque), { exp: String(IAT + 600) }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('expired', 'exp before now',
  compact(H(opaque), { iat: IAT, exp: IAT + 50 }, SECRET), refused(40142, 401), refused(40142, 401));
verifyCase('iat-future', 'iat a minute ahead of now',
  compact(H(opaque), { iat: NOW_MS / 1000 + 60, exp: IAT + 600 }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('nbf-future', 'nbf a minute ahead of now',
  compact(H(opaque), { nbf: NOW_MS / 1000 + 60, exp: IAT + 600 }, SECRET), refused(40144, 401), refused(40144, 401));
verifyCase('inner-jwt-no-exp', 'an embedded Ably JWT without exp',
  compact(H({ 'x-ably-token': compact({ typ: 'JWT', alg: 'HS256', kid: 'appId.keyId' }, { iat: IAT }, ABLY_SECRET) }), { exp: IAT + 600 }, SECRET),
  refused(40144, 401), refused(40144, 401));

const doc = {
  generator: `Node ${process.version} crypto (HMAC-SHA256, HMAC-SHA384, base64url without padding); script ably-auth/vectors/generate/embedded.js`,
  secret: SECRET,
  ably_key: ABLY_KEY,
  now_ms: NOW_MS,
  sign,
  verify,
};
fs.writeFileSync(path.join(out, 'embedded-jwt.json'), JSON.stringify(doc, null, 2) + '\n');
console.log(`wrote ${sign.length} sign and ${verify.length} verify vectors`);
