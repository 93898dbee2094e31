// Runs the official ably-js SDK against a local Ably token endpoint and prints one JSON
// object on stdout. Inputs (environment):
//   ABLY_ENDPOINT  base URL of the local endpoint, e.g. http://127.0.0.1:12345
//   ABLY_KEY       the API key the endpoint accepts
//   AUTH_URL       (mode authurl) the authUrl to call
//   PUBLISH        (mode authurl) channels to publish to with the token, comma-separated
//   MODE           key | authurl | errors
'use strict';
const Ably = require('ably');

const endpoint = new URL(process.env.ABLY_ENDPOINT);
const base = {
  endpoint: endpoint.hostname,
  port: Number(endpoint.port),
  tls: false,
  logLevel: 0,
};

function errorOf(err) {
  return { code: err.code, statusCode: err.statusCode, message: err.message };
}

// Exchanges `tokenRequest` at the endpoint the way the SDK does for an authCallback answer.
async function exchange(rest, tokenRequest) {
  try {
    const details = await rest.auth.requestToken(null, {
      authCallback: (_params, cb) => cb(null, tokenRequest),
    });
    return { details };
  } catch (err) {
    return { error: errorOf(err) };
  }
}

async function keyMode() {
  const rest = new Ably.Rest({ ...base, key: process.env.ABLY_KEY });
  // A fixed request, for byte-parity with the Rust signer.
  const fixed = await rest.auth.createTokenRequest({
    timestamp: Date.now(),
    nonce: 'interop-nonce-0001',
    ttl: 60000,
    clientId: 'jürgen',
    capability: { 'chat:*': ['subscribe', 'publish'], 'café': ['presence'] },
  });
  const exchanged = await exchange(rest, fixed);
  // The SDK's own requestToken: sign and POST in one go.
  const requested = await rest.auth.requestToken({
    ttl: 120000,
    clientId: 'alice',
    capability: { 'room:1': ['publish'] },
  });
  // With no params at all.
  const plain = await rest.auth.requestToken();
  return { fixed, exchanged, requested, plain };
}

async function authUrlMode() {
  const rest = new Ably.Rest({
    ...base,
    authUrl: process.env.AUTH_URL,
    authParams: { fromjs: '1' },
    authHeaders: { 'X-Interop': 'yes' },
    clientId: 'bob',
    defaultTokenParams: { ttl: 120000 },
  });
  const details = await rest.auth.authorize();
  // Then publishes with that token to each channel in PUBLISH (comma-separated), if any.
  const published = {};
  for (const channel of (process.env.PUBLISH || '').split(',').filter(Boolean)) {
    try {
      await rest.channels.get(channel).publish('greeting', 'hello');
      published[channel] = { ok: true };
    } catch (err) {
      published[channel] = { error: errorOf(err) };
    }
  }
  return { details, clientId: rest.auth.clientId, published };
}

async function errorsMode() {
  const rest = new Ably.Rest({ ...base, key: process.env.ABLY_KEY });
  const out = {};
  const once = await rest.auth.createTokenRequest({ nonce: 'replayed-nonce-0001' });
  out.first = await exchange(rest, once);
  out.replay = await exchange(rest, once);
  out.stale = await exchange(
    rest,
    await rest.auth.createTokenRequest({ timestamp: Date.now() - 10 * 60 * 1000 }),
  );
  const [name] = process.env.ABLY_KEY.split(':');
  const wrong = new Ably.Rest({ ...base, key: name + ':wrongSecret' });
  out.wrongSecret = await exchange(rest, await wrong.auth.createTokenRequest());
  out.denied = await exchange(
    rest,
    await rest.auth.createTokenRequest({ capability: { forbidden: ['publish'] } }),
  );
  out.invalidCapability = await exchange(
    rest,
    await rest.auth.createTokenRequest({ capability: { x: ['publish_'] } }),
  );
  try {
    await rest.auth.requestToken({ ttl: 25 * 3600 * 1000 });
    out.ttl = { error: null };
  } catch (err) {
    out.ttl = { error: errorOf(err) };
  }
  return out;
}

const modes = { key: keyMode, authurl: authUrlMode, errors: errorsMode };

(async () => {
  const run = modes[process.env.MODE];
  if (!run) throw new Error('MODE must be one of ' + Object.keys(modes).join(', '));
  process.stdout.write(JSON.stringify(await run()) + '\n');
})().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(1);
});
