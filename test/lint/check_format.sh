#!/usr/bin/env bash
# The layout check CI runs first (./setup.sh test): every C++ file of sim/ and test/ must be as
# clang-format (Debian 12's, version 14) leaves it under the project's .clang-format. On failure it
# lists the files and how to fix them; nothing is changed.
#
#   test/lint/check_format.sh          check
#   test/lint/check_format.sh --fix    reformat in place
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(find sim test -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.cpp.in' \) \
                       -not -path 'test/fuzz/corpus/*' | sort)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
# One clang-format for all files; its complaints name each file that differs ("FILE:LINE:COL: error: ...").
mapfile -t bad < <(clang-format --dry-run --Werror "${files[@]}" 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
if [ ${#bad[@]} -gt 0 ]; then
  echo "check_format: ${#bad[@]} file(s) differ from clang-format's layout:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix with: test/lint/check_format.sh --fix   (or clang-format -i FILE; see clang-format --dry-run FILE)" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files as clang-format lays them out"
