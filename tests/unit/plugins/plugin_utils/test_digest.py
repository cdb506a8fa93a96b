# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Digest / Go-JSON encoder tests (spec section 9), checked against nats-server 2.15.1."""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import struct

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.digest import (
    digest, go_json, json_float, json_string, DEPTH_ERROR_PREFIX, DEPTH_ERROR_SUFFIX,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime, NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import plain_float
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text

CASES_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "parser_cases.json")
SINK = "\nport = $t\nport = 4222\n"


def _load_cases():
    if not os.path.exists(CASES_PATH):
        return []
    with open(CASES_PATH) as f:
        return json.load(f)


CASES = _load_cases()
JSON_CASES = [c for c in CASES if c.get("valid") and "json" in c]


# ---- section 9.4: five hand-written cases -------------------------------------------------

HAND = [
    ({"server_name": "bar"},
     '{"server_name":"bar"}',
     "sha256:026907a61901a70d388bec18ea8d0ef83e45a9d500d2ad0e69af39bdd52c96e0"),
    ({"server_name": "<n&1>", "port": 4222},
     '{"port":4222,"server_name":"\\u003cn\\u00261\\u003e"}',
     "sha256:d9028f392c1d0575343ceaaafa4ce0b5dac646405b69b80152a007be2356ce2f"),
    ({"t": {"d": True, "c": [1.5, 1e-7, -0.0], "b": 2048, "a": 1000}, "port": 4222},
     '{"port":4222,"t":{"a":1000,"b":2048,"c":[1.5,1e-7,-0],"d":true}}',
     "sha256:64c6beebcfe69b2e0e8d1f89c5f9fb702e9373b6788d809d14dbe94e0870ba05"),
    ({"t": GoTime("2024-02-29T12:00:00Z"), "port": 4222},
     '{"port":4222,"t":"2024-02-29T12:00:00Z"}',
     "sha256:f639de45601f9f80961120cddf9d951cff23217d23a434aac691d8387b94a478"),
    ({"t": {"\u00e9": "\udcff\x01", "B": "\nx\n", "a": "127.0.0.1:4222"}, "port": 4222},
     '{"port":4222,"t":{"B":"\\nx\\n","a":"127.0.0.1:4222","\u00e9":"\ufffd\\u0001"}}',
     "sha256:056fc37037d64f6b92ebc377b46b8cabd00700f8e5ab67585574ddc40d3943c9"),
]


@pytest.mark.parametrize("values,text,expected", HAND)
def test_hand_written_digests(values, text, expected):
    assert go_json(values) == text.encode("utf-8")
    assert digest(values) == expected
    assert expected == "sha256:" + hashlib.sha256(text.encode("utf-8") + b"\n").hexdigest()


def test_foo_bar_example():
    assert digest({"foo": "bar"}) == "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de"


# ---- every valid spec case with a json field ----------------------------------------------

def _values_from_json(text):
    """Python values whose Go JSON is `text`: JSON ints stay ints, '-0' and non-integers are floats."""
    def parse_int(s):
        return -0.0 if s == "-0" else int(s)
    return json.loads(text, parse_int=parse_int, parse_float=float)


def _shuffled(v, rnd):
    """Same data, dict insertion order shuffled (the encoder must sort)."""
    if isinstance(v, dict):
        keys = list(v)
        rnd.shuffle(keys)
        return dict((k, _shuffled(v[k], rnd)) for k in keys)
    if isinstance(v, list):
        return [_shuffled(x, rnd) for x in v]
    return v


@pytest.mark.skipif(not CASES, reason="spec case file not available")
def test_case_file_present():
    assert len(JSON_CASES) >= 50


@pytest.mark.parametrize("case", JSON_CASES, ids=[c["name"] for c in JSON_CASES])
def test_spec_case_json(case):
    values = _shuffled(_values_from_json(case["json"]), random.Random(7))
    assert go_json(values) == case["json"].encode("utf-8")
    assert digest(values) == case["digest"]


# ---- strings -----------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("plain", b'"plain"'),
    ("", b'""'),
    ('q"b\\s', b'"q\\"b\\\\s"'),
    ("\b\f\n\r\t", b'"\\b\\f\\n\\r\\t"'),
    ("\x00\x1b\x1f\x7f", b'"\\u0000\\u001b\\u001f\x7f"'),
    ("<a&b>", b'"\\u003ca\\u0026b\\u003e"'),
    ("\u2028\u2029\u2027", b'"\\u2028\\u2029\xe2\x80\xa7"'),
    ("\u00e9\U0001F600", '"\u00e9\U0001F600"'.encode("utf-8")),
    ("\udcff", b'"\xef\xbf\xbd"'),
    ("\udcc3\udca9", '"\u00e9"'.encode("utf-8")),                       # bytes forming valid UTF-8
    ("\udce2\udc82a", b'"\xef\xbf\xbd\xef\xbf\xbda"'),                 # truncated sequence: one U+FFFD per byte
    ("\udced\udca0\udc80", b'"' + b"\xef\xbf\xbd" * 3 + b'"'),          # encoded surrogate
    (b"\xff<", b'"\xef\xbf\xbd\\u003c"'),
    (b"\xc3\xa9", '"\u00e9"'.encode("utf-8")),
])
def test_json_string(value, expected):
    assert json_string(value) == expected


