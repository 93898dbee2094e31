// What users run today: a Node `http` server issuing TokenRequests with ably-js, for the same
// user and capability as the quickstart's editor "alice". No session lookup (a generous
// baseline). Prints `listening on http://127.0.0.1:PORT`.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../node/package.json', import.meta.url));
const Ably = require('ably');
const rest = new Ably.Rest({ key: 'demoApp.demoKey:demo-secret-not-for-production', logLevel: 0 });
const capability = {
  'chat:*': ['history', 'presence', 'publish', 'subscribe'],
  'user:alice': ['history', 'presence', 'publish', 'subscribe'],
};

const server = http.createServer(async (req, res) => {
  const request = await rest.auth.createTokenRequest({ clientId: 'alice', ttl: 3600000, capability });
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(request));
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
