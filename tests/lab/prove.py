# Copyright: natsops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the lab proves about the natsops.nats.nats_server role on real hosts (run inside the lab).

Run by the `lab` stage of tools/ci.py (`make lab`) through tests/lab/.state/run, that is
inside the lab's network namespace with ansible-playbook on PATH. Each step runs the role (or a
playbook) over SSH with become from the non-root lab user, then checks the hosts from outside:
systemd's MainPID, file checksums and modes over SSH, and the servers' own monitoring endpoints.
Every check compares exact values and says what it expected; the first failure stops the run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PLAYBOOKS = os.path.join(HERE, 'playbooks')
INVENTORY = os.environ.get('NATSOPS_LAB_INVENTORY') or os.path.join(HERE, '.state', 'inventory.yml')
STATE = os.path.dirname(INVENTORY)
KEY = os.path.join(STATE, 'id_ed25519')
PUBSUB = os.path.join(ROOT, 'tests', 'integration', 'targets', 'nats_server_role', 'files', 'pubsub.py')

VERSION = '2.15.1'
OLD_VERSION = '2.14.6'   # the first deploy; the upgrade step rolls 2.15.1 out
JSPUB = os.path.join(HERE, 'jspub.py')
CONF = '/etc/nats-server/nats-server.conf'
UNIT = '/etc/systemd/system/nats-server.service'
BINARY = '/usr/local/bin/nats-server'
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
CONFLICT = 'cluster name conflicts between cluster and gateway definitions'


class ProofError(Exception):
    """A proof did not hold."""


def log(msg):
    """Progress line."""
    print('prove: %s' % msg, flush=True)


def expect(what, actual, expected):
    """Fail with both values unless they are equal."""
    if actual != expected:
        raise ProofError('%s: expected %r, got %r' % (what, expected, actual))


def inventory_hosts():
    """{host: (address, group)} from the generated inventory (its fixed, simple layout)."""
    hosts = {}
    group = None
    with open(INVENTORY) as handle:
        for line in handle:
            match = re.match(r'^        (east|west):$', line)
            if match:
                group = match.group(1)
            match = re.match(r'^            (\S+): \{ansible_host: (\S+)\}$', line)
            if match:
                hosts[match.group(1)] = (match.group(2), group)
    if not hosts:
        raise ProofError('no hosts in %s' % INVENTORY)
    return hosts


HOSTS = {}


