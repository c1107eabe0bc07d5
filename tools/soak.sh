#!/usr/bin/env bash
# The soak (docs/BENCHMARKS.md "Soak"): half the 2 ms-budget load for DURATION (default 1h) with
# matches ending and being replaced, reconnects and spectators, the server sampled and judged.
# Usage: tools/soak.sh [DURATION] [more lockstep bench options…]
#   e.g. tools/soak.sh 1h
#        tools/soak.sh 2m --sample-every 10 --match-seconds 20     (CI)
# Writes soak.json, soak.html and the charts under $SOAK_OUT (default: soak-report/); exits 1 when the soak fails.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-1h}"
shift || true
out="${SOAK_OUT:-soak-report}"
swift build -c release --product lockstep
bin="$(swift build -c release --show-bin-path)/lockstep"
mkdir -p "$out"
status=0
"$bin" bench --soak "$duration" --json "$out/soak.json" --html "$out/soak.html" --svg-dir "$out/charts" "$@" || status=$?
if [ -s "$out/soak.json" ]; then
    python3 - "$out/soak.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["schema"] == "lockstep.soak/1", report["schema"]
counts = report["counts"]
print(f"soak: {len(report['samples'])} samples, {counts['matchesEnded']} matches ended and replaced, "
      f"{counts['reconnects']} reconnects, {counts['spectatorsJoined']} spectators joined; "
      f"verdict {'passed' if report['verdict']['passed'] else 'FAILED'}")
PY
fi
echo "soak: report in $out/soak.json and $out/soak.html"
exit "$status"
