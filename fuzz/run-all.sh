#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 180) on the stable toolchain and keeps each
# run's log in fuzz/logs/<target>.log. The corpus grows in fuzz/corpus/<target> (not
# committed); fuzz/seeds/<target> is the committed seed corpus.
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-180}"
mkdir -p logs
for target in ${TARGETS:-key_parse capability hints token_request jwt signed_text}; do
    mkdir -p "corpus/$target"
    echo "== $target ($seconds s)"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"logs/$target.log" 2>&1
    echo "exit $?"
    grep -a -E "^stat::|DONE|Done [0-9]+ runs|SUMMARY|panicked" "logs/$target.log" | tail -12
done
