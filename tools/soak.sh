#!/usr/bin/env bash
# Soak run of `lockstep serve`: half of the 2 ms-budget load (125 rooms × 4 players + 1 spectator
# per room, in waves that start and end rooms continuously) plus bot matches with reconnects, for
# DURATION; RSS, descriptors, rooms and the p99 tick latency sampled every INTERVAL into
# OUT/soak.json and OUT/soak.html. Fails when, after warm-up, RSS or descriptors leave their
# band or p99 drifts (see tools/soak.py for the bands).
#
#   tools/soak.sh [DURATION_S] [OUT_DIR] [soak.py options: --interval S --rooms N]
#   tools/soak.sh 3600                     # the one-hour run (samples every minute)
#   tools/soak.sh 120 "" --interval 10     # CI's two-minute version
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-3600}"
out="${2:-}"
shift 2 || shift $# || true
[ -n "$out" ] || out="$(mktemp -d /tmp/lockstep-soak-XXXXXX)"
swift build -c release --product lockstep 2>&1 | grep -E 'error|warning: unre|Compiling|Build complete' | tail -3 || true
bin="$(swift build -c release --show-bin-path)/lockstep"
# Each bench wave and bot match opens hundreds of sockets: make sure the limit allows it.
ulimit -n 65536 2>/dev/null || true
python3 tools/soak.py "$bin" "$duration" "$out" "$@"
