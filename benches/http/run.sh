#!/usr/bin/env bash
# HTTP benchmark with wrk (Debian package `wrk`), all in one run on this machine:
#   1. `http_bench` (an example of ably-auth-actix): a constant-body route and the token route
#      in one actix-web app, the user named by a header; their ratio is the route's own cost;
#   2. the quickstart's /healthz and its /ably/token-request with a session cookie (host check,
#      session lookup, role policy, hints, signing), as an app with sessions gets it;
#   3. a Node `http` server issuing TokenRequests with ably-js (what users run today).
# Prints requests/s, p99 latency and the server's CPU time per request for each, and the
# ratios of both. With more than one round the targets are measured in turn, round after
# round, so a drift of the machine reaches all of them; each round's ratios are printed, then
# their medians.
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

# Starts a server and waits for its `listening on` line; sets $url to its URL and $pid to its
# process id (not in a subshell, so that the cleanup above knows every server).
start() {
    local log; log="$(mktemp)"
    "$@" >"$log" 2>&1 &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$log"; then url="$(grep -m1 '^listening on ' "$log" | cut -d' ' -f3)"; return; fi
        sleep 0.1
    done
    cat "$log" >&2; exit 1
}

BIND_ADDR=127.0.0.1:0 start "$target/release/examples/http_bench"; bench="$url"; bench_pid="$pid"
BIND_ADDR=127.0.0.1:0 start "$target/release/quickstart"; app="$url"; app_pid="$pid"
start node benches/http/node-token-server.mjs; node_url="$url"; node_pid="$pid"
cookie="$(curl -s -D - -o /dev/null -d 'user=alice&role=editor' "$app/login" | tr -d '\r' | sed -n 's/^set-cookie: \([^;]*\).*/\1/Ip')"
echo "http_bench at $bench, quickstart at $app, Node server at $node_url"
curl -sf -H "x-user: alice" "$bench/ably/token-request" >/dev/null
curl -sf -H "cookie: $cookie" "$app/ably/token-request" >/dev/null

# The CPU time a process has used, in clock ticks (user + system, every thread).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_us="$((1000000 / $(getconf CLK_TCK)))"

# Runs wrk against the server with process id $1; prints "requests/s p99_ms errors
# server_cpu_us_per_request". The CPU cost per request counts only the time the server itself
# ran, so other processes on the machine move it much less than they move requests/s.
measure() {
    local server="$1"; shift
    local before; before="$(ticks "$server")"
    local out; out="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@")"
    local after; after="$(ticks "$server")"
    local rps p99 errors requests
    rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")"
    errors="$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {n+=1} END {print n+0}' <<<"$out")"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    echo "$rps $p99 $errors $(awk -v t="$((after - before))" -v u="$tick_us" -v n="$requests" 'BEGIN {printf "%.2f", t * u / n}')"
}

# Warm up each, then measure.
wrk -t1 -c8 -d2s "$bench/constant" >/dev/null
wrk -t1 -c8 -d2s -H "x-user: alice" "$bench/ably/token-request" >/dev/null
wrk -t1 -c8 -d2s "$app/healthz" >/dev/null
wrk -t1 -c8 -d2s -H "cookie: $cookie" "$app/ably/token-request" >/dev/null
wrk -t1 -c8 -d2s "$node_url/" >/dev/null

ratios="$(mktemp)"
for round in $(seq "$rounds"); do
    read -r k_rps k_p99 k_err k_cpu <<<"$(measure "$bench_pid" "$bench/constant")"
    read -r r_rps r_p99 r_err r_cpu <<<"$(measure "$bench_pid" -H "x-user: alice" "$bench/ably/token-request")"
    read -r c_rps c_p99 c_err c_cpu <<<"$(measure "$app_pid" "$app/healthz")"
    read -r t_rps t_p99 t_err t_cpu <<<"$(measure "$app_pid" -H "cookie: $cookie" "$app/ably/token-request")"
    read -r n_rps n_p99 n_err n_cpu <<<"$(measure "$node_pid" "$node_url/")"

    printf '\n%-44s %12s %10s %8s %14s\n' "round $round ($connections connections, $duration, wrk -t$threads)" "requests/s" "p99 ms" "errors" "server CPU µs"
    row() { printf '%-44s %12s %10s %8s %14s\n' "$@"; }
    row "http_bench /constant (same-size body)" "$k_rps" "$k_p99" "$k_err" "$k_cpu"
    row "http_bench /ably/token-request" "$r_rps" "$r_p99" "$r_err" "$r_cpu"
    row "quickstart /healthz" "$c_rps" "$c_p99" "$c_err" "$c_cpu"
    row "quickstart /ably/token-request (session)" "$t_rps" "$t_p99" "$t_err" "$t_cpu"
    row "Node http + ably-js createTokenRequest" "$n_rps" "$n_p99" "$n_err" "$n_cpu"
    awk -v r="$r_rps" -v k="$k_rps" -v t="$t_rps" -v c="$c_rps" -v n="$n_rps" \
        -v rc="$r_cpu" -v kc="$k_cpu" -v tc="$t_cpu" -v cc="$c_cpu" -v nc="$n_cpu" -v out="$ratios" 'BEGIN {
        printf "token route / constant-body route: %.2fx requests/s, %.2fx by server CPU per request (target >= 0.90x)\n", r / k, kc / rc
        printf "quickstart token route / its /healthz: %.2fx requests/s, %.2fx by CPU\n", t / c, cc / tc
        printf "quickstart token route / Node ably-js: %.2fx requests/s, %.2fx by CPU\n", t / n, nc / tc
        printf "%f %f %f %f %f %f\n", r / k, kc / rc, t / c, cc / tc, t / n, nc / tc >> out
    }'
done

if [ "$rounds" -gt 1 ]; then
    # The median of each column (the middle value, or the mean of the two middle ones).
    median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
    col() { cut -d' ' -f"$1" "$ratios" | median; }
    printf '\nmedians over %s rounds (requests/s, then server CPU per request):\n' "$rounds"
    printf 'token route / constant-body route: %.2fx, %.2fx (target >= 0.90x)\n' "$(col 1)" "$(col 2)"
    printf 'quickstart token route / its /healthz: %.2fx, %.2fx\n' "$(col 3)" "$(col 4)"
    printf 'quickstart token route / Node ably-js: %.2fx, %.2fx\n' "$(col 5)" "$(col 6)"
fi
rm -f "$ratios"
