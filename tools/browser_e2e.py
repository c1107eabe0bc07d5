"""The pages of `lockstep serve` end to end in headless Chromium (driven by Playwright).

1. Play: the play page makes a quick match against 3 server bots through a loopback TCP proxy
   that delays every byte in both directions (one-way latency plus uniform jitter, order kept:
   RTT about 2 x --latency-ms), plays scripted inputs through the page's test hook
   (window.__lockstepTest), is reloaded mid-match and resumes from its sessionStorage, and
   plays on until the test ends the match through the admin API (a quick match has no tick
   limit of its own shorter than 30 minutes); its final confirmed hash must equal the one
   `lockstep replay verify` prints for the room's replay, over every tick of the match.
2. Watch: while that match runs, the watch page spectates it; two screenshots of its canvas
   taken apart must differ.
3. Replays: the replays page opens a golden replay from the server's replay directory and must
   reach "verified", with the final hash the CLI prints for the same file.

A screenshot of each page is written to --artifacts (and with --update-images to docs/images/).
Every wait is bounded. Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import asyncio
import json
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright


class LatencyProxy:
    """A loopback TCP proxy that delays every chunk by one-way latency + uniform jitter, in order."""

    def __init__(self, target_host, target_port, one_way_ms, jitter_ms, seed):
        self.target = (target_host, target_port)
        self.one_way = one_way_ms / 1000
        self.jitter = jitter_ms / 1000
        self.random = random.Random(seed)
        self.loop = asyncio.new_event_loop()
        self.port = None
        self.connections = 0

    def start(self):
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(asyncio.start_server(self.accept, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("the latency proxy did not start")
        return self.port

    async def accept(self, client_reader, client_writer):
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self.pipe(client_reader, server_writer), self.pipe(server_reader, client_writer))

    async def pipe(self, reader, writer):
        queue = asyncio.Queue()

        async def deliver():
            while True:
                due, data = await queue.get()
                delay = due - self.loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if data is None:
                    break
                try:
                    writer.write(data)
                    await writer.drain()
                except (ConnectionError, OSError):
                    break
            try:
                writer.close()
            except (ConnectionError, OSError):
                pass

        sender = asyncio.ensure_future(deliver())
        last_due = 0.0
        while True:
            try:
                data = await reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            due = max(last_due, self.loop.time() + self.one_way + self.random.uniform(0, self.jitter))
            last_due = due
            await queue.put((due, data or None))
            if not data:
                break
        await sender


class Check:
    def __init__(self):
        self.failures = []

    def that(self, condition, message):
        print(("ok   " if condition else "FAIL ") + message, flush=True)
        if not condition:
            self.failures.append(message)
        return condition


def hook_state(page):
    return page.evaluate("() => window.__lockstepTest && window.__lockstepTest.state()")


def wait_state(page, predicate_js, timeout_s, what):
    """Waits (bounded) until `predicate_js(state)` holds on the page's test hook."""
    page.wait_for_function(
        f"() => {{ const t = window.__lockstepTest; if (!t) return false; const s = t.state(); return ({predicate_js})(s); }}",
        timeout=timeout_s * 1000, polling=100)
    state = hook_state(page)
    print(f"     {what}: {json.dumps(state, sort_keys=True)}", flush=True)
    return state


def cli_verify(lockstep, path, timeout_s=20):
    """`lockstep replay verify --json FILE`, retried until the file is complete (bounded)."""
    deadline = time.monotonic() + timeout_s
    while True:
        run = subprocess.run([lockstep, "replay", "verify", "--json", str(path)], capture_output=True, text=True)
        line = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "{}"
        result = json.loads(line)
        if result.get("status") == "ok" or time.monotonic() > deadline:
            print(f"     lockstep replay verify --json {path.name}: {line}", flush=True)
            return result
        time.sleep(0.25)


