#!/usr/bin/env bash
# Regenerates the golden replays in Replays/ from seeded bot matches.
# The same settings always give the same bytes; the test
# `goldenReplaysAreReproducedByteForByte` checks that these files match a fresh recording.
# Only run this after an intended change to the simulation or the replay format (and bump its version).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product lockstep
bin="$(swift build --show-bin-path)/lockstep"
"$bin" replay record --players 2 --ticks 900 --seed 1 Replays/duel-2p-short.lsr
"$bin" replay record --players 4 --ticks 10000 --seed 4 Replays/arena-4p-10k.lsr
"$bin" replay record --players 8 --ticks 3000 --seed 8 --chaos Replays/chaos-8p-disconnects.lsr
"$bin" replay verify Replays/*.lsr
