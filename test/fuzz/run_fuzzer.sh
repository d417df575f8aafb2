#!/usr/bin/env bash
# Runs one libFuzzer target: first every committed regression input once (each must pass), then
# fuzzing for SECONDS from a seed corpus built from the repository's workloads/ and test/fuzz/seeds/.
#   run_fuzzer.sh BINARY NAME SECONDS SOURCE_DIR WORK_DIR
# A crash, a hang (an input over 10 s, or $FUZZ_TIMEOUT s) or more than 2 GiB of memory fails it; the input that did it is
# written to WORK_DIR/NAME/ as crash-*, timeout-* or oom-* and named in the output. Reproduce with
#   BINARY WORK_DIR/NAME/crash-...
set -euo pipefail
binary=$1 name=$2 seconds=$3 source=$4 work=$5
fuzz=$source/test/fuzz
dir=$work/$name
corpus=$dir/corpus
rm -rf "$dir" && mkdir -p "$corpus"

# Seeds: whole TOML files for the loaders; for the parsers, every quoted value in workloads/ that looks
# like NAME(...), plus the hand-written seeds covering each form.
case $name in
  config_loader) cp "$source"/workloads/*.toml "$corpus"/ ;;
  sweep_spec) cp "$source"/workloads/sweeps/*.toml "$corpus"/ ;;
  distribution | arrivals)
    cp "$fuzz/seeds/$name"/* "$corpus"/
    i=0
    grep -ohE '"[a-z_]+\([^"]*\)"' -r "$source/workloads" | sort -u | while read -r value; do
      i=$((i + 1))
      value=${value#\"}
      printf '%s' "${value%\"}" > "$corpus/workload$i"
    done
    ;;
esac

options=("-timeout=${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 "-artifact_prefix=$dir/")
regressions=("$fuzz/regressions/$name"/*)
echo "== $name: ${#regressions[@]} regression inputs"
"$binary" "${options[@]}" "${regressions[@]}"
echo "== $name: fuzzing for $seconds s"
"$binary" "${options[@]}" -max_total_time="$seconds" "$corpus"
