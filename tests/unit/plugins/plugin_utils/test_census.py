# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The census: every nats-server 2.15.1 error template a config can trigger, judged by the real binary.

Data: ``data/census/census.json`` (format below), ``data/census/templates.txt`` (the 415 templates of
nats-server 2.15.1 that a config can trigger, ``PHASE<TAB>TEMPLATE``, from a census of its Go source)
and ``data/census/keys/`` (test nkeys and JWTs; certificates are made fresh by the test).

census.json is ``{"format": [...], "cases": [CASE, ...], "not_predicted": {TEMPLATE: WHY, ...}}``.
One CASE:

- ``id``: unique name; ``template``: one line of templates.txt (without the phase);
- ``phase``: ``parse`` (``nats-server -t`` reports it), ``startup`` (only a real start does) or
  ``host-dependent``; ``run``: ``t`` (judge with ``nats-server -t``) or ``start`` (a real start);
- ``conf``: the config, written as ``f.conf`` in a fresh case directory; ``files``: ``{relative path: text}``
  written beside it; ``mkdirs``: directories to create; ``env``: environment for the server and our parser;
- placeholders in all of these: ``@P0@`` .. ``@P5@`` free 127.0.0.1 ports, ``@D@`` the case directory,
  ``@C@`` a directory with ``ca.pem``, ``server.pem`` and ``server.key`` (made by the test),
  ``@KD@`` ``data/census/keys``, ``@NAME@`` the value of NAME in ``keys/keys.json``;
- ``expect``: text the server prints (``-t`` or start output) and that our finding's message contains;
- ``code``: the code of our finding that predicts it (severity must be ``error``; other findings may say the
  same text);
