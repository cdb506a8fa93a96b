# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every verified case of the spec (parser_cases.json) and every regression (regressions*.json).

layer parser/digest: our error text must equal the server's exactly; valid cases: same digest.
layer server: the server rejects the config in its option processing -- the parser must succeed
(and give ``parser_digest`` when the case has one).
"""

from __future__ import annotations

import glob
import json
import os
import re

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string

DATA = os.path.join(os.path.dirname(__file__), "data")


def _load(pattern):
    out = []
    for path in sorted(glob.glob(os.path.join(DATA, pattern))):
        with open(path) as f:
            for case in json.load(f):
                out.append(pytest.param(case, id="%s:%s" % (os.path.basename(path), case["name"])))
    return out


SPEC_CASES = _load("parser_cases.json")
REGRESSIONS = _load("regressions*.json")


def _raw(text):
    return text.encode("utf-8", "surrogateescape")


def run_case(case):
    files = {k: _raw(v) for k, v in (case.get("files") or {}).items()}

    def loader(path):
        if path in files:
            return files[path]
        if path in (".", ""):
            raise IsADirectoryError(21, "Is a directory", path)
        raise FileNotFoundError(2, "No such file or directory", path)

    return parse_string(_raw(case["input"]), filename="test.conf", env=case.get("env") or {}, loader=loader)


def _check(case):
    layer = case["layer"]
    if layer == "server":
        result = run_case(case)
        if case.get("parser_digest"):
            assert result.digest == case["parser_digest"]
        return
    if case["valid"]:
        assert run_case(case).digest == case["digest"]
        return
    with pytest.raises(NatsConfError) as info:
        run_case(case).digest   # noqa: B018  (digest errors are raised when it is computed)
    assert info.value.message == expected_error(case)


_ENV_PARSE_ERROR = re.compile(r"could not be parsed: Parse error on line \d+: '(.*)'\Z", re.S)


def expected_error(case):
    """The server's error text, with the one deliberate difference: env values are secrets, so the pieces
    of an env value that the server quotes in a lexer error are masked (issue 15)."""
    err = case["error"]
    m = _ENV_PARSE_ERROR.search(err)
    if case.get("env") and m:
        err = err[:m.start(1)] + re.sub(r"'[^']*'", "'********'", m.group(1)) + err[m.end(1):]
    return err


def test_case_files_are_loaded():
    assert len(SPEC_CASES) == 92
    assert len(REGRESSIONS) >= 100


@pytest.mark.parametrize("case", SPEC_CASES)
def test_spec_case(case):
    _check(case)


@pytest.mark.parametrize("case", REGRESSIONS)
def test_regression_case(case):
    _check(case)
