# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Renderer tests: exact output, errors, and round trips judged by nats-server 2.15.1."""

from __future__ import annotations

import math
import re
import tempfile

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.digest import digest
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime
from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import (
    MAX_INDENT_LEVELS, plain_float, quote_string, render,
)
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text

SINK = "port = $t\nport = 4222\n"

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser
except ImportError:  # parser not available (yet)
    conf_parser = None

needs_parser = pytest.mark.skipif(conf_parser is None, reason="conf_parser not available")


# ---- exact output --------------------------------------------------------------------------

def test_render_exact_layout():
    values = {
        "port": 4222,
        "server_name": "n1",
        "cluster": {
            "name": "c1",
            "routes": ["nats://a:6222", "nats://b:6222"],
            "x": [1, -2, [3, {}], {"a": 1.5, "b": []}],
            "empty": {},
        },
        "include": "x",
        "a b": "q\"'\n\t\x01\x7f\udcff \u00e9",
        "it's": 1e-7,
        'say "hi"': True,
        "when": GoTime("2024-02-29T12:00:00Z"),
        "off": False,
    }
    assert render(values) == (
        'port: 4222\n'
        'server_name: "n1"\n'
        'cluster {\n'
        '  name: "c1"\n'
        '  routes: [\n'
        '    "nats://a:6222"\n'
        '    "nats://b:6222"\n'
        '  ]\n'
        '  x: [\n'
        '    1\n'
        '    -2\n'
        '    [\n'
        '      3\n'
        '      {}\n'
        '    ]\n'
        '    {\n'
        '      a: 1.5\n'
        '      b: []\n'
        '    }\n'
        '  ]\n'
        '  empty {}\n'
        '}\n'
        '"include": "x"\n'
        '"a b": "q\\"\'\\n\\t\\x01\\x7f\\xff \u00e9"\n'
        '"it\'s": 0.0000001\n'
        '\'say "hi"\': true\n'
        'when: 2024-02-29T12:00:00Z\n'
        'off: false\n'
    )


def test_render_indent_and_empty():
    assert render({}) == ""
    assert render({"a": {"b": [1]}}, indent=4) == "a {\n    b: [\n        1\n    ]\n}\n"
    assert render({"a": {"b": 1}}, indent=0) == "a {\nb: 1\n}\n"


def test_include_keys_quoted_any_case():
    for key in ("include", "INCLUDE", "Include", "iNcLuDe"):
        assert render({key: {"a": 1}}) == '"%s" {\n  a: 1\n}\n' % key


def test_tuples_are_lists_and_bytes_are_strings():
    assert render({"a": (1, "x"), b"k": b"\xff\xc3\xa9"}) == 'a: [\n  1\n  "x"\n]\nk: "\\xff\u00e9"\n'


def test_quote_string_escapes():
    assert quote_string("\x00\x1b\x7f\t\n\r\"\\$#'") == '"\\x00\\x1b\\x7f\\t\\n\\r\\"\\\\$#\'"'


# ---- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("values,message", [
    ({"cluster": {"routes": [None]}}, "cannot render None at cluster.routes[0]"),
    ({"a": {1, 2}}, "cannot render a value of type set at a"),
    ({"x": [{"y": object()}]}, "cannot render a value of type object at x[0].y"),
    ({"a": float("nan")}, "cannot render the float nan (nats-server has no inf/nan) at a"),
    ({"a": [float("-inf")]}, "cannot render the float -inf (nats-server has no inf/nan) at a[0]"),
    ({"a": 2 ** 63}, "cannot render the integer 9223372036854775808 (outside the int64 range) at a"),
    ({"a": -(2 ** 63) - 1}, "cannot render the integer -9223372036854775809 (outside the int64 range) at a"),
    ({"m": {"a'\"b": 1}}, "cannot render key 'a\\'\"b': conf keys cannot contain both quote characters at m.a'\"b"),
    ({"m": {"a\x00": 1}}, "cannot render a key containing a NUL byte at m.a\x00"),
    ({"m": {3: 1}}, "cannot render a map key of type int (3) at m[3]"),
    ({"d": GoTime("2024-01-01 00:00:00")}, "cannot render the datetime '2024-01-01 00:00:00' (expected YYYY-MM-DDTHH:MM:SSZ) at d"),
    ({"d": GoTime("2023-02-29T00:00:00Z")}, "cannot render the invalid datetime '2023-02-29T00:00:00Z' at d"),
    ({"d": GoTime("2023-01-01T24:00:00Z")}, "cannot render the invalid datetime '2023-01-01T24:00:00Z' at d"),
    ({"s": "\ud800"}, "cannot render a lone surrogate U+D800 at s"),
    ({"\u00e9": 1, b"\xc3\xa9": 2}, "cannot render a duplicate key (same bytes as an earlier key) at \u00e9"),
])
def test_render_errors(values, message):
    with pytest.raises(ValueError) as info:
        render(values)
    assert str(info.value) == message


def test_render_top_level_must_be_mapping():
    with pytest.raises(ValueError, match="cannot render list at the top level: a mapping is required"):
        render([1])


# ---- floats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value,text", [
    (0.0, "0.0"), (-0.0, "-0.0"), (1.0, "1.0"), (1e-7, "0.0000001"), (1.5e-10, "0.00000000015"),
    (123.456, "123.456"), (1e21, "1000000000000000000000.0"), (-2.5, "-2.5"), (0.1, "0.1"),
    (5e-324, "0." + "0" * 323 + "5"), (1e300, "1" + "0" * 300 + ".0"),
])
def test_plain_float(value, text):
    assert plain_float(value) == text


