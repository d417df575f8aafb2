#!/usr/bin/env bash
# A sweep run as 3 shards through GNU parallel (sim/experiment/scaleout/parallel_sweep.sh) and merged
# must equal the unsharded sweep byte for byte: every file except manifest.json, timings.csv and the
# per-run .timing files (wall-clock figures). Usage: sharded_sweep_test.sh WAKESIM SOURCE_DIR
set -euo pipefail
wakesim="$1"
source_dir="$2"
command -v parallel >/dev/null || { echo "FAIL: GNU parallel is not installed (./setup.sh installs it)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/spec.toml" <<SPEC
base = "$source_dir/workloads/default.toml"
replicates = 2
[set]
"run.duration" = "4ms"
"run.warmup" = "1ms"
"vms.count" = 4
"host.cores_per_socket" = 4
[[axis]]
key = "vms.device_arrivals"
values = ["poisson(1k/s)", "poisson(3k/s)"]
[[axis]]
key = "vms.vcpus"
values = [2, 4]
SPEC
"$wakesim" sweep "$work/spec.toml" --out "$work/whole" --quiet
JOBS_PER_SHARD=1 "$source_dir/sim/experiment/scaleout/parallel_sweep.sh" "$work/spec.toml" "$work/sharded" 3 "$wakesim"
for k in 1 2 3; do
  [ -f "$work/sharded/shard-$k/sweep.json" ] || { echo "FAIL: shard $k wrote nothing" >&2; exit 1; }
done
if ! diff -r -x manifest.json -x timings.csv -x '*.timing' "$work/whole" "$work/sharded/merged"; then
  echo "FAIL: the merged shards differ from the unsharded sweep" >&2
  exit 1
fi
files=$(find "$work/whole" -type f | wc -l)
[ "$files" -gt 40 ] || { echo "FAIL: only $files files compared" >&2; exit 1; }
echo "PASS: 3 shards via GNU parallel merged to the unsharded sweep ($files files compared)"
