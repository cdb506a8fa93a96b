# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixture configs per error check: the real nats-server is the judge.

Each directory under fixtures/checks/ holds ``bad.conf`` (a config `-t` accepts
or rejects, that must NOT start), ``fixed.conf`` (must start) and
``expect.json`` (our finding: code, the server's message, position, path).
``{P1}``..``{P3}`` are replaced by free 127.0.0.1 ports and ``{DIR}`` by a
temporary directory.

Parity: every bad config is started for real (``nats-server -c``, not -t) and
must exit with the quoted message; every fixed variant must start (then it is
stopped by PID). Servers run in parallel threads to keep the suite short.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from ansible_collections.natsops.nats.tests.unit.nats_harness import free_ports, startup_outcome

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures", "checks")
CASES = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))


def _read(case, name):
    with open(os.path.join(FIXTURES, case, name), "r", encoding="utf-8") as f:
        return f.read()


def expect(case):
    return json.loads(_read(case, "expect.json"))


def render(text, subst):
    return re.sub(r"\{(P[0-9]|DIR)\}", lambda m: str(subst[m.group(1)]), text)


def materialize(case, variant, base, ports=None):
    """Write case/variant into its own dir with fresh ports -> (dir, conf path, substitutions)."""
    d = os.path.join(str(base), "%s-%s" % (case, variant))
    os.makedirs(d, exist_ok=True)
    p1, p2, p3 = ports or free_ports(3)
    subst = {"P1": p1, "P2": p2, "P3": p3, "DIR": d}
    path = os.path.join(d, "nats.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(_read(case, variant + ".conf"), subst))
    return d, path, subst


def _outcome(key, job):
    """Start one (case, variant) for real -> (started, output, subst)."""
    d, path, subst = job
    log_file = expect(key[0]).get("log_file")
    started, text = startup_outcome(path, cwd=d, timeout=8.0, log_file=os.path.join(d, log_file) if log_file else None)
    if log_file and key[1] == "bad":
        # the reason must be in the log file only: stderr stays empty
        with open(path + ".stderr", "rb") as f:
            stderr = f.read().decode("utf-8", "replace")
        assert expect(key[0])["server_message"].split(":")[0] not in stderr, stderr
    return started, text, subst


_OUTCOMES = {}


class _LazyOutcomes(object):
    """{(case, variant): (started, output, subst)}, each started on first use and remembered.

    ansible-test runs every unit test in its own forked process (its ansible_forked plugin), so a
    module-scoped fixture that starts every server would run again for each test; here a test
    starts only the server it looks at (and plain pytest still reuses what it already started).
    """

    def __init__(self, base):
        self.base = base

    def __getitem__(self, key):
        if key not in _OUTCOMES:
            _OUTCOMES[key] = _outcome(key, materialize(key[0], key[1], self.base))
        return _OUTCOMES[key]


@pytest.fixture
def outcomes(tmp_path):
    """Lazy {(case, variant): (started, output, subst)} (see _LazyOutcomes)."""
    return _LazyOutcomes(tmp_path)


@pytest.mark.parametrize("case", CASES)
def test_bad_config_refuses_to_start(case, outcomes):
    started, text, subst = outcomes[(case, "bad")]
    exp = expect(case)
    msgs = [render(m, subst) for m in [exp["server_message"]] + (exp.get("alt") or [])]
    assert not started, "%s started although it should fail:\n%s" % (case, text[-2000:])
    assert any(m in text for m in msgs), "%s: none of %r in server output:\n%s" % (case, msgs, text[-2000:])


@pytest.mark.parametrize("case", CASES)
def test_fixed_config_starts(case, outcomes):
    started, text, dummy = outcomes[(case, "fixed")]
    assert started, "%s fixed variant did not start:\n%s" % (case, text[-2000:])


def _parser_available():
    try:
        from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        return False
    return True


needs_parser = pytest.mark.skipif(not _parser_available(), reason="parser not available yet")


@needs_parser
@pytest.mark.parametrize("case", CASES)
def test_bad_config_finding(case, tmp_path):
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
    d, path, subst = materialize(case, "bad", tmp_path)
    exp = expect(case)
    with open(path, "r", encoding="utf-8") as f:
        text = f.read()
    result, findings = validate_text(text, filename="nats.conf", base_dir=d)
    assert result is not None
    mine = [f for f in findings if f.code == exp["code"]]
    assert mine, "%s: no %s finding in %r" % (case, exp["code"], findings)
    msgs = [render(m, subst) for m in [exp["server_message"]] + (exp.get("alt") or [])]
    hit = [f for f in mine if any(m in f.message for m in msgs)]
    assert hit, "%s: server text %r not quoted in %r" % (case, msgs, [f.message for f in mine])
    f = hit[0]
    assert f.severity == "error"
    if exp.get("log_file"):
        assert "only in the log file" in f.hint
    assert (f.file, f.line, f.column, f.path) == ("nats.conf", exp["line"], exp["column"], exp["path"]), f.to_dict()
    assert f.hint


@needs_parser
@pytest.mark.parametrize("case", CASES)
def test_fixed_config_has_no_error(case, tmp_path):
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
    d, path, dummy = materialize(case, "fixed", tmp_path)
    with open(path, "r", encoding="utf-8") as f:
        text = f.read()
    dummy, findings = validate_text(text, filename="nats.conf", base_dir=d)
    errors = [f.format() for f in findings if f.severity == "error"]
    assert errors == [], case
