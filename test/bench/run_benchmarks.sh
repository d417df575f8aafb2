#!/usr/bin/env bash
# Runs every benchmark program of a build directory and writes its JSON to results/bench/, then prints
# the hold-model ratios. Usage: test/bench/run_benchmarks.sh BUILD_DIR [extra benchmark flags]
set -euo pipefail
build=${1:?usage: run_benchmarks.sh BUILD_DIR}
shift
out=results/bench
mkdir -p "$out"
for program in "$build"/bench/*_bench; do
  name=$(basename "$program")
  "$program" --benchmark_out="$out/$name.json" --benchmark_out_format=json --benchmark_repetitions=3 "$@"
done
py=python3
/usr/bin/python3 -c 'import json' 2>/dev/null && py=/usr/bin/python3
"$py" test/bench/hold_ratio.py "$out/event_queue_bench.json"
