# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No check crashes, whatever types the values have (a crash would be a check-internal-error finding)."""

from __future__ import annotations

import copy
import json
import os

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate, validate_text
from ansible_collections.natsops.nats.tests.unit.nats_harness import fake_parse_result

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures", "checks")
SPEC_CASES = os.path.join(HERE, "data", "parser_cases.json")

REPLACEMENTS = (-1, 1.5, "a b", False, ["x"], [{}], {"x": 1})


def _paths(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,)
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield path + (i,)
            yield from _paths(v, path + (i,))


def _set(config, path, value):
    node = config
    for seg in path[:-1]:
        node = node[seg]
    node[path[-1]] = value


def _configs():
    out = []
    for case in sorted(os.listdir(FIXTURES)):
        for variant in ("bad.conf", "fixed.conf"):
            with open(os.path.join(FIXTURES, case, variant), "r", encoding="utf-8") as f:
                text = f.read().replace("{P1}", "4222").replace("{P2}", "6222").replace("{P3}", "7222")
            out.append((case + "/" + variant, text.replace("{DIR}", "/tmp/x")))
    return out


@pytest.mark.parametrize("name,text", _configs(), ids=[n for n, t in _configs()])
def test_every_value_replaced_by_every_type(name, text):
    result, findings = validate_text(text, filename="nats.conf")
    assert result is not None, findings
    base = result.config
    for path in list(_paths(base)):
        for value in REPLACEMENTS:
            config = copy.deepcopy(base)
            _set(config, path, copy.deepcopy(value))
            found = validate(fake_parse_result(config))
            crashed = [f.message for f in found if f.code == "check-internal-error"]
            assert crashed == [], (name, path, value)


def test_spec_parser_cases_do_not_crash():
    if not os.path.exists(SPEC_CASES):
        pytest.skip("spec cases not available")
    with open(SPEC_CASES, "r", encoding="utf-8") as f:
        cases = json.load(f)
    for case in cases:
        text = case["input"]
        dummy, findings = validate_text(text, filename="test.conf", loader=lambda p: b"", env=case.get("env") or {})
        assert [f.message for f in findings if f.code == "check-internal-error"] == [], case["name"]


def test_top_level_not_a_map_and_odd_shapes():
    for config in ({"cluster": None}, {"accounts": [1, "A", None]}, {"leafnodes": {"remotes": [1, None, "x"]}},
                   {"gateway": {"gateways": [None, 1]}}, {"authorization": {"users": [None, "a"]}},
                   {"websocket": {"port": 1, "headers": [1]}}, {"jetstream": [], "cluster": {"port": 1}},
                   {"default_js_domain": {"A": 1}}, {"operator": [1, None]}, {"resolver": {"type": 1}}):
        found = validate(fake_parse_result(config))
        assert [f.message for f in found if f.code == "check-internal-error"] == [], config
