#!/usr/bin/env bash
# ably-auth's `sign` criterion bench (`Signer::sign_json`: sign + serialize one TokenRequest)
# against ably-js `createTokenRequest` + JSON.stringify with the same key, ttl, capability and
# clientId, measured back to back on this machine. Prints both and the speed-up.
#
# Usage: benches/run-node-comparison.sh [node-iterations] [node-warmup]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ ! -d benches/node/node_modules/ably ]; then
    (cd benches/node && npm ci --no-audit --no-fund >/dev/null)
fi

cargo bench -q -p ably-auth --bench sign -- --warm-up-time 2 --measurement-time 5 '^sign$' >/dev/null 2>&1
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
estimates="$target_dir/criterion/sign/new/estimates.json"

node_json="$(cd benches/node && node bench.mjs "${1:-200000}" "${2:-50000}")"

node - "$estimates" "$node_json" <<'JS'
const fs = require('fs');
const [estimatesPath, nodeJson] = process.argv.slice(2);
const est = JSON.parse(fs.readFileSync(estimatesPath, 'utf8'));
const node = JSON.parse(nodeJson);
const rust = est.mean.point_estimate;
const lo = est.mean.confidence_interval.lower_bound;
const hi = est.mean.confidence_interval.upper_bound;
console.log(`ably-auth sign_json (criterion mean, 95% CI): ${rust.toFixed(1)} ns [${lo.toFixed(1)} .. ${hi.toFixed(1)}]`);
console.log(`ably-js ${node.ably_js} createTokenRequest+JSON.stringify (node ${node.node}, ${node.rounds} x ${node.iterations_per_round}): mean ${node.ns_per_op_mean.toFixed(1)} ns, median ${node.ns_per_op_median.toFixed(1)} ns, min ${node.ns_per_op_min.toFixed(1)} ns, max ${node.ns_per_op_max.toFixed(1)} ns`);
console.log(`speed-up (ably-js mean / ably-auth mean): ${(node.ns_per_op_mean / rust).toFixed(1)}x; using the ably-js min: ${(node.ns_per_op_min / rust).toFixed(1)}x`);
JS
