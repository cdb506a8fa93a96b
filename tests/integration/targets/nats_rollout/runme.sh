#!/usr/bin/env bash
# Rolling apply of the nats_server role on six real local servers (east x3 with JetStream, west x3),
# started/reloaded/restarted through files/ctl.sh: boot, a reloadable change (reloads: PIDs kept),
# a change a reload refuses (restarts one at a time: PIDs move), and a change whose new config cannot
# start on one server (the rollout stops there; the servers after it keep their old config and serve).
set -eu -o pipefail

PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
export ANSIBLE_FORKS=8 ANSIBLE_PIPELINING=true
WORK="$(mktemp -d)"
HOSTS="east1 east2 east3 west1 west2 west3"
cleanup() {
    for h in ${HOSTS}; do
        if [ -s "${WORK}/${h}/nats-server.pid" ]; then kill -TERM "$(cat "${WORK}/${h}/nats-server.pid")" 2>/dev/null || true; fi
    done
    if [ -n "${BLOCKER_PID:-}" ]; then kill "${BLOCKER_PID}" 2>/dev/null || true; fi
    rm -rf "${WORK}"
}
trap cleanup EXIT
fail() {
    echo "FAILED: $*" >&2
    exit 1
}

# ports below the kernel's ephemeral range (tests/integration/ports.py, found in the collection above us)
ROOT="$(pwd)"
while [ ! -f "${ROOT}/galaxy.yml" ] && [ "${ROOT}" != / ]; do ROOT="$(dirname "${ROOT}")"; done
PORTS="${ROOT}/tests/integration/ports.py"
"${PYTHON}" - "${WORK}" "$(pwd)/files/ctl.sh" "$("${PYTHON}" "${PORTS}" 25)" <<'PYEOF'
import json, os, sys
work, ctl = sys.argv[1], sys.argv[2]

ports = json.loads(sys.argv[-1])
hosts = ["east1", "east2", "east3", "west1", "west2", "west3"]
test_ports = {}
for i, host in enumerate(hosts):
    os.makedirs(os.path.join(work, host))
    test_ports[host] = dict(zip(("client", "cluster", "gateway", "http"), ports[4 * i:4 * i + 4]))
with open(os.path.join(work, "vars.json"), "w") as f:
    json.dump({"test_dir": work, "test_ports": test_ports, "test_ctl": ctl, "test_blocked_port": ports[-1]}, f)
PYEOF
BLOCKED="$("${PYTHON}" -c 'import json,sys; print(json.load(open(sys.argv[1]))["test_blocked_port"])' "${WORK}/vars.json")"

ap() {
    ansible-playbook -i inventory.yml -e "@${WORK}/vars.json" "$@"
}
pids() {
    for h in ${HOSTS}; do echo "${h} $(cat "${WORK}/${h}/nats-server.pid")"; done
}
varz() {  # varz HOST KEY
    "${PYTHON}" - "$1" "$2" "${WORK}/vars.json" <<'PYEOF'
import json, sys, urllib.request
host, key, path = sys.argv[1:4]
port = json.load(open(path))["test_ports"][host]["http"]
print(json.load(urllib.request.urlopen("http://127.0.0.1:%d/varz" % port, timeout=5)).get(key))
PYEOF
}

echo "== 1. boot: six servers start, the role verifies health, routes, gateways and the JetStream meta group"
ap converge.yml | tee "${WORK}/run1.log"
grep -q 'TASK \[natsops.nats.nats_server : Verify the inbound gateways of every cluster\]' "${WORK}/run1.log" || fail "no final verification"
pids > "${WORK}/pids1"

echo "== 2. a reloadable change (max_payload): every server reloads, no PID moves, the new value is live"
load_before="$(varz west3 config_load_time)"
ap converge.yml -e '{"test_config_extra": {"max_payload": 2097152}}' | tee "${WORK}/run2.log"
pids | diff "${WORK}/pids1" - || fail "a reloadable change restarted a server"
for h in ${HOSTS}; do [ "$(varz "${h}" max_payload)" = 2097152 ] || fail "${h} does not run max_payload 2097152"; done
[ "$(varz west3 config_load_time)" != "${load_before}" ] || fail "config_load_time of west3 did not move"
[ "$(grep -c 'TASK \[natsops.nats.nats_server : Run the configured command for nats-server: reload\]' "${WORK}/run2.log")" -eq 6 ] \
    || fail "expected six reloads, one per server"

