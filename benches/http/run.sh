#!/usr/bin/env bash
# HTTP benchmark with wrk (Debian package `wrk`), all in one run on this machine:
#   1. `http_bench` (an example of ably-auth-actix): a constant-body route and the token route
#      in one actix-web app, the user named by a header; their ratio is the route's own cost;
#   2. the quickstart's /healthz and its /ably/token-request with a session cookie (host check,
#      session lookup, role policy, hints, signing), as an app with sessions gets it;
#   3. a Node `http` server issuing TokenRequests with ably-js (what users run today).
# Prints requests/s and p99 latency for each and the ratios. With more than one round the
# targets are measured in turn, round after round, so a drift of the machine reaches all of
# them; each round's ratios are printed, then their medians.
#
# Usage: benches/http/run.sh [duration=10s] [connections=64] [wrk threads=1] [rounds=1]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-10s}"; connections="${2:-64}"; threads="${3:-1}"; rounds="${4:-1}"
target="${CARGO_TARGET_DIR:-target}"

command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
cargo build -q --release -p ably-auth-examples --bin quickstart
cargo build -q --release -p ably-auth-actix --example http_bench
[ -d benches/node/node_modules/ably ] || (cd benches/node && npm ci --no-audit --no-fund >/dev/null)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Starts a server, waits for its `listening on` line, prints its URL.
start() {
    local log; log="$(mktemp)"
    "$@" >"$log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$log"; then grep -m1 '^listening on ' "$log" | cut -d' ' -f3; return; fi
        sleep 0.1
    done
    cat "$log" >&2; exit 1
}

bench="$(BIND_ADDR=127.0.0.1:0 start "$target/release/examples/http_bench")"
app="$(BIND_ADDR=127.0.0.1:0 start "$target/release/quickstart")"
node_url="$(start node benches/http/node-token-server.mjs)"
cookie="$(curl -s -D - -o /dev/null -d 'user=alice&role=editor' "$app/login" | tr -d '\r' | sed -n 's/^set-cookie: \([^;]*\).*/\1/Ip')"
echo "http_bench at $bench, quickstart at $app, Node server at $node_url"
curl -sf -H "x-user: alice" "$bench/ably/token-request" >/dev/null
curl -sf -H "cookie: $cookie" "$app/ably/token-request" >/dev/null

# Runs wrk; prints "requests/s p99_ms errors".
measure() {
    local out; out="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@")"
    local rps p99 errors
    rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")"
    errors="$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {n+=1} END {print n+0}' <<<"$out")"
    echo "$rps $p99 $errors"
}

# Warm up each, then measure.
wrk -t1 -c8 -d2s "$bench/constant" >/dev/null
wrk -t1 -c8 -d2s -H "x-user: alice" "$bench/ably/token-request" >/dev/null
wrk -t1 -c8 -d2s "$app/healthz" >/dev/null
wrk -t1 -c8 -d2s -H "cookie: $cookie" "$app/ably/token-request" >/dev/null
wrk -t1 -c8 -d2s "$node_url/" >/dev/null

ratios="$(mktemp)"
for round in $(seq "$rounds"); do
    read -r k_rps k_p99 k_err <<<"$(measure "$bench/constant")"
    read -r r_rps r_p99 r_err <<<"$(measure -H "x-user: alice" "$bench/ably/token-request")"
    read -r c_rps c_p99 c_err <<<"$(measure "$app/healthz")"
    read -r t_rps t_p99 t_err <<<"$(measure -H "cookie: $cookie" "$app/ably/token-request")"
    read -r n_rps n_p99 n_err <<<"$(measure "$node_url/")"

    printf '\n%-44s %12s %10s %8s\n' "round $round ($connections connections, $duration, wrk -t$threads)" "requests/s" "p99 ms" "errors"
    printf '%-44s %12s %10s %8s\n' "http_bench /constant (same-size body)" "$k_rps" "$k_p99" "$k_err"
    printf '%-44s %12s %10s %8s\n' "http_bench /ably/token-request" "$r_rps" "$r_p99" "$r_err"
    printf '%-44s %12s %10s %8s\n' "quickstart /healthz" "$c_rps" "$c_p99" "$c_err"
    printf '%-44s %12s %10s %8s\n' "quickstart /ably/token-request (session)" "$t_rps" "$t_p99" "$t_err"
    printf '%-44s %12s %10s %8s\n' "Node http + ably-js createTokenRequest" "$n_rps" "$n_p99" "$n_err"
    awk -v r="$r_rps" -v k="$k_rps" -v t="$t_rps" -v c="$c_rps" -v n="$n_rps" -v tp="$t_p99" -v cp="$c_p99" -v out="$ratios" 'BEGIN {
        printf "token route / constant-body route: %.2fx (target >= 0.90x)\n", r / k
        printf "quickstart token route / its /healthz: %.2fx\n", t / c
        printf "quickstart token route / Node ably-js: %.2fx\n", t / n
        printf "p99: quickstart token route %.2f ms vs /healthz %.2f ms\n", tp, cp
        printf "%f %f %f %f\n", r / k, t / c, t / n, tp - cp >> out
    }'
done

if [ "$rounds" -gt 1 ]; then
    # The median of each column (the middle value, or the mean of the two middle ones).
    median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
    printf '\nmedians over %s rounds:\n' "$rounds"
    printf 'token route / constant-body route: %.2fx (target >= 0.90x)\n' "$(cut -d' ' -f1 "$ratios" | median)"
    printf 'quickstart token route / its /healthz: %.2fx\n' "$(cut -d' ' -f2 "$ratios" | median)"
    printf 'quickstart token route / Node ably-js: %.2fx\n' "$(cut -d' ' -f3 "$ratios" | median)"
    printf 'p99 of the quickstart token route minus /healthz: %.2f ms\n' "$(cut -d' ' -f4 "$ratios" | median)"
fi
rm -f "$ratios"