def test_invalid_utf8_against_binary(tmp_path):
    text = 't = "\\xff\\xe9 \\xed\\xa0\\x80 \\xe2\\x82a \\xc3\\xa9 \\xf0\\x9f\\x98"' + SINK
    r = check_text(text, str(tmp_path))
    assert r.valid, r.error
    values = {"t": "\udcff\udce9 \udced\udca0\udc80 \udce2\udc82a \udcc3\udca9 \udcf0\udc9f\udc98", "port": 4222}
    assert digest(values) == r.digest
    bvalues = {"t": b"\xff\xe9 \xed\xa0\x80 \xe2\x82a \xc3\xa9 \xf0\x9f\x98", "port": 4222}
    assert digest(bvalues) == r.digest


def test_key_sorting_is_bytewise():
    values = {"\U0001F600": 1, "\uff61": 2, "\u00e9": 3, "a": 4, "_": 5, "B": 6, b"\xff": 7, "\udcfe": 8}
    assert go_json(values) == ('{"B":6,"_":5,"a":4,"\u00e9":3,"\uff61":2,"\U0001F600":1,"\ufffd":8,"\ufffd":7}').encode("utf-8")


def test_key_sorting_against_binary(tmp_path):
    text = 't { "\U0001F600" = 1, "\uff61" = 2, "\u00e9" = 3, a = 4, _ = 5, B = 6, "<&>" = 7 }' + SINK
    r = check_text(text, str(tmp_path))
    assert r.valid, r.error
    values = {"t": {"a": 4, "\U0001F600": 1, "B": 6, "\u00e9": 3, "_": 5, "\uff61": 2, "<&>": 7}, "port": 4222}
    assert digest(values) == r.digest


# ---- scalars -----------------------------------------------------------------------------

def test_bool_before_int():
    assert go_json([True, False, 1, 0, -9223372036854775808, 9223372036854775807]) == \
        b"[true,false,1,0,-9223372036854775808,9223372036854775807]"


def test_gotime_is_a_string():
    assert go_json({"d": GoTime("0000-01-01T00:00:00Z")}) == b'{"d":"0000-01-01T00:00:00Z"}'


def test_empty_containers():
    assert go_json({}) == b"{}"
    assert go_json({"a": [], "b": {}, "c": ()}) == b'{"a":[],"b":{},"c":[]}'


@pytest.mark.parametrize("value,expected", [
    (0.0, b"0"), (-0.0, b"-0"), (1.0, b"1"), (-2.5, b"-2.5"), (0.1, b"0.1"),
    (1e-7, b"1e-7"), (1.5e-10, b"1.5e-10"), (0.000001, b"0.000001"), (0.0000012345, b"0.0000012345"),
    (9.99999e-7, b"9.99999e-7"), (1e20, b"100000000000000000000"), (1e21, b"1e+21"), (1e23, b"1e+23"),
    (123456789012345678901234567890.0, b"1.2345678901234568e+29"), (5e-324, b"5e-324"),
    (1.7976931348623157e308, b"1.7976931348623157e+308"), (3.141592653589793, b"3.141592653589793"),
    (123456789.125, b"123456789.125"), (-1e-300, b"-1e-300"), (2 ** 53 + 0.0, b"9007199254740992"),
])
def test_json_float(value, expected):
    assert json_float(value) == expected


def test_nan_inf_rejected():
    for bad in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            json_float(bad)


def test_unsupported_type_names_path():
    with pytest.raises(TypeError, match=r"cannot encode NoneType at cluster\.routes\[1\]"):
        go_json({"cluster": {"routes": ["a", None]}})
    with pytest.raises(TypeError, match="cannot encode set at the top level"):
        go_json(set())


def _random_floats(rnd, n):
    out = []
    while len(out) < n:
        kind = rnd.random()
        if kind < 0.4:
            f = struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0]
        elif kind < 0.7:
            f = rnd.uniform(-1, 1) * 10 ** rnd.randint(-12, 25)
        else:
            f = round(rnd.uniform(0, 1000), rnd.randint(0, 6))
        if not math.isnan(f) and not math.isinf(f):
            out.append(f)
    return out


def test_random_floats_against_binary(tmp_path):
    """300 random floats, written in plain decimal, hashed by the server and by us."""
    floats = _random_floats(random.Random(20261125), 300)
    text = "t = [\n" + "\n".join(plain_float(f) for f in floats) + "\n]" + SINK
    r = check_text(text, str(tmp_path))
    assert r.valid, r.error
    assert digest({"t": floats, "port": 4222}) == r.digest


# ---- depth limit (section 9.3) -------------------------------------------------------------

def _nest(n, inner=None):
    v = [] if inner is None else [inner]
    for _i in range(n - 1):
        v = [v]
    return v


