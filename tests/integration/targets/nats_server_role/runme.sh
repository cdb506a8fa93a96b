#!/usr/bin/env bash
# Integration test of the natsops.nats.nats_server role: a 2x3 super-cluster on this machine
# (east1-3, west1-3 on 127.0.0.1, free ports chosen per run), then the install path and the unit.
set -eu -o pipefail

PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
export ANSIBLE_FORKS=8 ANSIBLE_PIPELINING=true
WORK="$(mktemp -d)"
cleanup() {
    # servers are stopped by PID inside the playbooks; this only removes files
    rm -rf "${WORK}"
}
trap cleanup EXIT

# ports below the kernel's ephemeral range (tests/integration/ports.py, found in the collection above us)
ROOT="$(pwd)"
while [ ! -f "${ROOT}/galaxy.yml" ] && [ "${ROOT}" != / ]; do ROOT="$(dirname "${ROOT}")"; done
PORTS="${ROOT}/tests/integration/ports.py"
"${PYTHON}" - "${WORK}" "$("${PYTHON}" "${PORTS}" 25)" <<'PYEOF'
import json
import os
import sys

work = sys.argv[1]

ports = json.loads(sys.argv[-1])
hosts = ["east1", "east2", "east3", "west1", "west2", "west3"]
test_ports = {}
for i, host in enumerate(hosts):
    test_ports[host] = dict(zip(("client", "cluster", "gateway", "http"), ports[4 * i:4 * i + 4]))
with open(os.path.join(work, "vars.json"), "w") as f:
    json.dump({"test_dir": work, "test_ports": test_ports, "test_mirror_port": ports[-1]}, f)
PYEOF

