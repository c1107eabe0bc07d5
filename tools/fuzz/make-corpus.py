#!/usr/bin/env python3
"""Writes the seed corpora of Lockstep's fuzz targets into OUTDIR/<Target>/.

Seeds come from the repository: the worked examples of docs/PROTOCOL.md (every hex block, each
message with the mode byte its target expects), the join token of that example, the golden
replays under Replays/ (whole, with checksums fixed up, and cut short), and a few requests, frames
and JSON bodies written here after the documents. Usage: make-corpus.py REPO OUTDIR
"""
import base64
import hashlib
import json
import os
import re
import struct
import sys

repo, out = sys.argv[1], sys.argv[2]


def seed(target, name, data):
    directory = os.path.join(out, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


# --- protocol: every hex block of docs/PROTOCOL.md that starts with a message type.
protocol = open(os.path.join(repo, "docs/PROTOCOL.md"), encoding="utf-8").read()
count = 0
for block in re.findall(r"```\n(.*?)```", protocol, re.S):
    message = []
    for line in block.splitlines() + [""]:
        if re.fullmatch(r"([0-9a-f]{2} ?)+", line.strip()):
            message += [int(b, 16) for b in line.split()]
            continue
        if message:
            mode = 1 if message[0] >= 0x80 else 0  # the target's first byte: 0 client, 1 server
            seed("FuzzProtocol", "doc-%02d" % count, bytes([mode] + message))
            count += 1
            message = []
# A FRAME_BATCH of two frames and an EVENT desync, built after the tables.
seed("FuzzProtocol", "batch", bytes([1, 0x83, 2, 0]) + bytes([5, 0, 0, 0, 1, 0, 1, 0, 7]) + bytes([6, 0, 0, 0, 1, 3, 0, 0]))
seed("FuzzProtocol", "desync", bytes([1, 0x85, 5, 9, 0, 0, 0, 1, 8, 0, 0, 0]) + bytes(16) + b"majority 1 of 2")

# --- join tokens: the worked example's token (mode 0) and its claims (mode 1, signed by the target).
tokens = re.findall(r"\n([A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,})\n", protocol)
for index, token in enumerate(tokens):
    seed("FuzzJoinToken", "token-%d" % index, b"\x00" + token.encode())
    claims = token.split(".")[0]
    seed("FuzzJoinToken", "claims-%d" % index, b"\x01" + base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
spectator = bytes([1, 1, 0xFF]) + struct.pack("<Q", 1 << 40) + bytes([4]) + b"room" + bytes([0])
seed("FuzzJoinToken", "claims-spectator", b"\x01" + spectator)

# --- HTTP: the requests the server answers, whole and pipelined (first byte: read size).
key = base64.b64encode(hashlib.sha1(b"fuzz").digest()[:16]).decode()
upgrade = ("GET /v1/play?room=room-1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: lockstep.v1\r\n"
           "Origin: http://example.com\r\n\r\n" % key)
body = '{"players":2,"tickRate":30,"seed":42}'
create = ("POST /v1/rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\n"
          "Content-Length: %d\r\n\r\n%s" % (len(body), body))
listing = "GET /v1/rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n\r\n"
end = "POST /v1/rooms/room-1/end HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
for size in range(0, 12, 3):
    seed("FuzzHTTP", "upgrade-%d" % size, bytes([size]) + upgrade.encode())
seed("FuzzHTTP", "pipelined", bytes([5]) + (create + listing + end + "GET /metrics HTTP/1.1\r\n\r\n").encode())
seed("FuzzHTTP", "percent", bytes([1]) + b"GET /v1/rooms/a%20b?room=%2F%zz+x&x HTTP/1.1\r\nHost: y\r\n\r\n")

# --- WebSocket: first byte role/limits (bit 0: client role), second byte read size.
def frame(opcode, payload, fin=True, mask=None):
    head = bytes([(0x80 if fin else 0) | opcode])
    length = len(payload)
    maskbit = 0x80 if mask is not None else 0
    if length < 126:
        head += bytes([maskbit | length])
    elif length < 65536:
        head += bytes([maskbit | 126]) + struct.pack(">H", length)
    else:
        head += bytes([maskbit | 127]) + struct.pack(">Q", length)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

m = b"\x37\xfa\x21\x3d"
server_stream = (frame(1, "héllo ✓".encode(), mask=m) + frame(2, bytes(range(200)), mask=m) + frame(9, b"ping", mask=m)
                 + frame(1, b"frag", fin=False, mask=m) + frame(0, "mént €".encode(), mask=m) + frame(8, struct.pack(">H", 1000) + b"bye", mask=m))
client_stream = (frame(1, "héllo ✓".encode()) + frame(2, bytes(300)) + frame(10, b"pong") + frame(2, b"a", fin=False)
                 + frame(0, b"b") + frame(8, struct.pack(">H", 1001)))
for read in (0, 4, 7, 11):
    seed("FuzzWebSocket", "server-%d" % read, bytes([0, read]) + server_stream)
    seed("FuzzWebSocket", "client-%d" % read, bytes([1, read]) + client_stream)
seed("FuzzWebSocket", "server-small-limits", bytes([6, 3]) + server_stream)
seed("FuzzWebSocket", "utf8-edges", bytes([1, 1]) + frame(1, "\u0080\u07ff\u0800\uffff\U00010000\U0010ffff".encode()))

# --- replays: the golden files (mode bit 0: fix checksums; bit 1: recover), whole and cut short.
replays = os.path.join(repo, "Replays")
for name in sorted(os.listdir(replays)):
    # The golden replays only: Replays/live (a server's default replay directory) may exist too.
    if not name.endswith(".lsr") or not os.path.isfile(os.path.join(replays, name)):
        continue
    data = open(os.path.join(replays, name), "rb").read()
    stem = name.rsplit(".", 1)[0]
    if len(data) <= 32 * 1024:
        for mode in range(4):
            seed("FuzzReplay", "%s-mode%d" % (stem, mode), bytes([mode]) + data)
    for cut in (600, 4096):
        seed("FuzzReplay", "%s-first%d" % (stem, cut), bytes([3]) + data[:cut])

# A small complete replay written here after docs/REPLAY_FORMAT.md: 2 players, 4 frames (a repeat
# entry, a same-payload flag), a checkpoint, an event and the footer; in every mode.
import zlib


def record(kind, body):
    head = bytes([kind]) + struct.pack("<I", len(body)) + body
    return head + struct.pack("<I", zlib.crc32(head))


def str8(text):
    return bytes([len(text)]) + text.encode()


header = (str8("lockstep.arena") + struct.pack("<HHHQHIQ", 1, 30, 2, 7, 32, 2, 0) + str8("room-1") + bytes([2])
          + bytes([0]) + str8("alice") + bytes([1]) + str8("bob"))
frames = (struct.pack("<II", 0, 4) + bytes([1, 0, 5]) + bytes([0, 0, 0, 1, 2]) + bytes([1, 2]) + b"\x00\x01"
          + bytes([0, 2]) + bytes([1, 0x04, 0x01, 0]))
small = b"LSREPLAY" + struct.pack("<HH", 1, 0) + record(1, header) + record(2, frames)
small += record(3, struct.pack("<IQ", 1, 0x1234)) + record(4, struct.pack("<IBBH", 0, 6, 0xFF, 2) + b"go")
small += record(5, struct.pack("<IQI", 4, 0, zlib.crc32(small)))
for mode in range(4):
    seed("FuzzReplay", "small-complete-mode%d" % mode, bytes([mode]) + small)

# --- admin JSON: the create-room bodies the documents show, and the edges of each field.
for index, body in enumerate([
    {}, {"players": 2, "tickRate": 30, "seed": 42},
    {"players": 4, "tickRate": 60, "inputDelay": 3, "leadWindow": 16, "lateWindow": 4, "latePolicy": "next-open-tick",
     "missingPolicy": "neutral", "payloadLimit": 64, "maxDurationSeconds": 600, "hashInterval": 30, "desyncPolicy": "drop",
     "spectatorDelay": 90, "minPlayers": 2, "startTimeoutSeconds": 30, "abandonTimeoutSeconds": 60, "rollbackTicks": 600,
     "playerIDs": ["a", "b", "c", "d"], "roomID": "room-1"},
    {"simulation": "studio.game", "simulationVersion": 3, "players": 6, "seed": "18446744073709551615"},
    {"players": 2, "maxTicks": 100, "seed": 0, "playerIDs": ["x", "y"]},
]):
    seed("FuzzAdminJSON", "body-%d" % index, json.dumps(body))

# --- config files: the example of docs/OPERATIONS.md and every value type.
operations = open(os.path.join(repo, "docs/OPERATIONS.md"), encoding="utf-8").read()
for index, line in enumerate(re.findall(r"^\{.*\}$", operations, re.M)):
    seed("FuzzConfigFile", "doc-%d" % index, line)
seed("FuzzConfigFile", "types", json.dumps({"port": 9000, "echo": True, "allowed-origins": ["http://a", "http://b"], "x": 1.5}))
# --- dictionaries (libFuzzer -dict): the JSON targets' field names and the numbers at their edges,
# so mutations make whole tokens instead of stumbling on them a byte at a time.
fields = ["players", "tickRate", "inputDelay", "leadWindow", "lateWindow", "latePolicy", "missingPolicy", "payloadLimit",
          "simulation", "simulationVersion", "seed", "maxTicks", "maxDurationSeconds", "hashInterval", "desyncPolicy",
          "spectatorDelay", "minPlayers", "startTimeoutSeconds", "abandonTimeoutSeconds", "rollbackTicks", "playerIDs",
          "roomID", "port", "host", "replays", "admin-key", "max-rooms", "echo", "allowed-origins", "replay-fsync-ms"]
tokens = ['"%s"' % f for f in fields] + ["-1", "-", "0", "1", "64", "65", "-9223372036854775808", "9223372036854775807",
                                         "18446744073709551616", "1e308", "0.5", "true", "false", "null", "[", "]", "{", "}", ":", ","]
for target in ("FuzzAdminJSON", "FuzzConfigFile"):
    with open(os.path.join(out, target + ".dict"), "w") as f:
        for token in tokens:
            f.write(json.dumps(token) + "\n")
print(out)
