#!/usr/bin/env bash
# Compares the server CPU of two `lockstep` executables (or two settings of one) on a host whose
# speed drifts: the runs alternate A, B, A, B… and each round also runs the C floor of serve's
# schedule (tools/c-floor.sh), so a drift shows in the floor too. Prints every run, then the
# medians of µs per connection-tick, each side's median ratio to the floor of its round, and the
# medians of the runs' p50 and p99 latency.
#
#   bash tools/bench-ab.sh [--rounds N] [--rooms R] A B
#
# A and B are each a path to a `lockstep` executable, optionally followed by `--server-arg`s after
# a colon: `.build/release/lockstep` or `/tmp/old/lockstep:--tick-window-us=300`. Each run is
# `lockstep bench --rooms R --players 4 --rate 30 --server-loops 1 --client-loops 1 --ramp 2
# --warmup 3 --duration 5 --wait-quiet 60 --retry-busy 2` (docs/BENCHMARKS.md). Defaults: 5
# rounds of 250 rooms: about 5 minutes. Runs of other work on the host at the same time make the
# comparison meaningless.
set -euo pipefail
rounds=5 rooms=250
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --rooms) rooms=$2; shift 2 ;;
        -*) echo "bench-ab.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ $# -ne 2 ]; then echo "usage: bash tools/bench-ab.sh [--rounds N] [--rooms R] A B" >&2; exit 2; fi
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run_side() {  # $1 = label, $2 = spec (path[:args]); appends "label cpu steal p50 p99" to results
    local path="${2%%:*}" extra=() json="$work/run.json"
    if [ "$path" != "$2" ]; then
        IFS=' ' read -r -a args <<< "${2#*:}"
        for arg in "${args[@]}"; do extra+=(--server-arg "$arg"); done
    fi
    "$path" bench --rooms "$rooms" --players 4 --rate 30 --server-loops 1 --client-loops 1 --ramp 2 \
        --warmup 3 --duration 5 --wait-quiet 60 --retry-busy 2 --quiet --json "$json" "${extra[@]}" > /dev/null 2>&1 || true
    python3 - "$json" "$1" >> "$work/results" <<'PY'
import json, sys
try:
    run = json.load(open(sys.argv[1]))["runs"][-1]
except (OSError, ValueError, KeyError, IndexError):
    sys.exit(0)
print(sys.argv[2], f"{run['server']['cpuPerConnectionTickMicros']:.2f}", f"{run.get('stealPercent', 0):.1f}",
      f"{run['latency']['p50']:.0f}", f"{run['latency']['p99']:.0f}")
PY
}

for round in $(seq "$rounds"); do
    run_side "A$round" "$1"
    run_side "B$round" "$2"
    floor="$(bash "$here/c-floor.sh" --rooms "$rooms" | sed -n 's/.*us_per_connection_tick \([0-9.]*\).*/\1/p')"
    echo "F$round $floor 0 0 0" >> "$work/results"
    tail -3 "$work/results" | awk '/^F/ {printf "%-4s %6s µs/conn-tick  (the C floor)\n", $1, $2; next}
        {printf "%-4s %6s µs/conn-tick  steal %5s %%  p50 %5s µs  p99 %6s µs\n", $1, $2, $3, $4, $5}'
done
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
floors = {row[0][1:]: float(row[1]) for row in rows if row[0][0] == "F" and row[1]}
for side in "AB":
    cpu = [float(r[1]) for r in rows if r[0][0] == side]
    ratios = [float(r[1]) / floors[r[0][1:]] for r in rows if r[0][0] == side and r[0][1:] in floors]
    if not cpu:
        continue
    ratio = f", median ratio to the C floor {statistics.median(ratios):.2f}" if ratios else ""
    p50 = statistics.median(float(r[3]) for r in rows if r[0][0] == side)
    p99 = statistics.median(float(r[4]) for r in rows if r[0][0] == side)
    print(f"{side}: median {statistics.median(cpu):.2f} µs/conn-tick over {len(cpu)} runs{ratio}; "
          f"median p50 {p50:.0f} µs, p99 {p99:.0f} µs")
if floors:
    print(f"C floor (serve's schedule): median {statistics.median(floors.values()):.2f} µs/conn-tick")
PY
