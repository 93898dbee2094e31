// ably-js, on its default settings (binary protocol on), against the quickstart: credentials
// from an authUrl route, then channel REST calls at the local Ably endpoint, step by step.
//
// Usage: node quickstart-scenario.mjs APP_URL ROUTE COOKIE REST_HOST REST_PORT STEPS_JSON [TTL_MS]
// STEPS_JSON is an array of steps:
//   {"do":"publish","channel":C}  {"do":"history","channel":C}  {"do":"status","channel":C}
//   {"do":"token"}                 (the token the client holds now)
//   {"do":"raw","channel":C}       (GET history with the token of the last "token" step, over
//                                   plain HTTP, as a client that does not renew would)
//   {"do":"revoke","key":K,"clientId":ID}  (ably-js revokeTokens with the key: Basic auth)
//   {"do":"sleep","ms":N}
// A step with "within": N that has not settled after N ms gives {"stalled": true}: ably-js
// 2.28 renews a token after a token error but retries the request with the old
// Authorization header, without a limit (ably/ably-js#2193), so that request never settles.
// Prints one JSON array: each step's result, {"ok":…} or {"error":{code,statusCode,message}}.
import Ably from 'ably';

const [app, route, cookie, host, port, stepsJson, ttl] = process.argv.slice(2);
const steps = JSON.parse(stepsJson);
const common = { endpoint: host, port: Number(port), tls: false, logLevel: 0 };
const rest = new Ably.Rest({
  ...common,
  authUrl: app + route,
  authHeaders: cookie ? { cookie } : {},
  ...(ttl ? { defaultTokenParams: { ttl: Number(ttl) } } : {}),
});

const failure = (e) => ({ error: { code: e.code ?? null, statusCode: e.statusCode ?? null, message: e.message } });
let lastToken = null;

async function run(step) {
  const channel = step.channel ? rest.channels.get(step.channel) : null;
  switch (step.do) {
    case 'publish':
      await channel.publish('greeting', `hello from ably-js on ${step.channel}`);
      return { ok: true };
    case 'history': {
      const page = await channel.history({ limit: 100 });
      return { ok: page.items.map((m) => ({ name: m.name, data: m.data, clientId: m.clientId ?? null })) };
    }
    case 'status': {
      const details = await channel.status();
      return { ok: details.channelId };
    }
    case 'token':
      // While a stalled request renews in a loop, the client holds no token for a moment.
      for (let i = 0; i < 200 && !rest.auth.tokenDetails?.token; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      lastToken = rest.auth.tokenDetails?.token ?? null;
      return { ok: lastToken };
    case 'raw': {
      const url = `http://${host}:${port}/channels/${encodeURIComponent(step.channel)}/messages`;
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${Buffer.from(lastToken).toString('base64')}` },
      });
      const body = await response.json();
      return response.ok ? { ok: body.length } : { error: body.error };
    }
    case 'revoke': {
      const admin = new Ably.Rest({ ...common, key: step.key });
      const result = await admin.auth.revokeTokens([{ type: 'clientId', value: step.clientId }]);
      return { ok: result };
    }
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, step.ms));
      return { ok: true };
    default:
      throw new Error(`unknown step ${step.do}`);
  }
}

const results = [];
for (const step of steps) {
  try {
    const work = run(step);
    if (step.within) {
      const timeout = new Promise((resolve) => setTimeout(() => resolve({ stalled: true }), step.within));
      results.push(await Promise.race([work, timeout]));
    } else {
      results.push(await work);
    }
  } catch (e) {
    results.push(failure(e));
  }
}
console.log(JSON.stringify(results));
// A stalled request would keep the process alive.
process.exit(0);
