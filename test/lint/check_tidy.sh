#!/usr/bin/env bash
# Runs clang-tidy (the project's .clang-tidy) over wakesim's sources and fails on any finding.
#   test/lint/check_tidy.sh [DIR...]   default: every folder of sim/; e.g. sim/engine sim/hw
# Uses the sanitizer build's compile commands (build/dev, configured here if missing: clang's flags).
# Debian 12's clang-tidy 14 also matches inside every system header it parses (later versions skip
# them), so the whole of sim/ takes about 13 minutes on 2 cores (measured 2026-12-05).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v run-clang-tidy >/dev/null || { echo "check_tidy: run-clang-tidy not found (Debian package clang-tidy)" >&2; exit 1; }
[ -f build/dev/compile_commands.json ] || cmake --preset dev >/dev/null
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(sim)
files=()
for d in "${dirs[@]}"; do
  while IFS= read -r f; do files+=("$(pwd)/$f"); done < <(find "$d" -name '*.cpp' | sort)
done
[ ${#files[@]} -gt 0 ] || { echo "check_tidy: no .cpp files under ${dirs[*]}" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# run-clang-tidy takes regular expressions: one anchored alternative per file.
pattern="^($(printf '%s|' "${files[@]}" | sed 's/|$//; s/[.+]/\\&/g'))$"
run-clang-tidy -p build/dev -quiet -j "$(nproc)" "$pattern" >"$log" 2>&1 || true
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^/.*: (warning|error):' | sort -u || true)
if [ -n "$findings" ]; then
  echo "$findings"
  echo "check_tidy: $(echo "$findings" | wc -l) finding(s) in ${#files[@]} files" >&2
  exit 1
fi
echo "check_tidy: ${#files[@]} files, no findings"
