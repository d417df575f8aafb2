#!/usr/bin/env bash
# Heap allocations per simulated event in steady state, for any wakesim binary (so also for an old
# build that has no allocation test): callgrind counts the calls to malloc in two deterministic runs
# of the default workload that differ only in length; the difference in mallocs over the difference in
# events is the steady-state rate (setup, warm-up and result writing cancel out).
#
#   test/bench/malloc_rate.sh BINARY [DESIGN] [SHORT] [LONG]     (defaults: single-lock 100ms 300ms)
#
# Needs valgrind (not installed by setup.sh: apt-get install valgrind). About a minute per run.
# valgrind computes long double as double, and Boost.Math's start-up tables for erfc_inv<long double>
# then overflow before main ("boost::math::erfc_inv<long double>: Overflow Error"; the binary itself runs
# correctly). The release preset's binary does that too (checked 2026-12-06), so measure a build of its
# own, without long double Boost.Math (the allocations do not depend on the profile or the compiler):
#   cmake -S . -B build/valgrind -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
#     -DWAKESIM_PGO=OFF -DWAKESIM_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS=-DBOOST_MATH_NO_LONG_DOUBLE_MATH_FUNCTIONS
#   cmake --build build/valgrind --target wakesim
# (A GCC build also needs -DWAKESIM_LTO=OFF. For cachegrind's line-level annotation add -gdwarf-4 to the
# flags: valgrind 3.19 cannot read clang 14's default DWARF 5.)
set -euo pipefail
binary=$1
design=${2:-single-lock}
short=${3:-100ms}
long=${4:-300ms}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "EVENTS MALLOCS" for one run of the given duration.
measure() {
  local out="$work/callgrind.$1"
  local events
  events=$(valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" run --design "$design" --replicates 1 \
    --jobs 1 --set "run.duration=$1" --out "$work/run.$1" 2>&1 | sed -n 's/.*(\([0-9]*\) events in.*/\1/p')
  local mallocs
  mallocs=$(/usr/bin/python3 - "$out" <<'PY'
import re, sys
names, total, callee = {}, 0, None
for line in open(sys.argv[1]):
    m = re.match(r'(c?)fn=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(3):
            names[m.group(2)] = m.group(3)
        callee = names.get(m.group(2), '') if m.group(1) else None
        continue
    if line.startswith('calls=') and callee is not None:
        if callee == 'malloc' or callee.startswith('malloc '):
            total += int(line.split()[0][len('calls='):])
        callee = None
print(total)
PY
)
  echo "$events $mallocs"
}

read -r e1 m1 < <(measure "$short")
read -r e2 m2 < <(measure "$long")
echo "$design: $m1 mallocs in $e1 events ($short), $m2 in $e2 ($long)"
/usr/bin/python3 -c "print(f'steady state: {($m2 - $m1) / ($e2 - $e1):.6f} allocations per event')"
