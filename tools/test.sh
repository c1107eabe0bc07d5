#!/usr/bin/env bash
# test.sh - the test command of README.md and .ci/run: makes sure what the tests need beside the
# toolchain is installed (redis-server, Debian's package, for the cluster tests, which start their
# own on a free loopback port; never a system service), then runs `swift test` with any arguments
# given (for example `--filter LockstepClusterTests`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-redis.sh >/dev/null
exec swift test "$@"