- ``location``: where the server points, as it prints it (``f.conf:LINE:COL``; on line 1 the server's
  column is 0-based, elsewhere 1-based), or null when it prints no position, when the position depends on Go's
  map order (``store_dir_dup``: which of the two ``store_dir`` keys is seen second) or when it is a spot our
  model keeps no position for (just past an array item's closing brace); our finding must be at the
  same place (we report 1-based columns everywhere, so line 1 is compared one column to the right);
- ``why_no_location`` (optional): why ``location`` is null although the server prints one;
- ``predicted`` (optional, default true): false for a host-dependent case we cannot decide from the text;
  then only the server side is asserted and ``why`` says why.

``not_predicted`` lists templates without a case on purpose, with the reason; docs/checks.md's census
chapter is generated from this file (``python tests/unit/plugins/plugin_utils/test_checks_docs.py --write``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile

import pytest

from ansible_collections.natsops.nats.tests.unit.nats_harness import check, free_ports, startup_outcome

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "census")
CENSUS = os.path.join(DATA, "census.json")
TEMPLATES = os.path.join(DATA, "templates.txt")
KEYS = os.path.join(DATA, "keys")
FIELDS = ("id", "template", "phase", "run", "conf", "files", "mkdirs", "env", "expect", "code", "location")
PHASES = ("parse", "startup", "host-dependent")


def load_census():
    with open(CENSUS, "r", encoding="utf-8") as f:
        return json.load(f)


def load_templates():
    """[(phase, template)] in file order."""
    out = []
    with open(TEMPLATES, "r", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                phase, text = line.split("\t", 1)
                out.append((phase, text))
    return out


def _cases():
    try:
        return load_census()["cases"]
    except (OSError, ValueError):
        return []


_CERTS = {}


def _cert_dir():
    """@C@: ca.pem, server.pem, server.key made once per process (valid for two days)."""
    if "dir" not in _CERTS:
        from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils.test_checks_valid_configs import make_certs
        path = tempfile.mkdtemp(prefix="census-certs-")
        make_certs(path)
        shutil.copyfile(os.path.join(path, "server-key.pem"), os.path.join(path, "server.key"))
        _CERTS["dir"] = path
    return _CERTS["dir"]


def substitute(text, case_dir, ports, certs):
    with open(os.path.join(KEYS, "keys.json"), "r", encoding="utf-8") as f:
        keys = json.load(f)
    text = text.replace("@D@", case_dir).replace("@KD@", KEYS)
    if "@C@" in text:
        text = text.replace("@C@", certs())
    for i, port in enumerate(ports):
        text = text.replace("@P%d@" % i, str(port))
    for name, value in keys.items():
        text = text.replace("@%s@" % name, str(value))
    return text


def materialize(case, case_dir):
    """Write the case into case_dir; return (conf text, env)."""
    ports = free_ports(6)

    def sub(text):
        return substitute(text, case_dir, ports, _cert_dir)
    for rel in case.get("mkdirs") or ():
        os.makedirs(os.path.join(case_dir, sub(rel)), exist_ok=True)
    for rel, content in (case.get("files") or {}).items():
        full = os.path.join(case_dir, sub(rel))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(sub(content))
    conf = sub(case["conf"])
    with open(os.path.join(case_dir, "f.conf"), "w", encoding="utf-8") as f:
        f.write(conf)
    env = dict((k, sub(v)) for k, v in (case.get("env") or {}).items())
    return conf, env, sub


_LOC = re.compile(r"(?:^|\s)(f\.conf|[^\s:]+\.conf):(\d+):(\d+): ")


def server_location(output, expect):
    """'f.conf:L:C' the server printed in front of the expected text (None when it printed none)."""
    for line in output.splitlines():
        if expect in line:
            m = _LOC.search(line.split(expect)[0])
            if m:
                return "%s:%s:%s" % (os.path.basename(m.group(1)), m.group(2), m.group(3))
            return None
    return None


def our_location(finding, case_dir):
    """Our finding's position written the way the server prints it (line 1: 0-based column)."""
    if finding.line is None:
        return None
    col = finding.column - 1 if finding.line == 1 else finding.column
    name = finding.file or "f.conf"
    if os.path.isabs(name):
        name = os.path.relpath(name, case_dir)
    return "%s:%d:%d" % (name, finding.line, col)


def run_server(case, case_dir, env):
    """The server's output for the case: `-t`, or a real start (stopped right after)."""
    if case["run"] == "t":
        res = check("f.conf", cwd=case_dir, env=env)
        return res.stderr
    started, text = startup_outcome(os.path.join(case_dir, "f.conf"), cwd=case_dir)
    return ("STARTED\n" if started else "") + text


def duplicates(hits):
    """Findings saying the same server text at the same position (two checks own one text): [(position, codes)]."""
    seen = {}
    for f in hits:
        seen.setdefault((f.file, f.line, f.column), []).append(f.code)
    return [(pos, codes) for pos, codes in seen.items() if len(codes) > 1]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["id"])
def test_census_case(case):
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
    case_dir = tempfile.mkdtemp(prefix="census-")
    try:
        conf, env, sub = materialize(case, case_dir)
        expect = sub(case["expect"])
        output = run_server(case, case_dir, env)
        assert expect in output, "nats-server did not print %r:\n%s" % (expect, output[-2000:])
        if case.get("location") is not None:
            assert server_location(output, expect) == case["location"], output[-2000:]
        if case.get("predicted", True) is False:
            return
        dummy, findings = validate_text(conf, filename=os.path.join(case_dir, "f.conf"), base_dir=case_dir, env=env)
        hits = [f for f in findings if expect in f.message]
        assert hits, "no finding says %r; findings: %s" % (expect, [f.format() for f in findings])
        assert duplicates(hits) == [], "one server text, one owner: %s" % duplicates(hits)
        mine = [f for f in hits if f.code == case["code"]]
        assert mine, "no %s finding says %r: %s" % (case["code"], expect, [f.format() for f in hits])
        hit = mine[0]
        assert hit.severity == "error", hit.format()
        if case.get("location") is not None:
            assert our_location(hit, case_dir) == case["location"], hit.format()
    finally:
        shutil.rmtree(case_dir, ignore_errors=True)


def test_census_format():
    data = load_census()
    templates = dict((t, p) for p, t in load_templates())
    assert len(load_templates()) == 415
    ids = [c["id"] for c in data["cases"]]
    assert sorted(set(i for i in ids if ids.count(i) > 1)) == []
    for case in data["cases"]:
        missing = [k for k in FIELDS if k not in case]
        assert missing == [], case["id"]
        assert case["template"] in templates, case["id"]
        assert case["phase"] == templates[case["template"]], case["id"]
        assert case["run"] in ("t", "start"), case["id"]
        if case.get("predicted", True) is False:
            assert case.get("why"), case["id"]
    for template, why in data["not_predicted"].items():
        assert template in templates and why, template


def test_census_codes_are_registered():
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
    data = load_census()
    unknown = sorted(set(c["code"] for c in data["cases"] if c.get("predicted", True) and c["code"] not in REGISTRY))
    assert unknown == []


def coverage():
    """{template: (phase, [codes], why or None)} in templates.txt order."""
    data = load_census()
    out = {}
    for phase, template in load_templates():
        codes = sorted(set(c["code"] for c in data["cases"] if c["template"] == template and c.get("predicted", True)))
        why = None
        if not codes:
            whys = [c.get("why") for c in data["cases"] if c["template"] == template and c.get("why")]
            why = data["not_predicted"].get(template) or (whys[0] if whys else None)
        out[template] = (phase, codes, why)
    return out


def docs_chapter():
    """The generated census chapter of docs/checks.md."""
    cov = coverage()
    predicted = sum(1 for v in cov.values() if v[1])
    explained = sum(1 for v in cov.values() if not v[1] and v[2])
    lines = ["", "## Server error census (nats-server 2.15.1)", "",
             "Every error or warning template a config can make nats-server 2.15.1 print (415, from a census of its",
             "source). *Predicted*: a case in `tests/unit/plugins/plugin_utils/data/census/census.json` is run on the",
             "real binary and through our checks, which must report the same text, as an error, at the server's",
             "position. %d of %d templates are predicted, %d are explained below as not predictable from the text, "
             "%d are not covered yet." % (predicted, len(cov), explained, len(cov) - predicted - explained),
             "", "| phase | template | predicted by / why not |", "|---|---|---|"]
    for template, (phase, codes, why) in cov.items():
        what = ", ".join("`%s`" % c for c in codes) if codes else ("not predicted: %s" % why if why else "not covered yet")
        lines.append("| %s | %s | %s |" % (phase, template.replace("|", "\\|"), what.replace("|", "\\|")))
    return "\n".join(lines) + "\n"


def test_docs_census_chapter_is_current():
    doc = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "docs", "checks.md"))
    with open(doc, "r", encoding="utf-8") as f:
        text = f.read()
    assert docs_chapter() in text, "docs/checks.md census chapter is stale: run test_checks_docs.py --write"
