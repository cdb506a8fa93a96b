# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batched fast paths of the lexer must be invisible: with and without them, every
document gives the same values, positions, used flags, warnings and exact errors.

No server needed, so this runs many thousands of documents."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.lexer import Lexer  # noqa: E402
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError  # noqa: E402
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string  # noqa: E402

SPACES = ["", " ", "  ", "\t", "\n", "\r\n", "\u3000", "\xa0", "\v", "\x00"]
KEYS = ["a", "user", "Port", "k_1", "x.y", "a-b", '"q"', '"quoted key"', "include", "INCLUDE", "B", "A1", "_", "'s'"]
SEPS = ["=", ":", " = ", ": ", " : ", "\t=\t", " ", "=\u3000", ":\xa0", " =\v", "\n=", "==", ":="]
SCALARS = ['"x"', '"a b"', '""', '"q\\"x"', '"é"', '"nats://h:1"', "0", "7", "42", "007", "99999999999999999999", "1k",
           "1]", "true", "no", "FALSE", "abc", "x.y.>", "_INBOX.>", "$a", "$user", '"$a"', "h:4222", "1.5", "-3", "10MB",
           '"2m"', "a/b", "a//b", "nats://h:4222", "*", "a#b", "it's", "a\\tb", "(\nblk\n)", "é", "\u3000x", "'sq'",
           "2020-01-01T00:00:00Z", "x]", "{}", "[]"]
ENDS = ["\n", ",\n", ", ", "; ", "\r\n", " # c\n", " // c\r\n", ",", ";", "  \n", "", " ", ",,", "\x00", "}", "]"]


@st.composite
def values(draw, depth):
    r = draw(st.integers(0, 9))
    if depth < 3 and r < 2:
        n = draw(st.integers(0, 3))
        items = [draw(values(depth + 1)) for dummy in range(n)]
        seps = draw(st.lists(st.sampled_from([", ", ",", "\n", ",\n", " ,", "\r\n", " /", "\u3000,", ";"]),
                             min_size=n, max_size=n))
        body = "".join(draw(st.sampled_from(SPACES[:7])) + it + sep for it, sep in zip(items, seps))
        return "[" + body + draw(st.sampled_from([" ]", "\n]", "]", ""]))
    if depth < 3 and r < 4:
        return "{" + draw(bodies(depth + 1)) + draw(st.sampled_from(["}", " }", "\n}", ""]))
    return draw(st.sampled_from(SCALARS))


@st.composite
def bodies(draw, depth):
    n = draw(st.integers(0, 4))
    out = draw(st.sampled_from(SPACES[:7]))
    for dummy in range(n):
        out += draw(st.sampled_from(SPACES[:4])) + draw(st.sampled_from(KEYS)) + draw(st.sampled_from(SEPS))
        out += draw(values(depth)) + draw(st.sampled_from(ENDS))
    return out


@st.composite
def documents(draw):
    body = draw(bodies(0))
    if draw(st.booleans()):
        body = "{" + body + draw(st.sampled_from(["}", "}\n", ""]))
    return body


def outcome(text):
    try:
        r = parse_string(text, filename="f.conf", env={"E": "1"}, loader=lambda p: b"i = 1\n")
    except NatsConfError as e:
        return ("error", e.message, e.line, e.column)
    return ("ok", r.config, dict(r.key_positions), dict(r.value_positions), set(r.used),
            [w.to_dict() for w in r.warnings])


def both(text):
    fast = outcome(text)
    Lexer.FAST = False
    try:
        slow = outcome(text)
    finally:
        Lexer.FAST = True
    return fast, slow


@settings(max_examples=1500, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_fast_path_is_invisible(text):
    fast, slow = both(text)
    assert fast == slow


@pytest.mark.parametrize("text", [
    "t { a =\u3000[ ] }\n",
    "t { a :\xa0$E }\n",
    "t = \u3000x\n",
    "a = 1, b = 2; c: 3\nd=4\r\ne: \"x\"\n",
    "{ \"a\": 1, \"b\": [1, 2 ], \"c\": { \"d\": true } }\n",
    "include = 1\nINCLUDE: 2\n",
    "a = [x, y, 1, \"z\" ]\n",
])
def test_fast_path_examples(text):
    fast, slow = both(text)
    assert fast == slow


def test_fast_path_switch_is_restored():
    assert Lexer.FAST is True