def end_match(base, admin_key, room):
    """POST /v1/rooms/ROOM/end with the admin key, straight to the server."""
    request = urllib.request.Request(f"{base}/v1/rooms/{room}/end", data=b"", method="POST",
                                     headers={"Authorization": f"Bearer {admin_key}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        print(f"     POST /v1/rooms/{room}/end: {answer.status} {answer.read().decode().strip()}", flush=True)


def scripted_inputs(seed, count):
    """Seeded arena inputs [moveX, moveY, aim, fire] the page plays in a loop, one per tick."""
    rng = random.Random(seed)
    inputs, move, aim = [], (0, 0), 0
    for tick in range(count):
        if tick % 15 == 0:
            move = (rng.choice([-127, 0, 127]), rng.choice([-127, 0, 127]))
        aim = (aim + rng.randint(-2000, 2000)) & 0xFFFF
        inputs.append([move[0], move[1], aim, tick % 10 < 3])
    return inputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True, help="HOST:PORT of lockstep serve")
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--admin-key", required=True, help="the server's admin key (ends the match)")
    parser.add_argument("--lockstep", required=True, help="the lockstep executable (replay verify)")
    parser.add_argument("--replays", required=True, type=Path, help="the server's replay directory")
    parser.add_argument("--golden", required=True, help="id of a golden replay in --replays")
    parser.add_argument("--artifacts", required=True, type=Path)
    parser.add_argument("--update-images", type=Path)
    parser.add_argument("--bots", type=int, default=3)
    parser.add_argument("--match-ticks", type=int, default=600, help="the test ends the match after about this many ticks")
    parser.add_argument("--latency-ms", type=float, default=30, help="one-way delay of the proxy")
    parser.add_argument("--jitter-ms", type=float, default=20, help="extra one-way delay, uniform 0 to this")
    args = parser.parse_args()
    check = Check()
    host, port = args.server.rsplit(":", 1)
    proxy = LatencyProxy(host, int(port), args.latency_ms, args.jitter_ms, seed=12)
    base = f"http://127.0.0.1:{proxy.start()}"
    direct = f"http://{args.server}"
    print(f"     pages through the latency proxy {base} -> {direct} "
          f"(one-way {args.latency_ms} ms + 0..{args.jitter_ms} ms jitter)", flush=True)
    args.artifacts.mkdir(parents=True, exist_ok=True)
    shots = {}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        errors = []

        def new_page():
            context = browser.new_context(viewport={"width": 1180, "height": 860})
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
            page.on("console", lambda m: print(f"     [console {m.type}] {m.text}", flush=True)
                    if m.type in ("error", "warning") else None)
            return page

        # 1. Play, with a reload mid-match.
        play = new_page()
        inputs = scripted_inputs(7, 240)
        play.goto(f"{base}/play.html")
        play.wait_for_function("() => window.__lockstepTest && window.__lockstepTest.ready", timeout=20_000)
        play.evaluate("inputs => window.__lockstepTest.setInputs(inputs)", inputs)
        play.evaluate("options => window.__lockstepTest.start(options)", {"bots": args.bots})
        first = wait_state(play, "s => s.status === 'running' && s.tick >= 150", 40, "playing")
        room = first["room"]
        check.that(first["slot"] == 0 and first["players"] == args.bots + 1,
                   f"the play page is slot 0 of {args.bots + 1} players")
        check.that(first["rtt"] is not None and first["rtt"] >= args.latency_ms,
                   f"the page measures the injected round trip (rtt {first['rtt']} ms)")
        shots["play"] = args.artifacts / "play.png"
        play.screenshot(path=shots["play"])

        # 2. Watch the same match.
        watch = new_page()
        watch.goto(f"{base}/watch.html")
        watch.wait_for_selector(f"[data-room='{room}']", timeout=20_000)
        watch.click(f"[data-room='{room}']")
        wait_state(watch, "s => s.status === 'watching' && s.tick > 0", 30, "watching")
        canvas = watch.locator("canvas")
        one = canvas.screenshot()
        watch.wait_for_timeout(500)
        two = canvas.screenshot()
        check.that(one != two, "the watch page's canvas changes between two screenshots 0.5 s apart")
        shots["watch"] = args.artifacts / "watch.png"
        watch.screenshot(path=shots["watch"])
        # The render clock, sampled at every animation frame for 1.5 s: it only moves forward, at about
        # the tick rate (the figures are printed, not judged: CI machines are shared).
        samples = watch.evaluate("""() => new Promise((resolve) => {
            const out = []; const start = performance.now();
            const sample = (now) => { out.push([now, window.__lockstepTest.state().renderTick]);
                if (now - start < 1500) requestAnimationFrame(sample); else resolve(out); };
            requestAnimationFrame(sample); })""")
        steps = [(b[1] - a[1], b[0] - a[0]) for a, b in zip(samples, samples[1:]) if b[0] > a[0]]
        check.that(len(steps) > 10 and all(ticks >= 0 for ticks, _ in steps),
                   f"the watch page's render clock only moves forward over {len(samples)} animation frames")
        rates = sorted(ticks / (ms / 1000) for ticks, ms in steps) or [0.0]
        print(f"     watch: {len(samples) / 1.5:.0f} frames/s drawn; render clock speed p5 {rates[len(rates) // 20]:.1f}, "
              f"median {rates[len(rates) // 2]:.1f}, p95 {rates[len(rates) * 19 // 20]:.1f} ticks/s", flush=True)

        # Reload the play page mid-match: it must rejoin the same room and lose no tick.
        before = hook_state(play)
        play.reload()
        play.wait_for_function("() => window.__lockstepTest && window.__lockstepTest.ready", timeout=20_000)
        play.evaluate("inputs => window.__lockstepTest.setInputs(inputs)", inputs)
        after = wait_state(play, f"s => s.room === {json.dumps(room)} && s.status === 'running' && s.tick > {before['tick']}",
                           30, "after reload")
        check.that(after["resumed"], "after a reload the page resumed the stored session")
        check.that(after["tick"] > before["tick"], f"no tick lost over the reload ({before['tick']} -> {after['tick']})")
        wait_state(play, f"s => s.tick >= {max(args.match_ticks, after['tick'] + 60)}", args.match_ticks / 30 + 30, "played on")
        end_match(direct, args.admin_key, room)
        end = wait_state(play, "s => s.status === 'ended'", 30, "match over")
        check.that(end["endReason"] == "adminEnded", f"the match ended as the test asked ({end['endReason']})")
        check.that(end["gaps"] == 0, "every confirmed tick arrived, none skipped (gaps 0)")
        verdict = cli_verify(args.lockstep, args.replays / f"{room}.lsr")
        check.that(verdict.get("status") == "ok", "the room's replay verifies with the CLI")
        check.that(end["tick"] == verdict.get("ticks"),
                   f"the page confirmed every tick of the replay ({end['tick']} of {verdict.get('ticks')})")
        check.that(end["hash"] == verdict.get("finalHash"),
                   f"the page's final confirmed hash {end['hash']} equals replay verify's {verdict.get('finalHash')}")
        check.that(end["desyncs"] == 0, "no desync announced")
        play.reload()
        idle = wait_state(play, "s => s.status === 'idle'", 10, "reloaded after the end")
        check.that(not idle["resumed"], "a page reloaded after its match ended starts afresh (the match was forgotten)")

        # 3. Replays: the golden one reaches "verified" with the CLI's final hash.
        replays = new_page()
        replays.goto(f"{base}/replays.html")
        replays.wait_for_selector(f"[data-replay='{args.golden}']", timeout=20_000)
        replays.click(f"[data-replay='{args.golden}']")
        replays.wait_for_selector("#verification.verified", timeout=60_000)
        golden = cli_verify(args.lockstep, args.replays / f"{args.golden}.lsr")
        shown = wait_state(replays, "s => s.verified === true", 10, "replay")
        check.that(shown["finalHash"] == golden.get("finalHash"),
                   f"the replay page's final hash {shown['finalHash']} equals replay verify's {golden.get('finalHash')}")
        replays.evaluate("() => window.__lockstepTest.seek(Math.floor(window.__lockstepTest.state().length / 3))")
        replays.wait_for_timeout(300)
        shots["replays"] = args.artifacts / "replays.png"
        replays.screenshot(path=shots["replays"])
        check.that(not errors, "no uncaught error on any page" + ("" if not errors else ": " + "; ".join(errors)))
        browser.close()

    check.that(proxy.connections > 0, f"the pages went through the latency proxy ({proxy.connections} connections)")
    if args.update_images:
        args.update_images.mkdir(parents=True, exist_ok=True)
        for name, path in shots.items():
            shutil.copyfile(path, args.update_images / f"{name}.png")
    print(f"browser-e2e: {len(check.failures)} failures; screenshots in {args.artifacts}")
    sys.exit(1 if check.failures else 0)


if __name__ == "__main__":
    main()
