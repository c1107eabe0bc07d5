#!/usr/bin/env bash
# Builds Lockstep's libFuzzer targets (tools/fuzz/) and runs each for SECONDS (default 30).
#
#   tools/fuzz.sh [SECONDS] [TARGET...]
#
# Fails (exit 1) on any crash, broken property, leak, timeout (10 s for one input) or
# out-of-memory (2 GiB); the input that did it is kept under $LOCKSTEP_FUZZ_DIR/artifacts/TARGET/
# (default /tmp/lockstep-fuzz), which is printed. The corpus grows in $LOCKSTEP_FUZZ_DIR/corpus/TARGET
# across runs; seeds are generated from the repository each run (tools/fuzz/make-corpus.py).
# LOCKSTEP_FUZZ_ASAN_OPTIONS adds AddressSanitizer options: long runs use malloc_context_size=0
# (no allocation stacks: 1.4× the runs where allocation dominates; re-run a reproducer without it).
# See docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
seconds="${1:-30}"
shift || true
all_targets=(FuzzHTTP FuzzWebSocket FuzzProtocol FuzzJoinToken FuzzReplay FuzzAdminJSON FuzzConfigFile)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
work="${LOCKSTEP_FUZZ_DIR:-/tmp/lockstep-fuzz}"
mkdir -p "$work"

echo "fuzz: building the targets (tools/fuzz, release, -sanitize=fuzzer,address)"
build_flags=(-c release --package-path tools/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing)
swift build "${build_flags[@]}" 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
swift build "${build_flags[@]}" > /dev/null  # the status of the build itself
bin="$(swift build "${build_flags[@]}" --show-bin-path)"

rm -rf "$work/seeds"
python3 tools/fuzz/make-corpus.py "$repo" "$work/seeds" > /dev/null

max_len() {
    case "$1" in
        FuzzHTTP) echo 20000 ;;       # past the 8 KiB head limit
        FuzzWebSocket) echo 70000 ;;  # past the 64 KiB frame length encodings
        FuzzReplay) echo 4096 ;;      # small files run 10× faster; the golden ones are seeds cut to this
        *) echo 4096 ;;
    esac
}

failed=()
summary=()
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    log="$work/$target.log"
    echo "fuzz: $target for ${seconds}s"
    status=0
    dict=()
    [ -f "$work/seeds/$target.dict" ] && dict=(-dict="$work/seeds/$target.dict")
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0${LOCKSTEP_FUZZ_ASAN_OPTIONS:+:$LOCKSTEP_FUZZ_ASAN_OPTIONS}" \
        "$bin/$target" "$corpus" "$work/seeds/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}" > "$log" 2>&1 || status=$?
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    speed="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    coverage="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || echo '?')"
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        summary+=("$(printf '%-15s FAILED (exit %s) after %s runs; log %s' "$target" "$status" "$runs" "$log")")
        grep -E 'ERROR|fuzz property broken|Fatal error|Test unit written|SUMMARY' "$log" | head -8 || true
    else
        summary+=("$(printf '%-15s ok  %12s runs  %8s/s  %s' "$target" "$runs" "$speed" "$coverage")")
    fi
done

echo
echo "fuzz summary (${seconds}s each; corpus and logs in $work):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: FAILED: ${failed[*]}; reproducers in $work/artifacts/<target>/ (run: SWIFT_BACKTRACE=enable=no $bin/<target> FILE)" >&2
    exit 1
fi
echo "fuzz: no findings"
