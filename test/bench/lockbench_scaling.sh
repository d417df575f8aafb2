#!/usr/bin/env bash
# Lock scaling table: throughput and p99 wait vs the number of contending pCPUs, ticket vs queued
# spinlock, on workloads/lockbench.toml (Ice Lake 2S preset). Prints a Markdown table.
# Usage: test/bench/lockbench_scaling.sh [BUILD_DIR] [extra wakesim run options]
set -euo pipefail
build=${1:-build/release}
shift || true
py=python3
/usr/bin/python3 -c 'import json' 2>/dev/null && py=/usr/bin/python3
out=$(mktemp -d)
echo "| N | ticket acq/s | ticket p99 wait | qspinlock acq/s | qspinlock p99 wait | events/s |"
echo "|---|---|---|---|---|---|"
for n in 1 2 4 8 12 16 24 32 48 64; do
  "$build/wakesim" run lockbench --set lockbench.cpus=$n --json --out "$out/n$n" "$@" > "$out/n$n.json"
  "$py" - "$out/n$n.json" "$out/n$n/timings.csv" "$n" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
agg = {(a["design"], a["metric"]): a for a in d["aggregates"]}
rows = list(csv.DictReader(open(sys.argv[2])))
events = sum(int(r["events"]) for r in rows)
wall = sum(float(r["wall_seconds"]) for r in rows)
def cell(design, metric, scale, unit):
    a = agg[(design, metric)]
    return f"{a['mean'] * scale:.3g}{unit} ±{a['ci95_half_width'] * scale:.2g}"
print(f"| {sys.argv[3]} | {cell('ticket', 'throughput', 1e-6, 'M')} | {cell('ticket', 'wait.p99', 1e-3, 'us')} | "
      f"{cell('qspinlock', 'throughput', 1e-6, 'M')} | {cell('qspinlock', 'wait.p99', 1e-3, 'us')} | {events / wall / 1e6:.2f}M |")
PY
done
rm -rf "$out"
