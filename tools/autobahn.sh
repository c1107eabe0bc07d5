#!/usr/bin/env bash
# autobahn.sh - build `lockstep` (release), serve the echo endpoint on a free loopback port, run the
# Autobahn|Testsuite fuzzing client against ws://127.0.0.1:PORT/echo, stop the server.
# Exit status: the runner's (0 = no failed case, 1 = failed cases, 2 = no report), 3 = setup error.
#
# Environment:
#   LOCKSTEP_SHARED   the shared/ folder (default: ../shared beside the repository)
#   AUTOBAHN_VENV     virtualenv for the suite (default: .venv-autobahn in the repository)
#   AUTOBAHN_REPORT   report folder (default: .build/autobahn-report)
#   AUTOBAHN_CASES, AUTOBAHN_EXCLUDE, AUTOBAHN_TIMEOUT are passed to the runner
#   (default exclusion: 12.*,13.*, the compression cases, which report UNIMPLEMENTED anyway).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${LOCKSTEP_SHARED:-$root/../shared}
venv=${AUTOBAHN_VENV:-$root/.venv-autobahn}
report=${AUTOBAHN_REPORT:-$root/.build/autobahn-report}
export AUTOBAHN_EXCLUDE=${AUTOBAHN_EXCLUDE-12.*,13.*}
runner=$shared/tools/autobahn/run-autobahn.sh
[[ -f $runner ]] || { echo "autobahn.sh: no runner at $runner (set LOCKSTEP_SHARED)" >&2; exit 3; }

cd "$root"
swift build -c release --product lockstep
binary=$(swift build -c release --show-bin-path)/lockstep
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$report"
"$binary" serve --host 127.0.0.1 --port "$port" --echo --replays "$report/replays" --log-level warning >"$report/server.log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done

status=0
bash "$runner" "$venv" "ws://127.0.0.1:$port/echo" "$report" || status=$?
if ! kill -0 "$server" 2>/dev/null; then
    echo "autobahn.sh: the server exited during the run; see $report/server.log" >&2
    status=1
fi
exit "$status"
