"""End-to-end echo test of `lockstep serve --echo` with the PyPI `websockets` client.

Exchanges thousands of messages of 0 B to 1 MiB over several connections: text and binary,
whole and fragmented, with pings in between; verifies every echo byte for byte. Seeded, so a
failure can be replayed. Exit status 0 on success, 1 on the first mismatch or error.
"""
import argparse
import random
import ssl
import sys
import threading

from websockets.sync.client import connect

SIZES = [0, 1, 2, 125, 126, 127, 1000, 65535, 65536, 65537, 1 << 20]


def payload(rng, size, text):
    if text:
        # Mix one- to four-byte UTF-8 characters; trim to at most `size` bytes on a character boundary.
        alphabet = "aé€𝄞 κόσμε"
        chars = "".join(rng.choice(alphabet) for _ in range(size))
        data = chars.encode()[:size]
        return data.decode("utf-8", errors="ignore")
    return rng.randbytes(size)


def fragments(message, rng):
    step = max(1, len(message) // rng.randint(2, 8)) if len(message) > 1 else 1
    return [message[i:i + step] for i in range(0, len(message), step)] or [message]


def run_connection(url, index, count, seed, failures, counts, tls=None):
    rng = random.Random(seed + index)
    compression = "deflate" if index % 2 == 0 else None  # the server must decline the offer cleanly
    try:
        with connect(url, max_size=2 << 20, compression=compression, open_timeout=10, close_timeout=10, ssl=tls) as ws:
            for n in range(count):
                size = SIZES[n % len(SIZES)] if n < len(SIZES) * 2 else rng.choice(
                    [rng.randint(0, 200), rng.randint(0, 4096), rng.randint(0, 70000)] + ([1 << 20] if n % 200 == 0 else []))
                text = rng.random() < 0.5
                message = payload(rng, size, text)
                if rng.random() < 0.3 and len(message) > 1:
                    ws.send(fragments(message, rng))
                else:
                    ws.send(message)
                if n % 50 == 0:
                    pong = ws.ping(rng.randbytes(rng.randint(0, 125)))
                    if not pong.wait(10):
                        raise RuntimeError("no pong within 10 s")
                echo = ws.recv(timeout=30)
                if echo != message or type(echo) is not type(message):
                    raise RuntimeError(f"message {n}: echo differs (sent {len(message)} {type(message).__name__}, "
                                       f"got {len(echo)} {type(echo).__name__})")
                counts[index] += 1
    except Exception as error:  # noqa: BLE001 - report any failure with its connection
        failures.append(f"connection {index}: {error!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seed", type=int, default=6455)
    parser.add_argument("--cafile", help="for a wss:// URL: the certificate authority to trust (a TLS proxy's)")
    args = parser.parse_args()
    tls = ssl.create_default_context(cafile=args.cafile) if args.url.startswith("wss://") else None
    per_connection = max(1, args.messages // args.connections)
    failures, counts = [], [0] * args.connections
    threads = [threading.Thread(target=run_connection, args=(args.url, i, per_connection, args.seed, failures, counts, tls))
               for i in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"websockets-e2e: {sum(counts)} messages echoed and verified over {args.connections} connections, "
          f"{len(failures)} failures")
    for failure in failures:
        print("  " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