ap() {
    ansible-playbook -i inventory.yml -e "@${WORK}/vars.json" "$@"
}
sums() {
    sha256sum "${WORK}"/*/nats-server.conf
}
fail() {
    echo "FAILED: $*" >&2
    exit 1
}

echo "== 1. first run: the role writes six configs"
ap converge.yml | tee "${WORK}/run1.log"
grep -Eq '^east1 +: ok=[0-9]+ +changed=[1-9]' "${WORK}/run1.log" || fail "first run changed nothing on east1"
[ "$(sums | wc -l)" -eq 6 ] || fail "expected six config files"

echo "== 2. second run: changed=0"
ap converge.yml | tee "${WORK}/run2.log"
if grep -E 'changed=[1-9]' "${WORK}/run2.log"; then
    fail "the second run changed something"
fi

echo "== 3. check mode with diff: shows the change, writes nothing"
sums > "${WORK}/before.sums"
ap converge.yml --check --diff -e '{"test_config_extra": {"max_payload": 2097152}}' | tee "${WORK}/run3.log"
grep -q '+max_payload: 2097152' "${WORK}/run3.log" || fail "check mode diff does not show the change"
sums | diff "${WORK}/before.sums" - || fail "check mode changed a file"

echo "== 3b. check mode with the service managed: nothing is written, started or restarted"
ap converge.yml --check -e '{"test_config_extra": {"max_payload": 2097152}}' \
    -e '{"nats_server_service": true, "nats_server_create_user": false, "nats_server_user": "root", "nats_server_group": "root"}' \
    -e "nats_server_systemd_dir=${WORK}/systemd" | tee "${WORK}/run3b.log"
grep -q 'TASK \[natsops.nats.nats_server : Write the config of a server that is not running\]' "${WORK}/run3b.log" \
    || fail "the managed servers (not running) did not reach the apply step"
if grep -A8 'TASK \[natsops.nats.nats_server : Run systemctl for nats-server: start\]' "${WORK}/run3b.log" | grep -E '^(changed|ok): '; then
    fail "a server was started in check mode"
fi
[ ! -e "${WORK}/systemd" ] || fail "check mode created the unit directory"
sums | diff "${WORK}/before.sums" - || fail "check mode changed a file"

echo "== 3c. --limit without nats_server_hosts is refused (it would split the cluster), nothing is written"
if ap converge.yml --limit east1 -e '{"test_config_extra": {"max_payload": 2097152}}' > "${WORK}/run3c.log" 2>&1; then
    cat "${WORK}/run3c.log"
    fail "--limit east1 was not refused"
fi
grep -q 'this play runs with --limit (east1) and nats_server_hosts is empty' "${WORK}/run3c.log" \
    || { cat "${WORK}/run3c.log"; fail "--limit east1 failed without saying why"; }
sums | diff "${WORK}/before.sums" - || fail "--limit changed a file"

echo "== 4. a gateway name smuggled through nats_server_config_extra fails before any file changes"
if ap converge.yml -e test_smuggle_host=west2 -e '{"test_config_extra": {"max_payload": 2097152}}' > "${WORK}/run4.log" 2>&1; then
    cat "${WORK}/run4.log"
    fail "the conflicting config was accepted"
fi
cat "${WORK}/run4.log"
grep -Eq '\[west2\] [^ ]*/west2/nats-server.conf:[0-9]+:[0-9]+: cluster name conflicts between cluster and gateway definitions' \
    "${WORK}/run4.log" || fail "the conflict message (with host and file:line:col) is missing"
grep -q 'no file was written' "${WORK}/run4.log" || fail "the failure does not say that nothing was written"
sums | diff "${WORK}/before.sums" - || fail "a config file changed although validation failed"

echo "== 4b. mixed versions: each config is validated for its host's nats_server_version, before any file changes"
# default_max_consumers is known from 2.15.0: unknown on the 2.14 hosts; west1 (2.14.6) is also below the 2.15 upgrade floor
if ap converge.yml -e '{"test_versions": {"east1": "2.14.7", "west1": "2.14.6"}}' \
        -e '{"test_config_extra": {"jetstream": {"limits": {"default_max_consumers": 10}}}}' > "${WORK}/run4b.log" 2>&1; then
    cat "${WORK}/run4b.log"
    fail "a key that nats-server 2.14 does not know was accepted for the 2.14 hosts"
fi
for expected in \
    '3 errors in the generated NATS server configs; no file was written:' \
    "[east1] ${WORK}/east1/nats-server.conf:12:5: unknown field \\\"default_max_consumers\\\": jetstream.limits.default_max_consumers; hint: nats-server 2.14.7 does not know it (known to 2.15.0 and later); remove it, or upgrade first" \
    "[west1] ${WORK}/west1/nats-server.conf:12:5: unknown field \\\"default_max_consumers\\\": jetstream.limits.default_max_consumers; hint: nats-server 2.14.6 does not know it (known to 2.15.0 and later); remove it, or upgrade first" \
    "[west1] ${WORK}/west1/nats-server.conf:1:1: west1 runs nats-server 2.14.6 while east2 of the same super-cluster runs 2.15.1: upgrading to 2.15.1 requires coming from 2.14.7 or later (this host runs 2.14.6); hint: upgrade west1 to 2.14.7 or later first (the release notes' upgrade path)" \
    ; do
    grep -qF -- "${expected}" "${WORK}/run4b.log" || { cat "${WORK}/run4b.log"; fail "missing: ${expected}"; }
done
sums | diff "${WORK}/before.sums" - || fail "a config file changed although validation failed"

if [ "${NATS_ROLE_QUICK:-}" = 1 ]; then
    # tools/ci.py's matrix stage on the middle ansible-core versions: config steps only, no servers
    echo "== NATS_ROLE_QUICK=1: stopping after step 4 (no boot, reload/restart or install)"
    exit 0
fi

echo "== 5. add route and gateway credentials (never shown), then boot the super-cluster"
ap converge.yml -v --diff -e test_auth=true | tee "${WORK}/run5.log"
grep -Eq '^east1 +: ok=[0-9]+ +changed=[1-9]' "${WORK}/run5.log" || fail "adding credentials changed nothing"
if grep -E 'r0ute|p%40ss|g@te|g%40te' "${WORK}/run5.log"; then
    fail "a password was shown"
fi
grep -q 'authorization' "${WORK}/east1/nats-server.conf" || fail "no authorization block written"
# the write is no_log (secrets), so --diff comes from the task before it, every secret value masked
grep -qF '+    password: "********"' "${WORK}/run5.log" || fail "--diff does not show the added credentials masked"
grep -qF '://********@127.0.0.1:' "${WORK}/run5.log" || fail "--diff does not show the route URLs masked"
ap boot.yml -e test_auth=true

echo "== 6. reload or restart"
ap classify.yml

echo "== 7. install from a local mirror, systemd unit"
ap install.yml
