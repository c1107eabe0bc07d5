#!/usr/bin/env python3
"""Hostile-client memory probe: N WebSocket clients that send as fast as they can and never read.

Opens CLIENTS connections to ws://HOST:PORT/PATH, completes each handshake, then floods the
server for SECONDS (binary messages with --mode send, ping frames with --mode ping, the
pre-HELLO flood of /v1/play) without ever reading, while it samples the server's resident memory
(VmRSS of --pid) every 100 ms. Then it closes every connection, waits 2 s and samples again.

    .build/release/lockstep serve --echo --port 8090 &
    tools/never-reading-clients.py --pid $! --port 8090 --path /echo --mode send
    tools/never-reading-clients.py --pid $! --port 8090 --path /v1/play --mode ping

Prints one line: rss_before, rss_peak, rss_after (MiB) and how many connections the server
closed during the flood. Python 3 standard library only.
"""

import argparse
import base64
import os
import select
import socket
import struct
import time


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def handshake(host, port, path, subprotocol):
    sock = socket.create_connection((host, port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Sec-WebSocket-Protocol: {subprotocol}\r\n" if subprotocol else ""
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n")
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)  # byte by byte: read the 101 and nothing after it
        if not chunk:
            raise ConnectionError("closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(head.split(b"\r\n")[0].decode())
    sock.setblocking(False)
    return sock


def masked_frame(opcode, payload):
    mask = os.urandom(4)
    header = bytes([0x80 | opcode])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="the server's process id (for its RSS)")
    parser.add_argument("--path", default="/echo")
    parser.add_argument("--mode", choices=["send", "ping"], default="send")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=6.0)
    arguments = parser.parse_args()

    subprotocol = "lockstep.v1" if arguments.path.startswith("/v1/play") else None
    if arguments.mode == "ping":
        burst = masked_frame(0x9, b"p" * 125) * 512
    else:
        burst = masked_frame(0x2, b"x" * 4096) * 16

    before = rss_mib(arguments.pid)
    sockets = [handshake(arguments.host, arguments.port, arguments.path, subprotocol) for _ in range(arguments.clients)]
    live = set(sockets)
    peak = rss_mib(arguments.pid)
    deadline = time.monotonic() + arguments.seconds
    next_sample = time.monotonic()
    closed_by_server = 0
    while time.monotonic() < deadline and live:
        _, writable, _ = select.select([], list(live), [], 0.05)
        for sock in writable:
            try:
                sock.send(burst)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                live.discard(sock)
                closed_by_server += 1
        if time.monotonic() >= next_sample:
            peak = max(peak, rss_mib(arguments.pid))
            next_sample += 0.1
    peak = max(peak, rss_mib(arguments.pid))
    for sock in sockets:
        sock.close()
    time.sleep(2.0)
    after = rss_mib(arguments.pid)
    print(f"path={arguments.path} mode={arguments.mode} clients={arguments.clients} seconds={arguments.seconds} "
          f"rss_before_mib={before:.1f} rss_peak_mib={peak:.1f} rss_after_2s_mib={after:.1f} "
          f"closed_by_server={closed_by_server}")


if __name__ == "__main__":
    main()
