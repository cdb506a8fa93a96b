# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile input: deep nesting, NUL bytes, invalid UTF-8, huge files, cycles.

Every input ends in a result or a NatsConfError -- never RecursionError or another exception.
"""

from __future__ import annotations

import random
import sys

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import MAX_NESTING, Limits, parse_file, parse_string

J1 = "json: error calling MarshalJSON for type *conf.token: "


def outcome(text, **kw):
    try:
        r = parse_string(text, **kw)
    except NatsConfError as e:
        return "error", e.message
    try:
        return "ok", r.digest
    except NatsConfError as e:
        return "digest-error", e.message


def test_recursion_limit_is_not_involved():
    assert sys.getrecursionlimit() < 20000


@pytest.mark.parametrize("depth", [9999, 10000, 10002, 30000])
def test_deep_arrays(depth):
    kind, msg = outcome("t = " + "[" * depth + "]" * depth + "\n")
    # top map = level 1, t's arrays are levels 2..depth+1
    if depth + 1 <= 10000:
        assert kind == "ok"
    else:
        assert (kind, msg) == ("digest-error", J1 * (depth + 1 - 10000) + "exceeded max depth")


def test_deep_maps():
    depth = 20000
    text = "t " + "{a " * depth + "1" + "}" * depth + "\n"
    kind, msg = outcome(text)
    assert (kind, msg) == ("digest-error", J1 * (depth + 1 - 10000) + "exceeded max depth")
    node = parse_string(text).config["t"]
    for dummy in range(depth - 1):
        node = node["a"]
    assert node == {"a": 1}


def test_nesting_beyond_the_limit_is_a_clean_error():
    with pytest.raises(NatsConfError) as info:
        parse_string("t = " + "[" * (MAX_NESTING + 10))
    assert "nested deeper than %d levels" % MAX_NESTING in info.value.message


def test_unclosed_deep_nesting():
    assert outcome("t = " + "[" * 50000) == (
        "error", 'Parse error on line 1: \'Expected an array value terminator "," or an array terminator "]", '
                 "but got '\x00' instead.'")
    assert outcome("t = " + "{a " * 50000) == (
        "error", 'Parse error on line 1: \'Expected a map value terminator "," or a map terminator "}", '
                 "but got '\x00' instead.'")
    assert outcome("t = " + "{a: 1, " * 50000) == ("error", "Parse error on line 1: 'Unexpected EOF processing map.'")


@pytest.mark.parametrize("text, expected", [
    ("t = 1\x00\nport = $t\nport = 4222\n", ("ok", None)),
    ("\x00", ("error", "Parse error on line 1: 'Unexpected EOF.'")),
    ('t = "a\x00b"', ("error", "Parse error on line 1: 'Unexpected EOF.'")),
    ("t { a = 1 #c\x00 }", ("error", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '\x00' instead.'")),
    ('port = 4222\n"\x00garbage = = =', ("ok", None)),
])
def test_nul_bytes(text, expected):
    kind, msg = outcome(text)
    assert kind == expected[0]
    if expected[1] is not None:
        assert msg == expected[1]


def test_invalid_utf8_is_kept_byte_exact():
    r = parse_string(b't = "\xff\xfe"\nu = ab\xc3\n\xe9 = 1\n')
    assert r.config["t"] == "\udcff\udcfe"
    assert r.config["u"].encode("utf-8", "surrogateescape") == b"ab\xc3"
    assert "\udce9" in r.config
    # error messages show invalid bytes as U+FFFD, like a UTF-8 terminal shows the server's output
    with pytest.raises(NatsConfError) as info:
        parse_string(b"t = 1 \xff\n")
    assert info.value.message == ("Parse error on line 1: 'Expected a top-level value to end with a new line, "
                                  "comment or EOF, but got '\ufffd' instead.'")


def test_random_bytes_never_crash():
    rng = random.Random(1234)
    alphabet = b"ab1 =:{}[](),;#/\"'\\\n\r\t$.-x\x00\xff\xc3\xa9"
    for dummy in range(3000):
        data = bytes(rng.choice(alphabet) for dummy2 in range(rng.randint(0, 60)))
        outcome(data)        # must not raise anything but NatsConfError (handled in outcome)


def test_50mb_files(tmp_path):
    big = tmp_path / "big.conf"
    chunk = "# " + "x" * 1000 + "\n"
    with open(big, "w") as f:
        f.write("s = \"" + "a" * (20 * 1024 * 1024) + "\"\n")
        f.write("b = (\n" + ("line of a block string\n" * 400000) + ")\n")
        f.write(chunk * 20000)
        f.write("port = 4222\n")
    assert big.stat().st_size > 50 * 1000 * 1000
    with pytest.raises(NatsConfError) as info:
        parse_file(str(big))           # the default per-file cap is 16 MiB, checked before reading
    assert info.value.message == "open %s: file is too large (%d bytes; the per-file limit is 16777216 bytes)" % (
        big, big.stat().st_size)
    r = parse_file(str(big), limits=Limits(max_file_size=64 * 1024 * 1024))
    assert r.config["port"] == 4222
    assert len(r.config["s"]) == 20 * 1024 * 1024
    assert r.key_positions[("port",)].line == 400000 + 20000 + 4
    # the same file cut in the middle of the block string: a clean error
    data = big.read_bytes()[: 30 * 1000 * 1000]
    with pytest.raises(NatsConfError) as info:
        parse_string(data, filename="cut.conf", limits=Limits(max_file_size=64 * 1024 * 1024))
    assert info.value.message.endswith("'Unexpected EOF processing block.'")


def test_many_entries_and_duplicates_are_linear():
    text = "a = 1\n" * 200000
    r = parse_string(text)
    assert r.config == {"a": 1}
    assert len(r.warnings) == 51
    assert r.warnings[-1].message == "199949 more 'duplicate-key' warnings not shown"


def test_env_and_include_cycles_are_errors():
    with pytest.raises(NatsConfError):
        parse_string("t = $A\n", env={"A": "[$B]", "B": "{x: $A}"})
    with pytest.raises(NatsConfError):
        parse_string("include a\n", loader=lambda p: b"include a\n")
