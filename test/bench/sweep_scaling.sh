#!/usr/bin/env bash
# Whole-run sweep timings: the standard sweep (workloads/sweeps/bench_standard.toml) through the
# `wakesim sweep` command at --jobs 1, 2, ... up to the core count, REPEAT times each; writes
# results/bench/sweep_scaling.csv (jobs, repeat, wall seconds, runs/s, speed-up over --jobs 1) and prints
# the medians. Usage: test/bench/sweep_scaling.sh BUILD_DIR [REPEAT]
set -euo pipefail
build=${1:?usage: sweep_scaling.sh BUILD_DIR [REPEAT]}
repeat=${2:-3}
spec=workloads/sweeps/bench_standard.toml
out=results/bench
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
csv="$out/sweep_scaling.csv"
echo "jobs,repeat,wall_seconds,runs,runs_per_second" > "$csv.tmp"
for jobs in $(seq 1 "$(nproc)"); do
  for r in $(seq "$repeat"); do
    rm -rf "$work/s"
    start=$(date +%s%N)
    "$build/wakesim" sweep "$spec" --jobs "$jobs" --out "$work/s" --quiet > "$work/log"
    end=$(date +%s%N)
    runs=$(grep -o '[0-9]* runs' "$work/log" | head -1 | cut -d' ' -f1)
    awk -v j="$jobs" -v r="$r" -v n="$runs" -v ns=$((end - start)) \
      'BEGIN { s = ns / 1e9; printf "%d,%d,%.3f,%d,%.3f\n", j, r, s, n, n / s }' >> "$csv.tmp"
  done
done
mv "$csv.tmp" "$csv"
py=python3
/usr/bin/python3 -c 'import csv' 2>/dev/null && py=/usr/bin/python3
"$py" - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
for j in sorted({int(r["jobs"]) for r in rows}):
    med[j] = statistics.median(float(r["wall_seconds"]) for r in rows if int(r["jobs"]) == j)
print("jobs  median wall s  speed-up  efficiency")
for j, t in med.items():
    print(f"{j:>4}  {t:>13.2f}  {med[1] / t:>8.2f}  {med[1] / t / j:>10.0%}")
PY
echo "written: $csv"
