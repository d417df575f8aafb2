#!/usr/bin/env bash
# Regenerates sim/pgo/wakesim.proftext.tar.gz, the profile the optimised clang build compiles the
# simulator with (sim/pgo/README.md): builds an instrumented wakesim (clang -fprofile-instr-generate,
# in build/pgo-train), runs every shipped workload once (one replicate, every design), merges the
# counts (functions never run are left out) and stores them as text, compressed.
#
#   sim/pgo/train.sh            # about 5 minutes on 2 cores: the instrumented build, then ~1 minute of runs
#
# Run it after a change to the simulator's hot path (the optimised build then warns "profile data may
# be out of date"), and commit the new archive with the change.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
major=$(clang++ -dumpversion | cut -d. -f1)
profdata=$(command -v "llvm-profdata-$major" || command -v llvm-profdata || true)
[ -n "$profdata" ] || { echo "train.sh: llvm-profdata not found (Debian package llvm)" >&2; exit 1; }

build=build/pgo-train
# The counters are the front end's (per statement), so this build's optimisation level does not have to
# match the optimised build's: -O1 builds faster and runs the workloads fast enough.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DWAKESIM_BUILD_TESTS=OFF -DWAKESIM_BUILD_BENCH=OFF -DWAKESIM_PGO=OFF \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG" "-DCMAKE_CXX_FLAGS=-fprofile-instr-generate" \
  "-DCMAKE_EXE_LINKER_FLAGS=-fprofile-instr-generate" >/dev/null
cmake --build "$build" --target wakesim

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for workload in workloads/*.toml; do
  name=$(basename "$workload" .toml)
  echo "train.sh: $name" >&2
  LLVM_PROFILE_FILE="$work/$name-%p.profraw" "$build/wakesim" run "$workload" --replicates 1 --jobs 1 \
    --out "$work/$name-out" >"$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
done
"$profdata" merge --sparse -o "$work/wakesim.profdata" "$work"/*.profraw
"$profdata" merge --sparse --text -o "$work/wakesim.proftext" "$work/wakesim.profdata"
# No dates, owners or gzip name in the archive: it changes only where the counts do.
tar -C "$work" --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - wakesim.proftext | gzip -n -9 \
  >sim/pgo/wakesim.proftext.tar.gz
echo "train.sh: wrote sim/pgo/wakesim.proftext.tar.gz ($(du -k sim/pgo/wakesim.proftext.tar.gz | cut -f1) KiB)" >&2