echo "== 3. a change a reload refuses (max_subscriptions): six restarts, one server at a time"
ap converge.yml -e '{"test_config_extra": {"max_payload": 2097152, "max_subscriptions": 1000}}' | tee "${WORK}/run3.log"
pids > "${WORK}/pids3"
for h in ${HOSTS}; do
    [ "$(grep "^${h} " "${WORK}/pids1")" != "$(grep "^${h} " "${WORK}/pids3")" ] || fail "${h} was not restarted"
    [ "$(varz "${h}" max_subscriptions)" = 1000 ] || fail "${h} does not run max_subscriptions 1000"
done
grep -E 'TASK \[natsops.nats.nats_server : (Rolling apply: |Run the configured command for nats-server: restart)' "${WORK}/run3.log" > "${WORK}/order3" || true
echo "order of the restarts:"; grep -o 'included: .*rollout_host.yml for east1 => (item=[a-z0-9]*)' "${WORK}/run3.log" || true

# west1, not an east server: the JetStream meta leader goes last, so an east server may have nobody after it.
echo "== 4. west1's new config cannot start (its websocket port is taken): the rollout stops at west1"
"${PYTHON}" -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(600)' "${BLOCKED}" &
BLOCKER_PID=$!
sha256sum "${WORK}"/*/nats-server.conf > "${WORK}/sums3"
if ap converge.yml -e '{"test_config_extra": {"max_payload": 2097152, "max_subscriptions": 2000}}' \
        -e "{\"test_host_extra\": {\"west1\": {\"websocket\": {\"listen\": \"127.0.0.1:${BLOCKED}\", \"no_tls\": true}}}}" \
        > "${WORK}/run4.log" 2>&1; then
    cat "${WORK}/run4.log"; fail "the rollout succeeded although west1 cannot start"
fi
cat "${WORK}/run4.log"
msg="$(grep -o 'nats_server rolling apply stopped at west1 ([0-9] of 6)[^"]*' "${WORK}/run4.log" | head -1)"
[ -n "${msg}" ] || fail "no message naming west1"
grep -Eq 'rolling apply stopped at west1 .*Last log lines of west1: .*address already in use' "${WORK}/run4.log" \
    || fail "the message does not show west1's log (address already in use)"
untouched="$(grep -o 'Not touched (still on their old config): [^.]*\.' "${WORK}/run4.log" | head -1 \
    | sed -n 's/Not touched (still on their old config): \([^.]*\)\./\1/p')"
if [ -z "${untouched}" ] || [ "${untouched}" = none ]; then
    fail "west1 was the last server; expected west2 and west3 after it"
fi
echo "untouched: ${untouched}"
for h in $(echo "${untouched}" | tr ',' ' '); do
    grep "/${h}/nats-server.conf" "${WORK}/sums3" | sha256sum -c --quiet - || fail "${h}'s config changed although the rollout stopped before it"
    [ "$(grep "^${h} " "${WORK}/pids3")" = "${h} $(cat "${WORK}/${h}/nats-server.pid")" ] || fail "${h} was restarted"
    [ "$(varz "${h}" max_subscriptions)" = 1000 ] || fail "${h} does not serve its old config"
done

echo "== 5. route credentials added on running servers: refused before anything is written"
sha256sum "${WORK}"/*/nats-server.conf > "${WORK}/sums4"
if ap converge.yml -e '{"test_config_extra": {"max_payload": 2097152, "max_subscriptions": 1000}}' \
        -e '{"nats_server_cluster_user": "route", "nats_server_cluster_password": "s3cret-route"}' > "${WORK}/run5.log" 2>&1; then
    cat "${WORK}/run5.log"; fail "a one-step credential rotation on running servers was accepted"
fi
grep -q 'the route/gateway credentials change on running servers (' "${WORK}/run5.log" || { cat "${WORK}/run5.log"; fail "no rotation message"; }
grep -q 'west2: cluster.authorization' "${WORK}/run5.log" || { cat "${WORK}/run5.log"; fail "the message does not name west2's cluster.authorization (west1 is down since step 4)"; }
if grep -q 's3cret-route' "${WORK}/run5.log"; then fail "the password was shown"; fi
sha256sum "${WORK}"/*/nats-server.conf | diff "${WORK}/sums4" - || fail "a config changed although the rotation was refused"
echo "rolling apply: boot, 6 reloads, 6 restarts, stop at west1 with ${untouched} untouched, rotation refused: OK"
