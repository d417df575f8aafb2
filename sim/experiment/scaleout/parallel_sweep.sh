#!/usr/bin/env bash
# A wakesim sweep in N shards with GNU parallel (Debian package `parallel`), on this machine or on
# several over ssh, then merged: the merged directory equals the unsharded sweep byte for byte (except
# manifest.json and the wall-clock timings). test/scaleout/sharded_sweep_test.sh checks exactly that.
#
#   sim/experiment/scaleout/parallel_sweep.sh SWEEP.toml OUTDIR N [WAKESIM]
#   # over several hosts sharing the file system (each shard with all its host's cores):
#   parallel -S host1,host2 --workdir "$PWD" "$WAKESIM sweep SWEEP.toml --shard {}/N --out OUTDIR/shard-{} --quiet" ::: $(seq N)
#   wakesim merge --out OUTDIR/merged OUTDIR/shard-*
#
# Each shard gets --jobs JOBS_PER_SHARD threads (default: cores / N, at least 1). A shard that stopped
# early resumes with --resume; rerunning this script resumes every shard.
set -euo pipefail
spec="${1:?usage: parallel_sweep.sh SWEEP.toml OUTDIR N [WAKESIM]}"
outdir="${2:?usage: parallel_sweep.sh SWEEP.toml OUTDIR N [WAKESIM]}"
n="${3:?usage: parallel_sweep.sh SWEEP.toml OUTDIR N [WAKESIM]}"
wakesim="${4:-build/release/wakesim}"
command -v parallel >/dev/null || { echo "parallel_sweep.sh: GNU parallel is missing (apt install parallel)" >&2; exit 2; }
jobs_per_shard="${JOBS_PER_SHARD:-$(( $(nproc) / n > 0 ? $(nproc) / n : 1 ))}"
mkdir -p "$outdir"
export wakesim spec outdir n jobs_per_shard
parallel --will-cite --halt now,fail=1 --jobs "$n" '
  d="$outdir/shard-{}"; r=(); [ -f "$d/sweep.json" ] && r=(--resume)
  "$wakesim" sweep "$spec" --shard {}/"$n" --jobs "$jobs_per_shard" --out "$d" "${r[@]}" --quiet' ::: $(seq "$n")
shards=()
for k in $(seq "$n"); do shards+=("$outdir/shard-$k"); done
"$wakesim" merge --out "$outdir/merged" "${shards[@]}"
