# Copyright: natsops contributors
# Apache License 2.0 (see LICENSE)
"""Test driver for the natsops.nats collection (used by the Makefile and .ci/run).

Usage: python3.11 tools/ci.py STAGE [STAGE ...]

Stages:
  venv         create/refresh .venv from requirements-dev.txt (always done first)
  sanity       ansible-test sanity --venv --python 3.11
  units        ansible-test units --venv --python 3.11
  integration  ansible-test integration --venv --python 3.11
  lint         ansible-lint (ANSIBLE_COLLECTIONS_PATH = staged copy)
  build        ansible-galaxy collection build + install + playbook using the installed collection
  test         venv + sanity + units + fuzz-short + integration + lint + build (stops at the first failure)
  demo         run examples/supercluster.yml (or examples/demo.yml) on localhost
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

TEST_STAGES = ['venv', 'sanity', 'units', 'fuzz-short', 'integration', 'lint', 'build']
ALL_STAGES = TEST_STAGES + ['demo', 'fuzz', 'bench']


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


def run(cmd, cwd=None, env=None):
    """Run a command, streaming its output; raise StageError when it fails.

    Problem lines (ansible-test ERROR lines, ansible-lint rule hits, failed tasks) are collected so
    the summary can repeat them.
    """
    log('$ %s%s' % (' '.join(cmd), ('    (in %s)' % cwd) if cwd else ''))
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


def ansible_test_pip_version():
    """The pip version ansible-test bootstraps (pip='x.y' in python_requirements.py)."""
    pattern = os.path.join(VENV, 'lib', 'python*', 'site-packages', 'ansible_test', '_internal', 'python_requirements.py')
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
    """Build the tarball, install it into a temporary path and run a playbook that uses it."""
    env = base_env()
    dist = os.path.join(stage.tmp, 'dist')
    installed = os.path.join(stage.tmp, 'installed')
    run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', dist], cwd=stage.path, env=env)
    tarballs = glob.glob(os.path.join(dist, '%s-%s-*.tar.gz' % (NAMESPACE, NAME)))
    if len(tarballs) != 1:
        raise StageError('expected one tarball in %s, found %s' % (dist, tarballs))
    run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'install', '--force', '-p', installed, tarballs[0]],
        cwd=stage.tmp, env=env)
    manifest = os.path.join(installed, 'ansible_collections', NAMESPACE, NAME, 'MANIFEST.json')
    if not os.path.exists(manifest):
        raise StageError('installed collection has no MANIFEST.json: %s' % manifest)
    play_dir = os.path.join(stage.tmp, 'use-installed')
    os.makedirs(play_dir)
    playbook = os.path.join(play_dir, 'use_installed.yml')
    with open(playbook, 'w') as handle:
        handle.write(INSTALLED_PLAYBOOK % KNOWN_DIGEST)
    env['ANSIBLE_COLLECTIONS_PATH'] = installed
    run([os.path.join(VENV_BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
         '-e', 'ansible_python_interpreter=%s' % VENV_PYTHON, playbook], cwd=play_dir, env=env)


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


STAGE_FUNCS = {
    'sanity': stage_sanity,
    'units': stage_units,
    'integration': stage_integration,
    'lint': stage_lint,
    'build': stage_build,
    'demo': stage_demo,
    'fuzz': stage_fuzz,
    'fuzz-short': stage_fuzz_short,
    'bench': stage_bench,
}


# ---------------------------------------------------------------------------------------------
# driver


def summary(results, total):
    """Print the table of stage results."""
    log('')
    log('=' * 52)
    log('%-14s %-10s %10s' % ('stage', 'result', 'seconds'))
    log('-' * 52)
    for name, result, seconds in results:
        log('%-14s %-10s %10s' % (name, result, '%.1f' % seconds if seconds is not None else '-'))
    log('-' * 52)
    log('%-14s %-10s %10.1f' % ('total', '', total))
    log('=' * 52)


def main(argv):
    """Run the requested stages in order, stopping at the first failure."""
    wanted = []
    for arg in argv or ['test']:
        if arg == 'test':
            wanted.extend(TEST_STAGES)
        elif arg in ALL_STAGES:
            wanted.append(arg)
        else:
            log('unknown stage %r; known: test %s' % (arg, ' '.join(ALL_STAGES)))
            return 2
    if 'venv' not in wanted:
        wanted.insert(0, 'venv')
    order = []
    for name in wanted:
        if name not in order:
            order.append(name)

    results = []
    started = time.monotonic()
    stage = None
    failed = None
    try:
        for index, name in enumerate(order):
            log('')
            log('==> [%d/%d] %s' % (index + 1, len(order), name))
            t0 = time.monotonic()
            try:
                if name == 'venv':
                    stage_venv()
                else:
                    if stage is None:
                        stage = Stage()
                    STAGE_FUNCS[name](stage)
            except StageError as ex:
                seconds = time.monotonic() - t0
                results.append((name, 'FAILED', seconds))
                failed = (name, str(ex), ex.problems)
                log('<== %s FAILED after %.1f s: %s' % (name, seconds, ex))
                results.extend((rest, 'not run', None) for rest in order[index + 1:])
                break
            seconds = time.monotonic() - t0
            results.append((name, 'ok', seconds))
            log('<== %s ok (%.1f s)' % (name, seconds))
    except KeyboardInterrupt:
        failed = ('interrupted', 'KeyboardInterrupt', [])
    finally:
        if stage is not None:
            stage.cleanup()
    summary(results, time.monotonic() - started)
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
