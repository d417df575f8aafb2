#!/usr/bin/env bash
# Whole-model events/s of two wakesim binaries, side by side: farm-bench runs them in turn (old, new,
# old, new, ...) and events_rate_pairs.py prints each design's and the whole run's per-pair new/old
# ratio (median and quartiles). Only ratios from one call mean anything: on a shared VM the same
# binary's absolute rate moves by a quarter between calls.
#
#   test/bench/compare_builds.sh OLD_BINARY NEW_BINARY [WORKLOAD] [PAIRS] [OLD_WORKLOAD]
#
# WORKLOAD: a file, or "default" (the built-in default workload, one replicate per design; the
# default); PAIRS: 21. OLD_WORKLOAD: the workload file the old binary runs (its own tree's copy, when
# the file changed since; default: WORKLOAD). Each run is `wakesim run ... --jobs 1`; its output
# directory is removed before each run, so binaries without --force work too. Needs farm-bench
# (/work/.library) on PATH.
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
workload=${3:-default}
pairs=${4:-21}
old_workload=${5:-$workload}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args() {  # the run arguments for a workload
  if [ "$1" = default ]; then echo "--replicates 1"; else realpath "$1"; fi
}
old_cmd="rm -rf $work/old_out; exec $old run $(args "$old_workload") --jobs 1 --out $work/old_out >>$work/old.log 2>&1"
new_cmd="rm -rf $work/new_out; exec $new run $(args "$workload") --jobs 1 --out $work/new_out >>$work/new.log 2>&1"
echo "A = NEW ($new), B = OLD ($old)"
farm-bench -n "$pairs" --timeout 3600 --vs "sh -c '$old_cmd'" -- sh -c "$new_cmd" | grep -E "A/B wall|^A |^B "
"$here/events_rate_pairs.py" "$work/old.log" "$work/new.log"
