#!/usr/bin/env bash
# Runs clang-tidy (the project's .clang-tidy) over wakesim's sources and tests and fails on any finding.
#   test/lint/check_tidy.sh [DIR...]   default: sim test; e.g. sim/engine sim/hw
# Uses the sanitizer build's compile commands (build/dev, configured here if missing: clang's flags).
# Each folder's files are read as one translation unit (test/lint/tidy_units.py writes them under
# build/dev/tidy/): Debian 12's clang-tidy 14 also matches inside every system header it parses, so
# file by file the whole of sim/ took about 13 minutes on 2 cores; as units, sim/ and test/ take about
# two (measured 2026-12-05). Findings name the original files and lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v run-clang-tidy >/dev/null || { echo "check_tidy: run-clang-tidy not found (Debian package clang-tidy)" >&2; exit 1; }
[ -f build/dev/compile_commands.json ] || cmake --preset dev >/dev/null
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(sim test)
units_dir=build/dev/tidy
mapfile -t made < <(python3 test/lint/tidy_units.py build/dev "$units_dir" "${dirs[@]}")
read -r file_count unit_count <<<"${made[0]}"
if [ ${#made[@]} -gt 1 ]; then
  # A .cpp file the dev build has no compile command for is not linted (the benchmarks have one: the
  # dev preset configures them without building them).
  echo "check_tidy: no compile command for (not linted):" >&2
  printf '  %s\n' "${made[@]:1}" >&2
fi
[ "$unit_count" -gt 0 ] || { echo "check_tidy: no .cpp files under ${dirs[*]}" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
root=$(pwd)
# Diagnostics in the original files count (they are headers of the units: -header-filter), the units'
# own lines do not (bugprone-suspicious-include flags every #include of a .cpp there).
run-clang-tidy -p "$units_dir" -quiet -j "$(nproc)" -header-filter="^$root/(sim|test)/" "^$root/$units_dir/.*\\.cpp$" \
  >"$log" 2>&1 || true
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^/.*: (warning|error):' | grep -v "^$root/$units_dir/.*\[bugprone-suspicious-include\]$" |
             sort -u || true)
if [ -n "$findings" ]; then
  echo "$findings"
  echo "check_tidy: $(echo "$findings" | wc -l) finding(s) in $file_count files" >&2
  exit 1
fi
echo "check_tidy: $file_count files in $unit_count units, no findings"