def ssh(host, command):
    """Run a shell command on a lab host as the lab user (sudo inside COMMAND where needed)."""
    address = HOSTS[host][0]
    proc = subprocess.run(['ssh', '-i', KEY, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                           '-o', 'LogLevel=ERROR', 'lab@' + address, command], check=False, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise ProofError('%s: `%s` failed (exit %d): %s' % (host, command, proc.returncode, proc.stderr.strip()))
    return proc.stdout


def on_all(func):
    """{host: func(host)} for every host, in parallel."""
    with ThreadPoolExecutor(max_workers=len(HOSTS)) as pool:
        return dict(zip(sorted(HOSTS), pool.map(func, sorted(HOSTS))))


def monitor(host, endpoint):
    """GET http://<host>:8222/<endpoint> (JSON)."""
    with urllib.request.urlopen('http://%s:8222/%s' % (HOSTS[host][0], endpoint), timeout=5) as resp:
        return json.loads(resp.read().decode())


SNAPSHOT = '''sudo sh -c '
echo "pid=$(systemctl show -p MainPID --value nats-server 2>/dev/null)"
echo "active=$(systemctl is-active nats-server 2>/dev/null)"
echo "enabled=$(systemctl is-enabled nats-server 2>/dev/null)"
for f in %(conf)s %(unit)s %(binary)s; do
  if [ -e "$f" ]; then echo "$f=$(sha256sum "$f" | cut -c1-64) $(stat -c "%%a %%U:%%G" "$f")"; else echo "$f=absent"; fi
done
echo "version=$(%(binary)s --version 2>/dev/null)"
echo "user=$(getent passwd nats | cut -d: -f1,7)"
echo "confdir=$(test -d /etc/nats-server && echo present || echo absent)"
echo "downloads=$(ls -d /tmp/*.nats-server 2>/dev/null | wc -l)"
' ''' % {'conf': CONF, 'unit': UNIT, 'binary': BINARY}


def snapshot(host, with_varz=True):
    """What the proofs compare: systemd state, files (sha256, mode, owner), the server's own view."""
    values = dict(line.split('=', 1) for line in ssh(host, SNAPSHOT).splitlines() if '=' in line)
    if with_varz and values.get('active') == 'active':
        varz = monitor(host, 'varz')
        for key in ('server_name', 'version', 'start', 'config_load_time', 'port', 'http_port', 'max_payload', 'max_subscriptions', 'host'):
            values['varz.' + key] = varz.get(key)
        values['varz.cluster.port'] = varz.get('cluster', {}).get('cluster_port')
        values['varz.gateway.port'] = varz.get('gateway', {}).get('port')
        values['varz.websocket.port'] = varz.get('websocket', {}).get('port')
    return values


def playbook(name, extra=None, expect_rc=0, limit=None):
    """Run a playbook of tests/lab/playbooks against the lab; return (output, {host: changed})."""
    cmd = ['ansible-playbook', '-i', INVENTORY, os.path.join(PLAYBOOKS, name)]
    handle = None
    if extra is not None:
        handle = tempfile.NamedTemporaryFile('w', suffix='.json', dir=STATE, delete=False)  # pylint: disable=consider-using-with
        with handle:
            json.dump(extra, handle)
        cmd += ['-e', '@' + handle.name]
    if limit:
        cmd += ['--limit', limit]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=PLAYBOOKS)
    finally:
        if handle is not None:
            os.unlink(handle.name)
    out = proc.stdout + proc.stderr
    log('ansible-playbook %s%s: exit %d in %.1f s' % (name, (' ' + json.dumps(extra)) if extra else '', proc.returncode, time.monotonic() - t0))
    if (proc.returncode == 0) != (expect_rc == 0):
        sys.stdout.write(out)
        raise ProofError('ansible-playbook %s exited %d (expected %s)' % (name, proc.returncode, 'success' if expect_rc == 0 else 'failure'))
    changed = dict((m.group(1), int(m.group(3))) for m in RECAP.finditer(out))
    return out, changed


