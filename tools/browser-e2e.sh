#!/usr/bin/env bash
# browser-e2e.sh - the pages of `lockstep serve` in a real browser: installs Debian's Chromium and
# Playwright from PyPI (into a virtualenv under the cache directory, driving the system Chromium:
# no browser download), starts `lockstep serve` on a free loopback port with a temporary replay
# directory holding one golden replay, and runs tools/browser_e2e.py against it (play under
# injected latency and jitter with a reload mid-match, watch, replays). Idempotent; exits non-zero
# on the first failure. Screenshots go to a temporary artifact directory whose path is printed.
#
# Environment: E2E_BUILD (release, the default, or debug), E2E_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/lockstep-ci), E2E_ARTIFACTS (default: a new temporary directory),
# E2E_UPDATE_IMAGES=1 also copies the screenshots to docs/images/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cache=${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lockstep-ci}
venv=$cache/browser-venv
mkdir -p "$cache"

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    chromium=$(command -v chromium)
fi
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv" || {
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"
    }
fi
"$venv/bin/python" -c 'import playwright.sync_api' 2>/dev/null || "$venv/bin/pip" install --quiet 'playwright>=1.40'

build=${E2E_BUILD:-release}
swift build -c "$build" --product lockstep
binary=$(swift build -c "$build" --show-bin-path)/lockstep

work=$(mktemp -d)
artifacts=${E2E_ARTIFACTS:-$(mktemp -d -t lockstep-browser-artifacts.XXXXXX)}
mkdir -p "$artifacts" "$work/replays"
cp Replays/duel-2p-short.lsr "$work/replays/golden-duel-2p-short.lsr"
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin_key=$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
"$binary" serve --host 127.0.0.1 --port "$port" --replays "$work/replays" --admin-key "$admin_key" --log-level warning \
    >"$work/server.out" 2>"$work/server.log" &
server=$!
cleanup() {
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

update=()
[[ ${E2E_UPDATE_IMAGES:-0} == 1 ]] && update=(--update-images "$root/docs/images")
status=0
timeout 300 "$venv/bin/python" "$root/tools/browser_e2e.py" --server "127.0.0.1:$port" --chromium "$chromium" \
    --admin-key "$admin_key" --lockstep "$binary" --replays "$work/replays" --golden golden-duel-2p-short --artifacts "$artifacts" \
    "${update[@]}" || status=$?
if [[ $status -ne 0 ]]; then
    echo "browser-e2e: server log (last 40 lines):" >&2
    tail -n 40 "$work/server.log" >&2 || true
fi
echo "browser-e2e: screenshots in $artifacts"
exit "$status"
