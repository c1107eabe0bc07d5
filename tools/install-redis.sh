#!/usr/bin/env bash
# install-redis.sh - make sure `redis-server` is installed (Debian's package) for the cluster tests
# (Tests/LockstepRedisTests, Tests/LockstepClusterTests), which start their own server on a free
# loopback port. Does not start or enable the system service. Without it those tests fail.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
    redis-server --version
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-redis.sh: redis-server is missing and apt-get is not available; install Redis 6 or later" >&2
    exit 1
fi
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
$sudo apt-get update
# policy-rc.d exit 101: the package must not start a system Redis on port 6379 in CI.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends redis-server
redis-server --version
