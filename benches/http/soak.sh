#!/usr/bin/env bash
# Soak: wrk at 256 connections for 60 s against the quickstart's /ably/token-request with a
# session cookie. Prints errors and the server's RSS before and after (growth means a leak).
#
# Usage: benches/http/soak.sh [duration=60s] [connections=256]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
duration="${1:-60s}"; connections="${2:-256}"
cargo build -q --release -p ably-auth-examples --bin quickstart
log="$(mktemp)"
BIND_ADDR=127.0.0.1:0 "${CARGO_TARGET_DIR:-target}/release/quickstart" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$log" && break; sleep 0.1; done
app="$(grep -m1 '^listening on ' "$log" | cut -d' ' -f3)"
cookie="$(curl -s -D - -o /dev/null -d 'user=alice&role=editor' "$app/login" | tr -d '\r' | sed -n 's/^set-cookie: \([^;]*\).*/\1/Ip')"
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
# Warm up so allocator pools and worker buffers exist before the first reading.
wrk -t2 -c"$connections" -d5s -H "cookie: $cookie" "$app/ably/token-request" >/dev/null
before="$(rss)"
out="$(wrk -t2 -c"$connections" -d"$duration" --latency -H "cookie: $cookie" "$app/ably/token-request")"
after="$(rss)"
echo "$out"
echo
echo "RSS before: ${before} KiB, after: ${after} KiB (growth $((after - before)) KiB)"
grep -q 'Non-2xx\|Socket errors' <<<"$out" && { echo "errors seen"; exit 1; } || echo "errors: 0"
