# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parser quirk warnings: exact code, position and what the server really reads."""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks import registry as checks_registry
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import WARNING
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import QUIRK_CODES, parse_string


def warnings_of(text, **kw):
    r = parse_string(text, filename="q.conf", **kw)
    return r, [(w.code, w.line, w.column, w.path) for w in r.warnings]


def test_codes_are_registered_with_parser_scope():
    for code in QUIRK_CODES:
        entry = checks_registry.REGISTRY[code]
        assert entry.scope == "parser"
        assert entry.severity == WARNING
        assert entry.func is None
    assert set(QUIRK_CODES) == {
        "int-before-bracket", "size-suffix-not-duration", "duplicate-key", "dropped-key", "glued-comment",
        "dropped-quote", "crlf-block-string", "absolute-include"}


def test_int_before_bracket():
    r, ws = warnings_of("t = [1, 2]x]\n")
    assert r.config == {"t": [1, "2]x"]}
    assert ws == [("int-before-bracket", 1, 10, "t[1]")]
    assert "'2]" in r.warnings[0].message
    assert "[1, 2 ]" in r.warnings[0].hint
    dummy, ws = warnings_of("t = [1, 2 ]\nu = [1.5, -1, a, \"b\"]\n")
    assert ws == []


@pytest.mark.parametrize("text, expected", [
    ("ping_interval = 1m\n", [("size-suffix-not-duration", 1, 17, "ping_interval")]),
    ("x { write_deadline: 2G }\n", [("size-suffix-not-duration", 1, 21, "x.write_deadline")]),
    ("foo = 5m\n", [("size-suffix-not-duration", 1, 7, "foo")]),
    ("max_payload = 1M\n", []),
    ("max_file_store = 10G\n", []),
    ("ping_interval = \"1m\"\n", []),
    ("ping_interval = 60\n", []),
])
def test_size_suffix_not_duration(text, expected):
    r, ws = warnings_of(text)
    assert ws == expected
    if expected:
        assert "not a duration" in r.warnings[0].message


def test_size_suffix_message_shows_the_value():
    r, dummy = warnings_of("ping_interval = 1m\n")
    assert "(1000000)" in r.warnings[0].message
    assert r.warnings[0].hint == 'quote it ("1m") if a duration was meant'


def test_duplicate_key_mentions_both_positions():
    r, ws = warnings_of("a = 1\nb { c = 1\n  c = 2 }\na = 3\n")
    assert ws == [("duplicate-key", 3, 3, "b.c"), ("duplicate-key", 4, 1, "a")]
    assert "first set at q.conf:2:5" in r.warnings[0].message
    assert "first set at q.conf:1:1" in r.warnings[1].message
    assert r.config == {"a": 3, "b": {"c": 2}}


def test_duplicate_key_from_include():
    r, ws = warnings_of("a = 1\ninclude inc.conf\n", loader=lambda p: b"\na = 2\n")
    assert ws == [("duplicate-key", 2, 1, None)]
    assert r.warnings[0].file == "inc.conf"
    assert "first set at q.conf:1:1" in r.warnings[0].message


def test_dropped_key_unknown_suffix():
    r, ws = warnings_of("x = 1kbi\nt = 5\n")
    assert r.config == {"t": 5}
    assert ws == [("dropped-key", 1, 5, "x")]


def test_dropped_key_map_key_without_value():
    r, ws = warnings_of("t { a }\n")
    assert r.config == {"a": {}}
    assert ws == [("dropped-key", 1, 7, "t.a")]


@pytest.mark.parametrize("text, code, col, value", [
    ("t = abc#x\n", "glued-comment", 5, "abc#x"),
    ("t = 15#c\n", "glued-comment", 5, "15#c"),
    ("t = 1//c\n", "glued-comment", 5, "1//c"),
    ("t = yes'\n", "dropped-quote", 8, "yes"),
])
def test_glued_comment_and_dropped_quote(text, code, col, value):
    r, ws = warnings_of(text)
    assert r.config == {"t": value}
    assert ws == [(code, 1, col, "t")]
    assert "'%s'" % value in r.warnings[0].message


def test_no_glued_comment_warning_for_urls_and_real_comments():
    dummy, ws = warnings_of("u = nats://h:4222\nv = \"a#b\"\nw = 1 # c\nx = 1.5#c\n")
    assert ws == []


def test_crlf_block_string_error_has_hint():
    with pytest.raises(NatsConfError) as info:
        parse_string("t = (\r\nx\r\n)\r\n", filename="q.conf")
    assert info.value.message == "Parse error on line 4: 'Unexpected EOF processing block.'"
    assert "CRLF" in info.value.hint
    with pytest.raises(NatsConfError) as info:
        parse_string("t = (\nx\n", filename="q.conf")
    assert info.value.hint is None


def test_absolute_include():
    r, ws = warnings_of("include /inc.conf\n", loader=lambda p: b"a = 1\n")
    assert r.config == {"a": 1}
    assert ws == [("absolute-include", 1, 9, None)]
    assert "'inc.conf'" in r.warnings[0].message


def test_warnings_are_capped_per_code():
    r = parse_string("a = 1\n" * 120)
    assert len(r.warnings) == 51
    assert r.warnings[-1].message == "69 more 'duplicate-key' warnings not shown"


def test_clean_config_has_no_warnings():
    text = ("port: 4222\nserver_name: n1\nmax_payload: 1MB\nping_interval: \"2m\"\n"
            "cluster { name: c, listen: 0.0.0.0:6222, routes = [nats://a:6222, nats://b:6222 ] }\n")
    r, ws = warnings_of(text)
    assert ws == []
