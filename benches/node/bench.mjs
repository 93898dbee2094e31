// Times ably-js `auth.createTokenRequest` with the inputs of ably-auth's `sign` bench:
// key appId.keyId:keySecret, ttl 1 h, the same capability, clientId alice. The timestamp
// comes from the local clock (queryTime is off) and ably-js makes the nonce, so no request
// leaves the process. Each iteration also serializes the TokenRequest with JSON.stringify,
// as an auth endpoint does.
//
// Usage: node bench.mjs [iterations] [warmup]   (prints one JSON line)
import * as Ably from 'ably';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const iterations = Number(process.argv[2] ?? 200000);
const warmup = Number(process.argv[3] ?? 50000);
const rounds = 5;

const rest = new Ably.Rest({ key: 'appId.keyId:keySecret', logLevel: 0 });
const params = {
  ttl: 3600000,
  capability: '{"chat:*":["history","subscribe"],"user:alice":["history","presence","publish","subscribe"]}',
  clientId: 'alice',
};

async function run(n) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const request = await rest.auth.createTokenRequest(params);
    sink += JSON.stringify(request).length;
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink === 0) throw new Error('nothing produced');
  return ns / n;
}

function ablyVersion() {
  const main = createRequire(import.meta.url).resolve('ably');
  const dir = main.slice(0, main.lastIndexOf('/node_modules/ably/') + '/node_modules/ably/'.length);
  return JSON.parse(readFileSync(dir + 'package.json', 'utf8')).version;
}

const sample = await rest.auth.createTokenRequest(params);
if (sample.capability !== params.capability || sample.mac.length !== 44) {
  throw new Error(`unexpected TokenRequest ${JSON.stringify(sample)}`);
}
await run(warmup);
const perRound = [];
for (let r = 0; r < rounds; r++) perRound.push(await run(iterations));
perRound.sort((a, b) => a - b);
const mean = perRound.reduce((a, b) => a + b, 0) / rounds;
console.log(JSON.stringify({
  ably_js: ablyVersion(),
  node: process.version,
  iterations_per_round: iterations,
  rounds,
  ns_per_op_mean: mean,
  ns_per_op_median: perRound[Math.floor(rounds / 2)],
  ns_per_op_min: perRound[0],
  ns_per_op_max: perRound[rounds - 1],
}));
