#!/usr/bin/env bash
# Builds the libFuzzer targets (the package Tests/Fuzz; docs/fuzzing.md) with AddressSanitizer and runs each for a
# bounded time on a copy of its committed seed corpus (Tests/Fuzz/corpus/<target>/), so the run adds nothing to the
# repository. Prints executions and coverage per target. Exits non-zero if any target crashes, breaks one of its
# invariants, runs out of memory or hangs; the input that did it is kept in test-artifacts/fuzz/.
#
#   bash ops/fuzz.sh [SECONDS-PER-TARGET [TARGET...]]     (default: 20 seconds each, all four targets)
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzContactEvent FuzzRedisReader FuzzSigV4 FuzzConfig)

# The longest input each target is given: a few events or a whole config.json; RESP and requests need less.
declare -A max_len=([FuzzContactEvent]=4096 [FuzzRedisReader]=1024 [FuzzSigV4]=2048 [FuzzConfig]=4096)

# Swift modules get one -sanitize= with both, after SwiftPM's own: swiftc keeps only the last of several, and SwiftPM's
# `--sanitize=fuzzer --sanitize=address` passes two, in either order (one order built targets without coverage).
# `--sanitize=fuzzer` is still needed: it tells SwiftPM that libFuzzer brings `main`. -enable-testing: the targets
# `@testable import` internals (the hiredis reader, the SigV4 canonicaliser).
build=(swift build --package-path Tests/Fuzz -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing)
started=$SECONDS
"${build[@]}" || { echo "fuzz build failed" >&2; exit 1; }
echo "fuzz build: $((SECONDS - started)) s"
bin=$("${build[@]}" --show-bin-path)

artifacts="$PWD/test-artifacts/fuzz"
mkdir -p "$artifacts"
work=$(mktemp -d /tmp/switchboard-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

failed=()
for target in "${targets[@]}"; do
  cp -r "Tests/Fuzz/corpus/$target" "$work/$target"
  # The Swift runtime's backtracer reads memory ASan has poisoned; libFuzzer and ASan report crashes themselves.
  # -print_funcs=0: naming each newly covered function starts an llvm-symbolizer that outlives the target as a zombie
  # (ops/test.sh fails a suite that leaves any process); a crash report is still symbolized.
  SWIFT_BACKTRACE=enable=no "$bin/$target" "$work/$target" -max_total_time="$seconds" -max_len="${max_len[$target]:-4096}" \
    -timeout=10 -rss_limit_mb=2048 -print_funcs=0 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" >"$work/$target.log" 2>&1
  rc=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
  coverage=$(grep -E '^#[0-9]+' "$work/$target.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+')
  echo "$target: ${executions:-?} executions in $seconds s, $coverage, exit $rc"
  if [ "$rc" != 0 ]; then
    failed+=("$target")
    grep -B2 -A40 -E 'ERROR: |Fatal error|==[0-9]+==' "$work/$target.log" | head -80
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $artifacts)"
  exit 1
fi
echo "fuzz: no crash"
