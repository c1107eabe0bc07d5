#!/usr/bin/env bash
# CI smoke run of the tick-latency benchmark: a few rooms for a few seconds against a server the
# bench starts itself. Checks only that it completes and writes valid JSON and an HTML report;
# the figures are not judged here (CI machines are shared: see docs/BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product lockstep
bin="$(swift build -c release --show-bin-path)/lockstep"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Bounded: ramp 0.5 s + warm-up 1 s + 3 s measured + start timeout 20 s + 15 s at most.
timeout 120 "$bin" bench --rooms 4 --players 4 --spectators 1 --ramp 0.5 --warmup 1 --duration 3 \
    --start-timeout 20 --quiet --json "$out/bench.json" --html "$out/bench.html"
python3 -m json.tool "$out/bench.json" > /dev/null
python3 - "$out/bench.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["schema"] == "lockstep.bench/1", report["schema"]
run = report["runs"][0]
assert run["connections"] == 20 and run["latency"]["count"] > 0, run
# Latency from the kernel's receive timestamps, the read time beside it, the stall witness's figures.
assert run["kernelTimestampedFraction"] > 0.99, run["kernelTimestampedFraction"]
assert run["readLatency"]["count"] == run["latency"]["count"], run["readLatency"]
assert run["machineStalls"]["cpus"] >= 1, run["machineStalls"]
print(f"bench smoke: {run['started']}/{run['connections']} connections playing, "
      f"{run['latency']['count']} frames measured, p50 {run['latency']['p50']} µs")
PY
grep -q "<svg" "$out/bench.html"
echo "bench smoke: JSON valid, HTML report written"
# The C floor beside it (tools/c-floor.sh): builds, plays and reports a figure.
floor="$(timeout 60 bash tools/c-floor.sh --rooms 4 --duration 1)"
echo "$floor"
echo "$floor" | grep -Eq 'connection_ticks [1-9][0-9]* .*us_per_connection_tick [0-9]+\.[0-9]+$'
echo "bench smoke: the C floor ran"

