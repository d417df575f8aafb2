#!/usr/bin/env bash
# wakesim's one setup script. Installs the Debian 12 packages wakesim needs (only those missing, and
# silently when none are), then optionally builds and runs:
#   ./setup.sh          install dependencies only
#   ./setup.sh run      ... then build the release preset and run the main job (design comparison at four
#                       loads, with figures); extra arguments go to `wakesim sweep` (e.g. --jobs 1)
#   ./setup.sh test     ... then check the code's layout (clang-format), lint sim/ and test/ (clang-tidy), build
#                       and pass the test suite (clang sanitizer build with the fuzzers, then the release
#                       build)
#   ./setup.sh bench    ... then build the benchmark preset and run the benchmarks
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  g++ cmake ninja-build git pkg-config
  clang libclang-rt-14-dev   # the release build, and the sanitizer build: clang's ASan/UBSan and libFuzzer (test/fuzz/)
  llvm                       # llvm-profdata: the release build's profile (sim/pgo/)
  clang-format               # the layout check (test/lint/check_format.sh)
  clang-tidy                 # the lint check (test/lint/check_tidy.sh)
  libboost-dev libtbb-dev libcli11-dev libtomlplusplus-dev libfmt-dev
  nlohmann-json3-dev libpcg-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-matplotlib python3-pandas parallel
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "setup.sh: installing ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

install_missing
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-$(nproc)}"

case "${1:-}" in
  "") ;;
  run)
    shift
    cmake --preset release >/dev/null
    cmake --build --preset release --target wakesim
    # The design comparison: every design on the built-in default workload at four loads, with
    # replicates (workloads/sweeps/default_load.toml), then every figure the results have data for.
    out="results/comparison-$(date +%Y%m%d-%H%M%S)"
    ./build/release/wakesim sweep workloads/sweeps/default_load.toml --out "$out" "$@"
    ./build/release/wakesim plot "$out"
    echo
    echo "design comparison: $out"
    echo "  tables:  $out/aggregates.csv (mean and 95% CI per load, design and metric), $out/runs.csv"
    echo "  figures: $out/figures/ (percentiles and throughput vs load; CCDF, decomposition, locks at the highest load)"
    echo
    # The verdicts last: every design against the reference at every load, Holm-corrected.
    cat "$out/verdicts.txt"
    ;;
  test)
    ./test/lint/check_format.sh
    cmake --preset dev >/dev/null  # the lint check reads its compile commands
    ./test/lint/check_tidy.sh  # sim/ and test/
    cmake --workflow --preset dev
    cmake --workflow --preset release
    ;;
  bench)
    shift
    cmake --workflow --preset bench
    ./test/bench/run_benchmarks.sh build/bench "$@"
    ;;
  *)
    echo "usage: ./setup.sh [run [ARGS...] | test | bench]" >&2
    exit 2
    ;;
esac
