#!/usr/bin/env bash
# Builds the reference arena simulation as WebAssembly with the toolchain's Embedded Swift:
#   Sources/LockstepWeb/Public/arena/arena.wasm
# from the same Swift files as the native build (the LockstepCore files the arena uses, every
# arena file of LockstepSimulation) plus tools/wasm/ArenaExports.swift (the exported functions)
# and tools/wasm/runtime.c (allocator, mem*, 128-bit integer helpers).
#
# Usage: tools/build-wasm.sh            rebuild the committed file
#        tools/build-wasm.sh --check    rebuild into a temporary directory; exit 1 when the
#                                       committed file differs (CI)
#        tools/build-wasm.sh --output F write the module to F instead
#
# The output is deterministic: relative source paths, no debug information, names stripped, so
# the same sources and toolchain give the same bytes.
set -euo pipefail

committed=Sources/LockstepWeb/Public/arena/arena.wasm
output=
check=0
while [ $# -gt 0 ]; do
    case "$1" in
        --check) check=1 ;;
        --output) shift; output=$(realpath -m "${1:?--output needs a path}") ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) printf 'Error: unknown argument %s\nUsage: tools/build-wasm.sh [--check | --output FILE]\n' "$1" >&2; exit 64 ;;
    esac
    shift
done
cd "$(dirname "$0")/.."
output=${output:-$committed}

swiftc=$(command -v swiftc) || { echo "Error: swiftc not found on PATH" >&2; exit 1; }
bin=$(dirname "$(readlink -f "$swiftc")")
for tool in clang wasm-ld; do
    [ -x "$bin/$tool" ] || { echo "Error: $bin/$tool not found (the Swift toolchain ships it)" >&2; exit 1; }
done

# The LockstepCore files the arena needs; the rest of LockstepCore (histograms, clocks, the
# registry of existentials) does not compile in Embedded mode and is not needed.
core_files=(
    ConfirmedFrame DeterministicSimulation Fixed InputCollectorConfiguration InputFrame InputPolicy
    SeededRandom SineTable StateHasher Tick
)
# Every arena file; SimulationRegistry+Reference.swift registers existentials and stays native.
simulation_files=(ArenaBot ArenaInput ArenaRules ArenaSimulation ArenaSimulation+Step ArenaState)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift_flags=(
    -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded -swift-version 6
    -wmo -O -parse-as-library -Xfrontend -disable-stack-protector -Xcc -fno-stack-protector
    -file-prefix-map "$PWD=."
)

repo=$PWD
core_sources=()
for name in "${core_files[@]}"; do core_sources+=("$repo/Sources/LockstepCore/$name.swift"); done
simulation_sources=()
for name in "${simulation_files[@]}"; do simulation_sources+=("$repo/Sources/LockstepSimulation/$name.swift"); done

# Built inside the work directory with relative output paths: swiftc derives data in the object
# from the output's path, and -file-prefix-map keeps the checkout's path out of it.
(
    cd "$work"
    "$swiftc" "${swift_flags[@]}" -module-name LockstepCore "${core_sources[@]}" \
        -emit-module -emit-module-path LockstepCore.swiftmodule -c -o core.o
    # The exports compile into the LockstepSimulation module (see the top of ArenaExports.swift).
    "$swiftc" "${swift_flags[@]}" -module-name LockstepSimulation -I . \
        "${simulation_sources[@]}" "$repo/tools/wasm/ArenaExports.swift" -c -o simulation.o
    "$bin/clang" --target=wasm32-unknown-unknown -O2 -nostdlib -fno-builtin -mbulk-memory \
        -fno-stack-protector -ffile-prefix-map="$repo=." -c "$repo/tools/wasm/runtime.c" -o runtime.o
)

exports=()
while read -r name; do exports+=("--export=$name"); done < <(grep -o '@_cdecl("[a-z_]*")' tools/wasm/ArenaExports.swift | sed 's/@_cdecl("\(.*\)")/\1/')
# The runtime's 128-bit helpers too, so that the Node tests check them against BigInt.
for name in __multi3 __divti3 __udivti3 __modti3 __umodti3 __ashlti3 __lshrti3; do exports+=("--export=$name"); done

"$bin/wasm-ld" --no-entry --strip-all --gc-sections -z stack-size=65536 \
    "${exports[@]}" "$work/core.o" "$work/simulation.o" "$work/runtime.o" -o "$work/arena.wasm"

if [ "$check" = 1 ]; then
    if ! cmp -s "$work/arena.wasm" "$committed"; then
        echo "Error: $committed differs from a fresh build of its sources ($(wc -c < "$work/arena.wasm") bytes built," \
            "$( [ -f "$committed" ] && wc -c < "$committed" || echo 0) committed) with $("$swiftc" --version 2>&1 | head -1)." >&2
        echo "Run tools/build-wasm.sh and commit $committed." >&2
        exit 1
    fi
    echo "$committed matches a fresh build ($(wc -c < "$committed") bytes)"
    exit 0
fi

mkdir -p "$(dirname "$output")"
cp "$work/arena.wasm" "$output"
chmod 644 "$output"
echo "wrote $output ($(wc -c < "$output") bytes)"