def wait_for(what, check, seconds=60):
    """Retry CHECK (returns None when satisfied, else the reason) until it passes or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            reason = check()
        except (OSError, ValueError) as ex:
            reason = str(ex)
        if reason is None:
            return
        if time.monotonic() > deadline:
            raise ProofError('%s: still not true after %d s: %s' % (what, seconds, reason))
        time.sleep(0.5)


def mesh_state():
    """{host: (distinct route peers, gateway name, {outbound cluster: server}, {inbound cluster: [servers]})} by server name."""
    names = dict((monitor(h, 'varz')['server_id'], h) for h in HOSTS)
    state = {}
    for host in sorted(HOSTS):
        routes = sorted(set(r.get('remote_name') for r in monitor(host, 'routez').get('routes') or []))
        gatewayz = monitor(host, 'gatewayz')
        outbound = dict((k, names.get(v['connection']['name'], v['connection']['name'])) for k, v in (gatewayz.get('outbound_gateways') or {}).items())
        inbound = dict((k, sorted(names.get(c['connection']['name'], c['connection']['name']) for c in v))
                       for k, v in (gatewayz.get('inbound_gateways') or {}).items() if v)
        state[host] = (routes, gatewayz.get('name'), outbound, inbound)
    return state


def mesh_reason():
    """None when the 2x3 super-cluster is complete, as the servers report it, else what is missing.

    Every server routes to exactly its cluster peers and has one outbound gateway, named after the
    other cluster, to a server of that cluster. A server's inbound gateway connections come from
    whichever servers of the other cluster picked it, so inbound is checked per cluster: the
    servers of each cluster together accept exactly one connection from every server of the other.
    """
    state = mesh_state()
    groups = dict((g, sorted(h for h in HOSTS if HOSTS[h][1] == g)) for g in ('east', 'west'))
    for host, (routes, name, outbound, dummy) in state.items():
        group = HOSTS[host][1]
        other = 'west' if group == 'east' else 'east'
        peers = [h for h in groups[group] if h != host]
        if routes != peers:
            return '%s routes to %s, expected %s' % (host, routes, peers)
        if name != group:
            return '%s gateway name %r, expected %r' % (host, name, group)
        if list(outbound) != [other] or outbound[other] not in groups[other]:
            return '%s outbound gateways %s, expected one to a server of %s' % (host, outbound, other)
    for group, members in groups.items():
        other = 'west' if group == 'east' else 'east'
        inbound = sorted(peer for host in members for cluster, peers in state[host][3].items() for peer in peers if cluster == other)
        if inbound != groups[other]:
            return 'cluster %s accepts inbound gateway connections from %s, expected one from each of %s' % (group, inbound, groups[other])
        stray = sorted(c for host in members for c in state[host][3] if c != other)
        if stray:
            return 'cluster %s has inbound gateways from %s' % (group, stray)
    return None


def check_mesh():
    """Routes and gateways as the servers report them."""
    wait_for('2x3 super-cluster mesh', mesh_reason)
    for host, (routes, name, outbound, inbound) in mesh_state().items():
        log('%s %s: cluster %s routes to %s; gateway %s out to %s, in from %s' % (
            host, HOSTS[host][0], HOSTS[host][1], ', '.join(routes), name, ', '.join('%s (%s)' % kv for kv in outbound.items()),
            ', '.join('%s (%s)' % (k, ', '.join(v)) for k, v in inbound.items()) or '-'))


def check_crossing(pub_host, sub_host):
    """A message published on PUB_HOST's client port is received on SUB_HOST's."""
    python = os.path.join(os.environ.get('VENV') or os.path.join(ROOT, '.venv'), 'bin', 'python')
    proc = subprocess.run([python if os.path.exists(python) else sys.executable, PUBSUB, 'nats://%s:4222' % HOSTS[sub_host][0],
                           'nats://%s:4222' % HOSTS[pub_host][0], 'lab.crossing', 'hello from %s' % pub_host, '20'],
                          check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ProofError('message from %s to %s: %s%s' % (pub_host, sub_host, proc.stdout, proc.stderr))
    expect('message received on %s' % sub_host, proc.stdout.split(' on ')[0], "received 'hello from %s'" % pub_host)
    log(proc.stdout.strip())


# The upgrade step adds a websocket listener (a reload cannot add one) with the new binary. The reload step then
# gives east a reloadable change (max_payload) and west one a reload refuses (max_subscriptions): role.yml picks
# nats_server_config_extra by group from lab_group_extra.
UPGRADE_EXTRA = {'websocket': {'port': 8080, 'no_tls': True}}
RELOAD_EXTRA = dict(UPGRADE_EXTRA, max_payload=2097152)
REFUSED_EXTRA = dict(RELOAD_EXTRA, max_subscriptions=1000)
ROLE_VARS = {'nats_server_install': True, 'nats_server_service': True, 'nats_server_version': VERSION}
OLD_VARS = dict(ROLE_VARS, nats_server_version=OLD_VERSION)


def prove_tampered():
    """An archive whose sha256 differs from SHA256SUMS fails the install and changes nothing."""
    before = on_all(lambda h: snapshot(h, with_varz=False))
    for host, values in before.items():
        expect('%s before the first run: binary' % host, values[BINARY], 'absent')
    mirror = 'http://10.213.13.1:8000'
    tampered = dict(ROLE_VARS, nats_server_download_url='%s/tampered/nats-io/nats-server/releases/download/v%s/nats-server-v%s-linux-amd64.tar.gz'
                    % (mirror, VERSION, VERSION))
    out, changed = playbook('role.yml', tampered, expect_rc=2)
    expect('hosts that failed on the checksum', len(re.findall(r'fatal: \[\w+\]: FAILED! => .*The checksum for .* did not match', out)), len(HOSTS))
    # the only changes reported are the role's temporary download directory, created and removed again
    expect('changed counts after the tampered download', changed, dict((h, 2) for h in HOSTS))
    after = on_all(lambda h: snapshot(h, with_varz=False))
    expect('hosts after the tampered download', after, before)
    for host, values in after.items():
        for key, value in (('confdir', 'absent'), (UNIT, 'absent'), ('user', ''), ('downloads', '0'), ('active', 'inactive')):
            expect('%s after the tampered download: %s' % (host, key), values[key], value)
    log('tampered archive: the checksum failed on all %d hosts; binary, config, unit, user absent; no download left' % len(HOSTS))


def prove_deploy():
    """Install from the mirror, user, unit, service started and enabled on the default ports and paths."""
    dummy, changed = playbook('role.yml', OLD_VARS)
    for host in HOSTS:
        if not changed.get(host):
            raise ProofError('%s: the first run changed nothing (recap %r)' % (host, changed))
    snaps = on_all(snapshot)
    for host, values in snaps.items():
        group = HOSTS[host][1]
        expect('%s service' % host, (values['active'], values['enabled']), ('active', 'enabled'))
        expect('%s binary' % host, values['version'], 'nats-server: v' + OLD_VERSION)
        expect('%s binary mode' % host, values[BINARY].split(' ', 1)[1], '755 root:root')
        expect('%s config mode and owner' % host, values[CONF].split(' ', 1)[1], '640 root:nats')
        expect('%s unit mode' % host, values[UNIT].split(' ', 1)[1], '644 root:root')
        expect('%s service user' % host, values['user'], 'nats:/usr/sbin/nologin')
        expect('%s varz' % host, (values['varz.server_name'], values['varz.version'], values['varz.host'], values['varz.port'],
                                  values['varz.cluster.port'], values['varz.gateway.port'], values['varz.http_port']),
               (host, OLD_VERSION, '0.0.0.0', 4222, 6222, 7222, 8222))
        expect('%s main PID is set' % host, values['pid'] != '0', True)
        expect('%s group' % host, group in ('east', 'west'), True)
    log('installed v%s from the mirror, user nats, unit, service active+enabled on all %d hosts; ports 4222/6222/7222/8222, '
        '%s 0640 root:nats' % (OLD_VERSION, len(HOSTS), CONF))
    check_mesh()
    east = sorted(h for h in HOSTS if HOSTS[h][1] == 'east')
    west = sorted(h for h in HOSTS if HOSTS[h][1] == 'west')
    check_crossing(east[0], west[-1])
    return snaps


def prove_idempotent(before):
    """A second run changes nothing and touches no service."""
    dummy, changed = playbook('role.yml', OLD_VARS)
    expect('changed counts of the second run', changed, dict((h, 0) for h in HOSTS))
    after = on_all(snapshot)
    expect('hosts after the second run (PIDs, files, start and config load times)', after, before)
    log('second run: changed=0 on all %d hosts; PIDs, checksums, start and config_load_time unchanged' % len(HOSTS))
    return after


class RestartWatch:
    """Polls every server's /varz while a rollout runs and keeps, per server, the last time its old process
    answered and the first time a new one did (a different `start`): its restart window."""

    def __init__(self, before):
        self.start = dict((h, before[h]['varz.start']) for h in HOSTS)
        self.last_old = {}
        self.first_new = {}
        self.rounds = 0
        self.stop = False
        self.thread = None

    def started(self, host):
        try:
            return monitor(host, 'varz').get('start')
        except (OSError, ValueError):
            return None

    def run(self):
        with ThreadPoolExecutor(max_workers=len(HOSTS)) as pool:
            while not self.stop:
                t0 = time.monotonic()
                seen = dict(zip(sorted(HOSTS), pool.map(self.started, sorted(HOSTS))))
                t1 = time.monotonic()
                for host, start in seen.items():
                    if start == self.start[host]:
                        self.last_old[host] = t1   # it answered at some time in [t0, t1]
                    elif start is not None and host not in self.first_new:
                        self.first_new[host] = t0
                self.rounds += 1
                time.sleep(0.1)

    def overlaps(self):
        """The restart windows in the order the servers restarted, and the pairs that overlap."""
        order = sorted(self.first_new, key=self.first_new.get)
        windows = [(h, self.last_old.get(h), self.first_new[h]) for h in order]
        bad = [(a[0], b[0]) for a, b in zip(windows, windows[1:]) if b[1] is None or b[1] < a[2]]
        return order, bad

    def __enter__(self):
        import threading  # pylint: disable=import-outside-toplevel
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()


def prove_upgrade(before):
    """2.14.6 -> 2.15.1 plus a websocket listener, while a publisher writes to an R3 stream on east: the role restarts
    one server at a time (never two down at once), every acknowledged message is in the stream, the mesh forms again."""
    east = sorted(h for h in HOSTS if HOSTS[h][1] == 'east')
    urls = ','.join('nats://%s:4222' % HOSTS[h][0] for h in east)
    stop_file = os.path.join(STATE, 'jspub.stop')
    result_file = os.path.join(STATE, 'jspub.json')
    for path in (stop_file, result_file):
        if os.path.exists(path):
            os.unlink(path)
    python = os.path.join(os.environ.get('VENV') or os.path.join(ROOT, '.venv'), 'bin', 'python')
    pub = subprocess.Popen([python if os.path.exists(python) else sys.executable, JSPUB, urls, 'LAB', 'lab.orders', stop_file, result_file],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for('the publisher has created its R3 stream', lambda: None if os.path.exists(result_file) else
                 'no stream yet%s' % (': exited %s' % pub.returncode if pub.poll() is not None else ''), 60)
        with RestartWatch(before) as watch:
            dummy, changed = playbook('role.yml', dict(ROLE_VARS, nats_server_config_extra=UPGRADE_EXTRA))
        with open(stop_file, 'w') as handle:
            handle.write('stop\n')
        output, dummy = pub.communicate(timeout=60)
    finally:
        if pub.poll() is None:
            pub.kill()
    with open(result_file) as handle:
        text = handle.read()
    if pub.returncode != 0 or not text.startswith('{'):
        raise ProofError('the publisher failed (exit %s): %s' % (pub.returncode, output))
    result = json.loads(text)
    after = on_all(snapshot)
    expect('changes reported by the upgrade run', sum(changed.values()) > 0, True)
    for host in HOSTS:
        expect('%s binary after the upgrade' % host, after[host]['version'], 'nats-server: v' + VERSION)
        expect('%s varz version after the upgrade' % host, after[host]['varz.version'], VERSION)
        expect('%s websocket port after the upgrade' % host, after[host]['varz.websocket.port'], 8080)
        expect('%s service after the upgrade' % host, after[host]['active'], 'active')
        if after[host]['pid'] == before[host]['pid']:
            raise ProofError('%s: PID %s did not move on a binary upgrade' % (host, after[host]['pid']))
    order, overlapping = watch.overlaps()
    expect('servers whose restart the poller saw (%d rounds)' % watch.rounds, sorted(order), sorted(HOSTS))
    expect('restarts that overlapped (the next server went down before the previous one answered again)', overlapping, [])
    expect('acknowledged messages stored in the R3 stream (0 lost)', (result['messages'], result['first_seq'], result['last_seq']),
           (result['acked'], result['acked_first'], result['acked_last']))
    expect('acknowledged sequences without holes', result['acked_contiguous'], True)
    expect('stream replicas', result['replicas'], east)
    check_mesh()
    log('upgrade %s -> %s with a websocket listener, one server at a time (restarts seen in %d rounds of /varz, in the order %s, '
        'none overlapping): PIDs moved, varz version %s on all; R3 stream on east: %d messages acknowledged during the rollout, '
        '%d stored (0 lost), longest gap between acknowledgements %.2f s, publish retries %s'
        % (OLD_VERSION, VERSION, watch.rounds, ', '.join(order), VERSION, result['acked'], result['messages'],
           result['longest_gap'], json.dumps(result['errors'], sort_keys=True) if result['errors'] else 'none'))
    return after


def prove_reload_and_restart(before):
    """One rolling run with a reloadable change on east (max_payload) and a change the server refuses to reload on west
    (max_subscriptions): east reloads (config_load_time moves, the PID does not), west restarts (the PID moves)."""
    dummy, changed = playbook('role.yml', dict(ROLE_VARS, lab_group_extra={'east': RELOAD_EXTRA, 'west': REFUSED_EXTRA}))
    after = on_all(snapshot)
    # the rollout changes one server at a time from a run_once loop (delegate_to): Ansible's recap counts those
    # changes on the host that runs the loop, so the per-host proof is the server's own state below
    expect('changes reported by the run', sum(changed.values()) > 0, True)
    for host in HOSTS:
        expect('%s config changed' % host, after[host][CONF] != before[host][CONF], True)
        expect('%s max_payload' % host, after[host]['varz.max_payload'], 2097152)
        expect('%s service' % host, after[host]['active'], 'active')
        if HOSTS[host][1] == 'east':
            expect('%s PID after a reload' % host, after[host]['pid'], before[host]['pid'])
            expect('%s start after a reload' % host, after[host]['varz.start'], before[host]['varz.start'])
            if not after[host]['varz.config_load_time'] > before[host]['varz.config_load_time']:
                raise ProofError('%s: config_load_time did not move: %s -> %s'
                                 % (host, before[host]['varz.config_load_time'], after[host]['varz.config_load_time']))
        else:
            if after[host]['pid'] == before[host]['pid']:
                raise ProofError('%s: PID %s did not move after a non-reloadable change' % (host, after[host]['pid']))
            expect('%s max_subscriptions after the restart' % host, after[host]['varz.max_subscriptions'], 1000)
    check_mesh()
    east = sorted(h for h in HOSTS if HOSTS[h][1] == 'east')[0]
    west = sorted(h for h in HOSTS if HOSTS[h][1] == 'west')[0]
    log('reload on east (max_payload 2 MB): PID same, config_load_time moved (e.g. %s: %s -> %s); restart on west '
        '(max_subscriptions, which a reload refuses): PID moved (e.g. %s: %s -> %s); varz max_payload 2097152 on all %d hosts, '
        'mesh re-formed'
        % (east, before[east]['varz.config_load_time'], after[east]['varz.config_load_time'],
           west, before[west]['pid'], after[west]['pid'], len(HOSTS)))
    return after


def prove_remote_read():
    """nats_config (path:) and nats_topology read the deployed 0640 root:nats files over SSH with become."""
    out, dummy = playbook('read_deployed.yml')
    for line in re.findall(r'"msg": "(lab-proof: [^"]*)"', out):
        log(line)


def prove_seed_conflict(before):
    """The seed's names (cluster "cluster", gateway "gateway") stop the play before any change."""
    extra = dict(REFUSED_EXTRA, cluster={'name': 'cluster'}, gateway={'name': 'gateway'})
    out, changed = playbook('role.yml', dict(ROLE_VARS, nats_server_config_extra=extra), expect_rc=2)
    expect('changed counts of the refused run', changed, dict((h, 0) for h in HOSTS))
    if CONFLICT not in out:
        sys.stdout.write(out)
        raise ProofError('the refused run does not name the conflict (%r)' % CONFLICT)
    after = on_all(snapshot)
    expect('hosts after the refused run (PIDs, files, start and config load times)', after, before)
    log('seed conflict refused ("%s" for every host), changed=0; checksums, PIDs, config_load_time unchanged on all %d hosts'
        % (CONFLICT, len(HOSTS)))


