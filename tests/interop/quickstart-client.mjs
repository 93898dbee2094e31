// ably-js against the quickstart: authorize() through an authUrl route.
//
// Usage: node quickstart-client.mjs APP_URL ROUTE COOKIE REST_HOST REST_PORT METHOD [SECRET]
// Prints one JSON object: the TokenDetails (plus, for a JWT and a known SECRET, whether its
// HS256 signature verifies with Node's crypto), or {"error": {code, statusCode, message}}.
import { createHmac, timingSafeEqual } from 'node:crypto';
import Ably from 'ably';

const [app, route, cookie, host, port, method, secret] = process.argv.slice(2);
const rest = new Ably.Rest({
  authUrl: app + route,
  authMethod: method,
  authHeaders: cookie ? { cookie } : {},
  endpoint: host,
  port: Number(port),
  tls: false,
  logLevel: 0,
});

function verifyJwt(jwt) {
  const [header, payload, signature] = jwt.split('.');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()),
    signatureValid: given.length === expected.length && timingSafeEqual(given, expected),
  };
}

try {
  const details = await rest.auth.authorize({ ttl: 600000 });
  const out = {
    token: details.token,
    clientId: details.clientId ?? null,
    capability: details.capability ?? null,
    expires: details.expires ?? null,
    issued: details.issued ?? null,
    authClientId: rest.auth.clientId ?? null,
  };
  if (details.token.split('.').length === 3 && secret) out.jwt = verifyJwt(details.token);
  console.log(JSON.stringify(out));
} catch (e) {
  console.log(JSON.stringify({ error: { code: e.code, statusCode: e.statusCode, message: e.message } }));
}
