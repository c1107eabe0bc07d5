#!/usr/bin/env bash
# websockets-e2e.sh - end-to-end test with a client no one here wrote: installs the PyPI
# `websockets` package into a virtualenv, starts `lockstep serve --echo` on a free loopback port,
# and runs tools/websockets_e2e.py against it (thousands of messages, 0 B to 1 MiB, text and
# binary, fragmented and not, pings in between, every echo verified). Exit 0 on success.
#
# Environment: E2E_VENV (default .venv-e2e in the repository), E2E_MESSAGES (default 3000).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${E2E_VENV:-$root/.venv-e2e}
cd "$root"

if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv" || { apt-get install -y python3-venv >/dev/null && python3 -m venv "$venv"; }
fi
"$venv/bin/python" -c 'import websockets' 2>/dev/null || "$venv/bin/pip" install --quiet 'websockets>=13'

swift build -c release --product lockstep
binary=$(swift build -c release --show-bin-path)/lockstep
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$root/.build/websockets-e2e-server.log
"$binary" serve --host 127.0.0.1 --port "$port" --echo --replays "$root/.build/websockets-e2e-replays" --log-level warning >"$log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

"$venv/bin/python" "$root/tools/websockets_e2e.py" "ws://127.0.0.1:$port/echo" --messages "${E2E_MESSAGES:-3000}"
