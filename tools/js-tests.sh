#!/usr/bin/env bash
# js-tests.sh - the JavaScript tests: `node --test Tests/JavaScript/` (the browser client library's
# codec against docs/PROTOCOL.md, its core against a scripted fake server with fake time, and end
# to end against a real `lockstep serve`). Installs Node.js from Debian when it is missing; uses
# the release `lockstep` binary (built here if CI has not built it yet). Exit 0 on success.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if ! command -v node >/dev/null; then
    apt-get update >/dev/null && apt-get install -y nodejs >/dev/null
fi
node --version

swift build -c release --product lockstep
export LOCKSTEP_BINARY="$(swift build -c release --show-bin-path)/lockstep"
# Node 20 has a WebSocket (undici's, as browsers' behave) behind a flag: the example test plays over it.
flags=()
if node --experimental-websocket -e 0 2>/dev/null; then flags+=(--experimental-websocket); fi
node "${flags[@]}" --test Tests/JavaScript/