def _nest_text(n, inner=""):
    return "[" * n + inner + "]" * n


def _depth_k(values):
    try:
        digest(values)
    except NatsConfError as exc:
        msg = exc.message
        k = msg.count(DEPTH_ERROR_PREFIX)
        assert msg == DEPTH_ERROR_PREFIX * k + DEPTH_ERROR_SUFFIX
        return k
    return 0


def _server_k(text, tmp_path):
    # a 10,000-deep document takes the server about 7 s on an idle 2-core machine, several times that under load
    r = check_text(text, str(tmp_path), timeout=180)
    if r.valid:
        return 0, r.digest
    k = r.error.count(DEPTH_ERROR_PREFIX)
    assert r.error == DEPTH_ERROR_PREFIX * k + DEPTH_ERROR_SUFFIX, r.error
    return k, None


def test_depth_error_text_exact():
    with pytest.raises(NatsConfError) as info:
        digest({"t": _nest(10000), "port": 4222})
    assert info.value.message == "json: error calling MarshalJSON for type *conf.token: exceeded max depth"
    with pytest.raises(NatsConfError) as info:
        digest({"t": _nest(10001), "port": 4222})
    assert info.value.message == ("json: error calling MarshalJSON for type *conf.token: "
                                  "json: error calling MarshalJSON for type *conf.token: exceeded max depth")


# (conf text, values, expected k); every row was verified against nats-server 2.15.1, the rows
# marked True are re-run against the binary here (deep documents take the server seconds each).
DEPTH_SHAPES = [
    ("t = " + _nest_text(9999), {"t": _nest(9999)}, 0, True),
    ("t = " + _nest_text(10000), {"t": _nest(10000)}, 1, True),
    ("t = " + _nest_text(10001), {"t": _nest(10001)}, 2, True),
    ("t = " + _nest_text(10004), {"t": _nest(10004)}, 5, False),
    ("t = " + _nest_text(9999, "1 "), {"t": _nest(9999, 1)}, 0, False),
    ("t = " + _nest_text(9999, "{}"), {"t": _nest(9999, {})}, 1, False),
    ("t { a: %s, b: %s }" % (_nest_text(9999), _nest_text(10003)), {"t": {"a": _nest(9999), "b": _nest(10003)}}, 5, True),
    ("t = [ [ %s, %s ], 1 ]" % (_nest_text(9999), _nest_text(10003)), {"t": [[_nest(9999), _nest(10003)], 1]}, 6, False),
    ("t = [ %s, { x: %s }, %s ]" % (_nest_text(10001), _nest_text(10007), _nest_text(10003)),
     {"t": [_nest(10001), {"x": _nest(10007)}, _nest(10003)]}, 3, True),
]


@pytest.mark.parametrize("text,values,k,on_binary", DEPTH_SHAPES, ids=["shape%d" % i for i in range(len(DEPTH_SHAPES))])
def test_depth_shapes(text, values, k, on_binary, tmp_path):
    values = dict(values, port=4222)
    assert _depth_k(values) == k
    if not on_binary:
        return
    server_k, server_digest = _server_k(text + SINK, tmp_path)
    assert server_k == k
    if k == 0:
        assert digest(values) == server_digest


def test_depth_first_top_level_key_wins(tmp_path):
    text = "a = %s\nb = %s\nport = $a\nport = $b\nport = 4222\n" % (_nest_text(10001), _nest_text(10004))
    assert _depth_k({"a": _nest(10001), "b": _nest(10004), "port": 4222}) == 2
    assert _server_k(text, tmp_path)[0] == 2


def test_iterative_50000_deep():
    deep = _nest(50000)
    assert _depth_k({"t": deep}) == 40001
    deep_map = {}
    node = deep_map
    for _i in range(50000):
        node["a"] = {}
        node = node["a"]
    assert _depth_k(deep_map) == 40001  # root + 50000 maps = depth 50001


def test_deep_but_allowed_is_iterative():
    v = {"t": _nest(9998, {"x": "y"})}     # levels: root 1, lists 2..9999, inner map 10000
    out = go_json(v)
    assert out == b'{"t":' + b"[" * 9998 + b'{"x":"y"}' + b"]" * 9998 + b"}"
    assert _depth_k({"t": _nest(9999, {"x": "y"})}) == 1


def test_large_config_digest():
    # speed is measured by benchmarks/bench_parser.py against nats-server -t, not asserted here
    rnd = random.Random(3)
    values = {}
    for i in range(4000):
        values["key_%05d" % i] = {
            "name": "server-%d" % i, "urls": ["nats://host-%d.example.com:%d" % (i, 4222 + j) for j in range(5)],
            "limit": rnd.randint(0, 10 ** 9), "ratio": rnd.random(), "on": bool(i % 2), "text": "x <%d> & y" % i,
        }
    encoded = go_json(values)
    assert len(encoded) > 1200000
    assert digest(values) == "sha256:" + hashlib.sha256(encoded + b"\n").hexdigest()   # -t hashes the JSON and a newline
