#!/usr/bin/env bash
# Runs every wireframe-monitor benchmark and prints the table of results
# against their targets (docs/benchmarks.md states them).
#
#   benches/run.sh            full measurement (criterion defaults: 3 s warm-up,
#                             5 s measurement, 100 samples per benchmark, then
#                             31 paired rounds per ratio, the echo and tokio
#                             ones in 21 processes; about 25 minutes)
#   QUICK=1 benches/run.sh    short run to check that everything works (~3 min)
#   benches/run.sh -- ARGS    extra criterion arguments (e.g. a filter)
#
# What the attribute costs to build (per handler, against #[instrument])
# is measured apart: benches/compile-cost/run.py (about 20 minutes).
#
# Two cargo invocations, because the `enabled`-off build cannot share a
# build with the `enabled`-on one (cargo unifies features): the overhead
# bench (enabled on) and the off bench (wireframe-monitor-benches-off).
# Results go to $CRITERION_HOME (default: <target dir>/criterion), the table
# to stdout and to <target dir>/criterion/summary.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
export CRITERION_HOME="${CRITERION_HOME:-$target/criterion}"

args=(--noplot)
if [[ "${QUICK:-0}" != 0 ]]; then
    args+=(--warm-up-time 0.5 --measurement-time 1)
    export BENCH_PAIRED_MS="${BENCH_PAIRED_MS:-10}"
    export BENCH_PROCESSES="${BENCH_PROCESSES:-3}"
fi
if [[ "${1:-}" == "--" ]]; then
    shift
    args+=("$@")
fi

cargo bench -p wireframe-monitor-benches --bench overhead -- "${args[@]}"
cargo run -q --profile bench -p wireframe-monitor-benches --bin bench-paired -- "$CRITERION_HOME"
# The run-time door's added cost against the attribute's (11 processes).
cargo run -q --profile bench -p wireframe-monitor-benches --bin bench-doors -- "$CRITERION_HOME"
cargo bench -p wireframe-monitor-benches-off --bench off -- "${args[@]}"
# Panic storms: contained panics with the default limits vs a raw catch_unwind.
cargo bench -p wireframe-monitor-benches --bench storm

echo
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
cargo run -q --profile bench -p wireframe-monitor-benches --bin bench-summary -- "$CRITERION_HOME" | tee "$CRITERION_HOME/summary.md"
