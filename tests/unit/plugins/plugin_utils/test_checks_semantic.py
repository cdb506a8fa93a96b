# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Semantic option processing (issue 11 part 2), judged by the real nats-server 2.15.1.

For every case of ``semantic_cases.CASES``: ``nats-server -t`` rejects the config with the exact
text, and our findings hold an error of the case's code whose message starts with that text.
For every config of ``VALID``: ``nats-server -t`` accepts it and none of our findings that ``-t`` fails on is an error.
"""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import fails_dash_t, validate_text
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text
from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils.semantic_cases import CASES, RANDOM, VALID

HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = os.path.join(HERE, "data", "certs")
HEAD = "listen: 127.0.0.1:-1\n"


def _text(conf, tmpdir):
    return HEAD + conf.replace("{C}", CERTS).replace("{D}", str(tmpdir)) + "\n"


def _ours(text, tmpdir):
    dummy, findings = validate_text(text, filename=os.path.join(str(tmpdir), "test.conf"), base_dir=str(tmpdir))
    return findings


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_server_and_we_agree(case, tmp_path):
    name, conf, code, expected = case
    text = _text(conf, tmp_path)
    # a tuple: the server's text depends on Go's random map order, it prints one of them
    alternatives = expected if isinstance(expected, tuple) else (expected,)
    res = check_text(text, str(tmp_path))
    assert res.error is not None, "nats-server accepted %s" % name
    assert any(e in res.error for e in alternatives), res.error
    findings = _ours(text, tmp_path)
    mine = [f for f in findings if f.code == code and f.severity == "error"]
    matched = [e for f in mine for e in alternatives if f.message.startswith(e)]
    assert len(matched) == 1, findings
    # one owner per server text: no other check says it too
    assert [f.format() for f in findings if f.code != code and f.message.startswith(matched[0])] == []
    found = [f for f in mine if f.message.startswith(matched[0])][0]
    assert found.line is not None and found.line >= 2
    # at the server's position (it prints the outermost first when it prints two)
    # (the parser's model puts a quoted string or an array's map item at its opening quote or brace; the
    # server one column further: both are accepted here, the model's positions are the parser's business)
    where = _server_position(res.error, matched[0])
    if where is not None and name not in POSITION_DIFFERS:
        assert (found.line, found.column) in (where, (where[0], where[1] - 1)), (found.format(), res.error)


# the server points at the end of the array holding a map item here, we point at the item; for
# exp_dup_threshold it points at whichever of threshold/response_threshold Go's map order sees second
POSITION_DIFFERS = ("map_no_weight", "imp_svc_dup_subject", "exp_dup_threshold")


def _server_position(error, text):
    for line in error.splitlines():
        if text in line:
            m = re.match(r"^[^\s:]+\.conf:(\d+):(\d+): ", line)
            return (int(m.group(1)), int(m.group(2))) if m else None
    return None


@pytest.mark.parametrize("case", VALID, ids=[c[0] for c in VALID])
def test_valid_configs_have_no_errors(case, tmp_path):
    name, conf = case
    text = _text(conf, tmp_path)
    res = check_text(text, str(tmp_path))
    assert res.valid, "%s: %s" % (name, res.error)
    # judged by `-t`: none of our findings that `-t` would fail on (a start may still refuse: resolver_ok has no operator)
    errors = [f for f in _ours(text, tmp_path) if f.severity == "error" and fails_dash_t(f)]
    assert errors == []


def test_cases_have_unique_ids():
    ids = [c[0] for c in CASES] + [c[0] for c in VALID]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", RANDOM, ids=[c[0] for c in RANDOM])
def test_map_order_dependent_cases(case, tmp_path):
    """The server rejects these only in some runs (Go map order): it must reject within 40 runs, we always do."""
    name, conf, code, expected = case
    text = _text(conf, tmp_path)
    errors = []
    for dummy in range(40):
        res = check_text(text, str(tmp_path))
        if res.error is not None:
            errors.append(res.error)
            break
    assert errors and expected in errors[0], (name, errors)
    mine = [f for f in _ours(text, tmp_path) if f.code == code and f.severity == "error" and f.message.startswith(expected)]
    assert len(mine) == 1
