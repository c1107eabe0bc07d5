#!/usr/bin/env bash
# The C epoll floor (tools/c-floor/cfloor.c): a server that makes only the system calls a
# lockstep server must (one recv per input, one send per frame, epoll), against a client that
# answers every frame with an input, on loopback. Prints the server's CPU time per
# connection-tick, to set beside `lockstep bench`'s `µs/conn-tick` measured on the same host at
# the same time (docs/BENCHMARKS.md, "The C floor beside the server").
#
#   bash tools/c-floor.sh [--rooms N] [--players P] [--rate HZ] [--schedule aligned|spread]
#                         [--window-us US] [--batch-us US] [--duration S] [--port PORT]
#
# Defaults: 250 rooms x 4 players at 30 Hz, `spread` with a 200 µs tick window and a 500 µs batch
# window (lockstep serve's default schedule), 5 measured seconds after 2 of warm-up.
set -euo pipefail
rooms=250 players=4 rate=30 schedule=spread window=200 batch=500 duration=5 port=0
while [ $# -gt 0 ]; do
    case "$1" in
        --rooms) rooms=$2; shift 2 ;;
        --players) players=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --schedule) schedule=$2; shift 2 ;;
        --window-us) window=$2; shift 2 ;;
        --batch-us) batch=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        *) echo "c-floor.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'kill "${server_pid:-}" "${client_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
# Any C compiler: the system's, or the clang that ships with the Swift toolchain.
compiler="${CC:-$(command -v cc || command -v clang || true)}"
if [ -z "$compiler" ]; then echo "c-floor.sh: no C compiler (cc or clang) on PATH" >&2; exit 1; fi
"$compiler" -O2 -Wall -Wextra -o "$work/cfloor" "$here/c-floor/cfloor.c"
if [ "$port" = 0 ]; then port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); fi
"$work/cfloor" server "$port" "$rooms" "$players" "$rate" "$schedule" "$window" "$batch" "$duration" > "$work/server.out" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.05; done
"$work/cfloor" client "$port" $((rooms * players)) &
client_pid=$!
wait "$server_pid"
grep -v listening "$work/server.out"
