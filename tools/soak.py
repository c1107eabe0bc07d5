#!/usr/bin/env python3
"""Soak run: one `lockstep serve` under a steady, churning load for a long time.

Usage: soak.py LOCKSTEP_BINARY DURATION_S OUT_DIR [--interval S] [--rooms N] [--warmup-fraction F]

Load, all against one server process:
  - latency lane: `lockstep bench --url …` waves of ROOMS rooms × 4 players + 1 spectator, one
    after another: each wave creates its rooms, plays, measures tick latency, ends them (rooms
    start and end all the time, never one fixed set);
  - churn lane: `lockstep bots` matches of 4 rooms × 4 players, 300 ticks each, with 6 simulated
    connection losses per bot per minute (reconnects), one after another.
Every INTERVAL seconds the server's RSS, open descriptors and listed rooms are sampled, with the
p99 tick latency of the last finished wave. Written: OUT_DIR/soak.json and OUT_DIR/soak.html
(a chart per series). Pass: after the warm-up (the first F of the samples), RSS stays within
+25 % or +64 MiB (the larger) of its warm-up maximum, descriptors within +25 % + 64 of theirs,
and the median p99 of the last third of waves is at most 1.5 × (+250 µs) the first third's.
Exit 0 on pass, 1 on fail, 2 when the load could not run.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("binary")
parser.add_argument("duration", type=float)
parser.add_argument("out")
parser.add_argument("--interval", type=float, default=60)
parser.add_argument("--rooms", type=int, default=125)  # half of the 250 rooms × 4 within 2 ms (docs/BENCHMARKS.md)
parser.add_argument("--warmup-fraction", type=float, default=0.2)
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
replays = os.path.join(args.out, "replays")
os.makedirs(replays, exist_ok=True)
key = "soak-key"

server = subprocess.Popen(
    [args.binary, "serve", "--port", "0", "--admin-key", key, "--replays", replays, "--log-level", "warning",
     "--max-connections-per-address", "100000", "--max-rooms", "5000"],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
port = None
for line in server.stdout:
    match = re.search(r"listening on .*:(\d+)", line)
    if match:
        port = int(match.group(1))
        break
if port is None:
    print("soak: the server did not start", file=sys.stderr)
    sys.exit(2)
# Keep draining the server's output so it never blocks on a full pipe.
subprocess.Popen(["cat"], stdin=server.stdout, stdout=subprocess.DEVNULL)


def rss_and_fds(pid):
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def rooms():
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/rooms", headers={"Authorization": "Bearer " + key})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            listed = json.load(answer)["rooms"]
            return sum(1 for room in listed if room.get("phase") in ("waiting", "running")), len(listed)
    except Exception:
        return None, None


wave_seconds = max(8.0, min(args.interval, 60.0))
measured = max(3.0, wave_seconds - 5)
start = time.monotonic()
deadline = start + args.duration
waves = []  # (seconds since start at the wave's end, p99 µs, passed)
bench_proc = None
bench_json = None
bots_proc = None
bots_runs = 0
bench_failures = 0
samples = []
next_sample = start + args.interval
wave_index = 0


def start_bench():
    global bench_proc, bench_json, wave_index
    wave_index += 1
    bench_json = os.path.join(args.out, f"wave-{wave_index}.json")
    bench_proc = subprocess.Popen(
        [args.binary, "bench", "--url", f"ws://127.0.0.1:{port}/v1/play", "--admin-url", f"http://127.0.0.1:{port}",
         "--admin-key", key, "--server-pid", str(server.pid), "--rooms", str(args.rooms), "--players", "4",
         "--spectators", "1", "--ramp", "1", "--warmup", "1", "--duration", str(measured), "--seed", str(wave_index),
         "--start-timeout", "30", "--quiet", "--no-stall-witness", "--json", bench_json],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_bots():
    global bots_proc, bots_runs
    bots_runs += 1
    bots_proc = subprocess.Popen(
        [args.binary, "bots", "--port", str(port), "--admin-key", key, "--rooms", "4", "--players", "4", "--ticks", "300",
         "--seed", str(1000 + bots_runs), "--loss-per-minute", "6"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


try:
    start_bench()
    start_bots()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        if bench_proc is not None and bench_proc.poll() is not None:
            bench_proc = None
            try:
                run = json.load(open(bench_json))["runs"][0]
                waves.append((time.monotonic() - start, run["latency"]["p99"], run.get("passed")))
                os.remove(bench_json)
            except Exception:
                bench_failures += 1
            if time.monotonic() + wave_seconds <= deadline:
                start_bench()
        if bots_proc.poll() is not None and time.monotonic() + 20 <= deadline:
            start_bots()
        if time.monotonic() >= next_sample:
            next_sample += args.interval
            rss, fds = rss_and_fds(server.pid)
            live, listed = rooms()
            samples.append({
                "seconds": round(time.monotonic() - start, 1), "rssBytes": rss, "descriptors": fds,
                "liveRooms": live, "listedRooms": listed, "p99Micros": waves[-1][1] if waves else None,
            })
            print(f"soak: {samples[-1]}", flush=True)
finally:
    for proc in (bench_proc, bots_proc):
        if proc and proc.poll() is None:
            proc.wait(timeout=120)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

# --- verdict
warm = max(1, int(len(samples) * args.warmup_fraction))
checks = []
if len(samples) < warm + 1 or len(waves) < 3:
    checks.append(("enough samples and waves", False, f"{len(samples)} samples, {len(waves)} waves"))
else:
    rss_warm = max(s["rssBytes"] for s in samples[:warm])
    rss_band = max(rss_warm * 1.25, rss_warm + (64 << 20))
    rss_max = max(s["rssBytes"] for s in samples[warm:])
    checks.append(("RSS within band", rss_max <= rss_band,
                   f"max {rss_max >> 20} MiB after warm-up, band {int(rss_band) >> 20} MiB (warm-up max {rss_warm >> 20} MiB)"))
    fd_warm = max(s["descriptors"] for s in samples[:warm])
    fd_band = fd_warm * 1.25 + 64
    fd_max = max(s["descriptors"] for s in samples[warm:])
    checks.append(("descriptors within band", fd_max <= fd_band, f"max {fd_max} after warm-up, band {int(fd_band)} (warm-up max {fd_warm})"))
    p99s = [p for _, p, _ in waves]
    third = max(1, len(p99s) // 3)
    first, last = statistics.median(p99s[:third]), statistics.median(p99s[-third:])
    checks.append(("p99 does not drift", last <= first * 1.5 + 250, f"median p99 {first:.0f} µs in the first third of waves, {last:.0f} µs in the last"))
checks.append(("every latency wave reported", bench_failures == 0, f"{bench_failures} waves without a report"))
passed = all(ok for _, ok, _ in checks)

report = {
    "schema": "lockstep.soak/1", "durationSeconds": args.duration, "intervalSeconds": args.interval,
    "roomsPerWave": args.rooms, "playersPerRoom": 4, "spectatorsPerRoom": 1, "botMatches": bots_runs,
    "warmupSamples": warm, "samples": samples,
    "waves": [{"seconds": round(t, 1), "p99Micros": p, "passed": ok} for t, p, ok in waves],
    "checks": [{"name": n, "passed": ok, "detail": d} for n, ok, d in checks], "passed": passed,
}
json.dump(report, open(os.path.join(args.out, "soak.json"), "w"), indent=1)


def chart(title, points, unit):
    points = [(x, y) for x, y in points if y is not None]
    if not points:
        return f"<h2>{title}</h2><p>no data</p>"
    width, height, pad = 640, 200, 40
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)
    y1 = max(ys) * 1.1 or 1
    coords = " ".join(f"{pad + (x - x0) / (x1 - x0) * (width - 2 * pad):.1f},{height - pad - y / y1 * (height - 2 * pad):.1f}" for x, y in points)
    return (f"<h2>{title}</h2><svg width='{width}' height='{height}' xmlns='http://www.w3.org/2000/svg'>"
            f"<rect width='{width}' height='{height}' fill='white' stroke='#ccc'/>"
            f"<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='{coords}'/>"
            f"<text x='{pad}' y='20' font-size='12'>max {max(ys):.0f} {unit}</text>"
            f"<text x='{pad}' y='{height - 10}' font-size='12'>{x0:.0f} s</text>"
            f"<text x='{width - pad - 40}' y='{height - 10}' font-size='12'>{x1:.0f} s</text></svg>")


html = ["<!doctype html><meta charset='utf-8'><title>Lockstep soak</title><body style='font-family:sans-serif'>",
        f"<h1>Soak: {'passed' if passed else 'FAILED'}</h1><ul>"]
html += [f"<li>{'✔' if ok else '✘'} {n}: {d}</li>" for n, ok, d in checks]
html.append("</ul>")
html.append(chart("Server RSS (MiB)", [(s["seconds"], s["rssBytes"] / (1 << 20)) for s in samples], "MiB"))
html.append(chart("Open descriptors", [(s["seconds"], s["descriptors"]) for s in samples], ""))
html.append(chart("Live rooms", [(s["seconds"], s["liveRooms"]) for s in samples], ""))
html.append(chart("Tick latency p99 per wave (µs)", [(t, p) for t, p, _ in waves], "µs"))
open(os.path.join(args.out, "soak.html"), "w").write("".join(html))

for name, ok, detail in checks:
    print(f"soak: {'ok  ' if ok else 'FAIL'} {name}: {detail}")
print(f"soak: {'passed' if passed else 'FAILED'}; report {args.out}/soak.json and soak.html")
sys.exit(0 if passed else 1)
