#!/usr/bin/env bash
# tls-proxy-e2e.sh - docs/OPERATIONS.md's "Behind a TLS proxy" configurations, run for real: a
# self-signed certificate for 127.0.0.1, `lockstep serve --echo` on a free loopback port, then
# nginx (the document's `location /` and admin blocks, verbatim) and Caddy (the document's site
# block, with the test certificate) in front of it. Through each proxy: wss:// carries the PyPI
# `websockets` echo test (tools/websockets_e2e.py), https:// answers /healthz, and the admin API
# is refused (403). Exit 0 on success.
#
# Environment: LOCKSTEP_BIN (default: the release build, built if needed), E2E_VENV (default
# .venv-e2e in the repository), TLS_E2E_MESSAGES (default 600).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${E2E_VENV:-$root/.venv-e2e}
cd "$root"

missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v caddy >/dev/null || missing+=(caddy)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    # Installed to be run by hand here, not as services: no package may start a daemon (nginx's
    # would take port 80), so policy-rc.d refuses for the install's duration if nothing else does.
    policy=/usr/sbin/policy-rc.d
    own_policy=false
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=true
    fi
    status=0
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } || status=$?
    if $own_policy; then rm -f "$policy"; fi
    ((status == 0)) || exit "$status"
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv" || { apt-get install -y python3-venv >/dev/null && python3 -m venv "$venv"; }
fi
"$venv/bin/python" -c 'import websockets' 2>/dev/null || "$venv/bin/pip" install --quiet 'websockets>=13'

binary=${LOCKSTEP_BIN:-}
if [[ -z $binary ]]; then
    swift build -c release --product lockstep
    binary=$(swift build -c release --show-bin-path)/lockstep
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits until something accepts TCP connections on 127.0.0.1:$1 (10 s at most).
wait_port() {
    "$venv/bin/python" - "$1" <<'EOF'
import socket, sys, time
deadline = time.monotonic() + 10
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"nothing listens on port {sys.argv[1]}")
        time.sleep(0.05)
EOF
}
# The lines of the first ``` block after the line matching $1 in docs/OPERATIONS.md.
doc_block() { awk -v start="$1" 'found == 0 && index($0, start) { found = 1; next } found == 1 && /^```/ { found = 2; next } found == 2 && /^```/ { exit } found == 2' docs/OPERATIONS.md; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

backend=$(free_port)
"$binary" serve --host 127.0.0.1 --port "$backend" --echo --replays "$work/replays" --admin-key tls-e2e --log-level warning >"$work/server.log" 2>&1 &
pids+=($!)
wait_port "$backend"

# nginx: the document's server block, with this run's ports, certificate and temp folders.
nginx_port=$(free_port)
mkdir -p "$work/nginx"
{
    echo "pid $work/nginx/nginx.pid; error_log $work/nginx/error.log; daemon off;"
    echo "events {}"
    echo "http {"
    echo "  access_log off; client_body_temp_path $work/nginx; proxy_temp_path $work/nginx;"
    echo "  fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;"
    doc_block "nginx (the WebSocket upgrade" |
        sed -e "s|listen 443 ssl;|listen 127.0.0.1:$nginx_port ssl;|" \
            -e "s|/etc/ssl/play.example.com.crt|$work/cert.pem|" -e "s|/etc/ssl/play.example.com.key|$work/key.pem|" \
            -e "s|127.0.0.1:8080|127.0.0.1:$backend|"
    echo "}"
} >"$work/nginx.conf"
grep -q "proxy_set_header Upgrade" "$work/nginx.conf" || { echo "tls-proxy-e2e: no nginx block found in docs/OPERATIONS.md"; exit 1; }
"$nginx" -c "$work/nginx.conf" -p "$work/nginx" 2>>"$work/nginx/error.log" &
pids+=($!)
wait_port "$nginx_port"

# Caddy: the document's site block, this run's address and the test certificate instead of ACME.
caddy_port=$(free_port)
{
    echo "{"
    echo "  admin off"
    echo "}"
    doc_block "Caddy (certificates" |
        sed -e "s|^play.example.com {|https://127.0.0.1:$caddy_port {\n    tls $work/cert.pem $work/key.pem|" \
            -e "s|127.0.0.1:8080|127.0.0.1:$backend|"
} >"$work/Caddyfile"
grep -q "reverse_proxy" "$work/Caddyfile" || { echo "tls-proxy-e2e: no Caddy block found in docs/OPERATIONS.md"; exit 1; }
HOME=$work XDG_DATA_HOME=$work XDG_CONFIG_HOME=$work caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=($!)
wait_port "$caddy_port"

for proxy in "nginx:$nginx_port" "caddy:$caddy_port"; do
    name=${proxy%%:*}
    port=${proxy##*:}
    health=$(curl -sS --cacert "$work/cert.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/healthz")
    # (A GET: the backend would answer it 200 with the key; a body refused unread is a stream
    # reset some HTTP/2 clients report as an error.)
    admin=$(curl -sS --cacert "$work/cert.pem" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer tls-e2e" \
        "https://127.0.0.1:$port/v1/rooms")
    echo "tls-proxy-e2e: $name: https /healthz $health, admin API through the proxy $admin"
    [[ $health == 200 && $admin == 403 ]] || { cat "$work/server.log" "$work/nginx/error.log" "$work/caddy.log" 2>/dev/null | tail -40; exit 1; }
    "$venv/bin/python" "$root/tools/websockets_e2e.py" "wss://127.0.0.1:$port/echo" --cafile "$work/cert.pem" \
        --messages "${TLS_E2E_MESSAGES:-600}" --connections 2
done
echo "tls-proxy-e2e: wss:// and https:// through nginx and Caddy as docs/OPERATIONS.md configures them"