STEPS = [
    ('tampered archive', lambda snaps: prove_tampered()),
    ('deploy', lambda snaps: prove_deploy()),
    ('second run', prove_idempotent),
    ('upgrade under load', prove_upgrade),
    ('reload and restart', prove_reload_and_restart),
    ('read deployed files', lambda snaps: prove_remote_read() or snaps),
    ('seed conflict', prove_seed_conflict),
]


def main(argv):
    """Run every proof in order (or from the step named by --from, on a lab deployed earlier); print each one's time."""
    HOSTS.update(inventory_hosts())
    start = 0
    if argv[:1] == ['--from']:
        names = [name for name, dummy in STEPS]
        if len(argv) != 2 or argv[1] not in names[2:]:
            log('usage: prove.py [--from %s]' % '|'.join(repr(n) for n in names[2:]))
            return 2
        start = names.index(argv[1])
    timings = []
    t_all = time.monotonic()
    try:
        snaps = on_all(snapshot) if start else None
        for name, func in STEPS[start:]:
            t0 = time.monotonic()
            snaps = func(snaps)
            timings.append((name, time.monotonic() - t0))
    except ProofError as ex:
        log('FAILED: %s' % ex)
        return 1
    finally:
        log('timings: %s; total %.1f s' % (', '.join('%s %.1f s' % t for t in timings), time.monotonic() - t_all))
    log('ALL PROVEN on %d hosts' % len(HOSTS))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
