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

q() { printf '%q' "$1"; }  # one word for the shell that runs the command string, whatever it holds
args() {  # the run arguments for a workload
  if [ "$1" = default ]; then echo "--replicates 1"; else q "$(realpath "$1")"; fi
}
command_for() {  # BINARY WORKLOAD NAME: one timed run, its output directory removed first
  echo "rm -rf $(q "$work/$3_out"); exec $(q "$1") run $(args "$2") --jobs 1 --out $(q "$work/$3_out") >>$(q "$work/$3.log") 2>&1"
}
old_cmd=$(command_for "$old" "$old_workload" old)
new_cmd=$(command_for "$new" "$workload" new)
echo "A = NEW ($new), B = OLD ($old)"
farm-bench -n "$pairs" --timeout 3600 --vs "sh -c $(q "$old_cmd")" -- sh -c "$new_cmd" | grep -E "A/B wall|^A |^B "
"$here/events_rate_pairs.py" "$work/old.log" "$work/new.log"