@settings(max_examples=3000, derandomize=True, deadline=None, database=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_plain_float_round_trips(f):
    text = plain_float(f)
    assert re.match(r"-?[0-9]+\.[0-9]+\Z", text)
    back = float(text)
    assert back == f
    assert math.copysign(1.0, back) == math.copysign(1.0, f)


# ---- hypothesis data -------------------------------------------------------------------------

SPECIAL = [
    "", " ", "#", "#c", "//", "/", "$", "$a", "$2a$11$abc", "include", "INCLUDE", "include x", "1k", "1K", "1kbi",
    "30s", "1m", "1e5", "1.5", "-1", "+1", "007", ".5", "1.", "true", "TRUE", "yes", "no", "on", "off", "false",
    "2024-01-01T00:00:00Z", "127.0.0.1:4222", "[1, 2]", "{a: 1}", "(", ")", "\n)\n", '"', "'", "\\", "\\x41",
    "a b", "\t", "\r\n", "\x00", "\x7f", "<&>", "\u2028", "\u00e9", "\U0001F600", "\ufeff", "\u00a0", "a=b",
    "key: value", ";", ",", "]", "}", "{", "[",
]

RAW_BYTES = st.binary(max_size=6).map(lambda b: b.decode("utf-8", "surrogateescape"))
STRINGS = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=12), RAW_BYTES)
KEYS = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=10), RAW_BYTES).filter(
    lambda k: "\x00" not in k and not ('"' in k and "'" in k))
INTS = st.one_of(st.integers(-(2 ** 63), 2 ** 63 - 1),
                 st.sampled_from([0, 1, -1, 2 ** 63 - 1, -(2 ** 63), 1000, 1024, 4222]))
FLOATS = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([0.0, -0.0, 1e-7, 1e21, 5e-324, 1.7976931348623157e308, 0.1]))
TIMES = st.one_of(
    st.datetimes().map(lambda d: GoTime("%04d-%02d-%02dT%02d:%02d:%02dZ" % (
        d.year, d.month, d.day, d.hour, d.minute, d.second))),
    st.sampled_from([GoTime("0000-02-29T23:59:59Z"), GoTime("2024-02-29T12:00:00Z")]),
)
SCALARS = st.one_of(STRINGS, INTS, FLOATS, st.booleans(), TIMES)
DATA = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=20,
)


def _render_or_reject(values):
    try:
        return render(values)
    except ValueError as exc:
        # distinct Python keys that are the same bytes (surrogate-escaped vs real) cannot coexist in a conf map
        assume("duplicate key" not in str(exc))
        raise


@settings(max_examples=500, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(DATA)
def test_round_trip_against_binary(data):
    text = _render_or_reject({"t": data})
    expected = digest({"t": data, "port": 4222})
    with tempfile.TemporaryDirectory(prefix="render-rt-") as tmp:
        result = check_text(text + SINK, tmp)
    assert result.valid, "%s\n--- conf ---\n%s" % (result.error, text)
    assert result.digest == expected, text


def test_round_trip_against_binary_fixed_tricky(tmp_path):
    data = {
        "include": {"INCLUDE": "include", "a b": ["1k", "30s", "true", "$t", "#x", "2024-01-01T00:00:00Z"]},
        "\u00e9\U0001F600": [1, -1, 2 ** 63 - 1, -(2 ** 63), 0.0, -0.0, 1e-7, 1e300, 5e-324, True, False],
        'q"': {"'": ["\x00\x01\x1f\x7f\t\n\r\"\\", "\udcff\udcc3\udca9", "\u2028<&>"]},
        "": [[], {}, [[1]], {"": {}}],
        "t": GoTime("0000-01-01T00:00:00Z"),
    }
    text = render({"t": data})
    result = check_text(text + SINK, str(tmp_path))
    assert result.valid, result.error
    assert result.digest == digest({"t": data, "port": 4222})


# ---- round trip through our own parser ---------------------------------------------------------

def _norm(v):
    """Comparable form: strings as raw bytes, floats with sign, bool/int kept apart, dict order kept."""
    if isinstance(v, GoTime):
        return ("time", str(v))
    if isinstance(v, (str, bytes)):
        return ("str", v.encode("utf-8", "surrogateescape") if isinstance(v, str) else bytes(v))
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, int):
        return ("int", v)
    if isinstance(v, float):
        return ("float", repr(v))
    if isinstance(v, dict):
        return ("map", [(_norm(k), _norm(x)) for k, x in v.items()])
    if isinstance(v, (list, tuple)):
        return ("list", [_norm(x) for x in v])
    raise TypeError(type(v))


@needs_parser
@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.dictionaries(KEYS, DATA, max_size=5))
def test_round_trip_through_parser(values):
    text = _render_or_reject(values)
    result = conf_parser.parse_string(text)
    assert _norm(result.config) == _norm(values), text
    assert result.digest == digest(values)


@needs_parser
def test_parser_round_trip_deep():
    deep = {"a": 1}
    for i in range(500):
        deep = {"m": deep, "l": [i, "x", [[]], {"k": {}}]} if i % 50 == 0 else {"x": [deep] if i % 2 else deep}
    values = {"t": deep}
    text = render(values)
    assert conf_parser.parse_string(text).digest == digest(values)


# ---- depth ------------------------------------------------------------------------------------

def test_render_is_iterative_and_linear():
    v = "leaf"
    for _i in range(50000):
        v = {"k": [v]}
    text = render({"t": v})
    lines = text.splitlines()
    assert len(lines) == 2 * 50000 * 2 + 1
    assert max(len(line) for line in lines) <= 2 * MAX_INDENT_LEVELS + len('k: [') + 2
    assert lines[0] == "t {"
    assert lines[-1] == "}"
