# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile input (issue 15): nothing may hang or eat the controller.

Reads only from regular files, size caps per file and per config tree checked before reading,
variable / env expansion within a work budget, env chains of any depth without recursion,
lone surrogates in text. Where the server is the judge, the expectation comes from nats-server.
"""

from __future__ import annotations

import os
import socket
import threading

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import (
    DEFAULT_LIMITS, Limits, default_loader, parse_file, parse_string,
)
from ansible_collections.natsops.nats.tests.unit import nats_harness

BUDGET = ("variable expansion exceeds the budget of %d values (variables and env references that reference each other "
          "multiply): nats-server expands every reference in full and would run for a very long time or run out of "
          "memory on this config")


def in_thread(func):
    """Run func in a thread: a regression (a blocking read) fails the test instead of hanging the run."""
    box = {}

    def target():
        try:
            box["value"] = func()
        except Exception as exc:  # pylint: disable=broad-except
            box["error"] = exc
    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(120)
    assert not t.is_alive(), "blocked"
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_default_limits():
    assert (DEFAULT_LIMITS.max_file_size, DEFAULT_LIMITS.max_total_size, DEFAULT_LIMITS.max_expansion) == (
        16 * 1024 * 1024, 64 * 1024 * 1024, 100000)
    with pytest.raises(ValueError) as info:
        Limits(max_file_size=0)
    assert str(info.value) == "max_file_size must be a positive integer, not 0"


def test_include_fifo_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(str(tmp_path / "fifo.conf"))
    main = tmp_path / "main.conf"
    main.write_text("port = 4222\ninclude fifo.conf\n")
    with pytest.raises(NatsConfError) as info:
        in_thread(lambda: parse_file(str(main)))
    assert info.value.message == (
        "error parsing include file 'fifo.conf', open %s/fifo.conf: not a regular file but a named pipe (FIFO); "
        "nats-server would block or read it without end, natsops.nats refuses it" % tmp_path)
    assert (info.value.line, info.value.column) == (2, 1)
    with pytest.raises(NatsConfError) as info:
        in_thread(lambda: parse_file(str(tmp_path / "fifo.conf")))
    assert info.value.message.startswith("open %s/fifo.conf: not a regular file but a named pipe (FIFO)" % tmp_path)


@pytest.mark.parametrize("dev, kind", [("/dev/zero", "a character device"), ("/dev/urandom", "a character device")])
def test_devices_are_refused(dev, kind):
    with pytest.raises(NatsConfError) as info:
        in_thread(lambda: parse_file(dev))
    assert info.value.message == ("open %s: not a regular file but %s; nats-server would block or read it without end, "
                                  "natsops.nats refuses it" % (dev, kind))
    with pytest.raises(NatsConfError) as info:
        in_thread(lambda: parse_string("include %s\n" % dev, base_dir="/"))
    assert info.value.message == ("error parsing include file '%s', open %s: not a regular file but %s; nats-server would "
                                  "block or read it without end, natsops.nats refuses it" % (dev, dev, kind))


def test_socket_and_directory(tmp_path):
    path = str(tmp_path / "s.conf")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(path)
        with pytest.raises(OSError) as info:
            default_loader(path)
        assert info.value.strerror.startswith("not a regular file but a socket")
    finally:
        sock.close()
    (tmp_path / "d").mkdir()
    with pytest.raises(NatsConfError) as info:
        parse_string("include d\n", base_dir=str(tmp_path))
    # a directory keeps the server's own text
    assert info.value.message == "error parsing include file 'd', read %s/d: is a directory" % tmp_path


def test_size_caps_per_file_and_per_tree(tmp_path):
    (tmp_path / "a.conf").write_text("a = \"%s\"\n" % ("x" * 600))
    (tmp_path / "b.conf").write_text("b = \"%s\"\n" % ("y" * 600))
    main = tmp_path / "main.conf"
    main.write_text("include a.conf\ninclude b.conf\n")
    assert parse_file(str(main), limits=Limits(max_file_size=1000, max_total_size=2000)).config == {"a": "x" * 600, "b": "y" * 600}
    with pytest.raises(NatsConfError) as info:
        parse_file(str(main), limits=Limits(max_file_size=500))
    assert info.value.message == ("error parsing include file 'a.conf', open %s/a.conf: file is too large (607 bytes; "
                                  "the per-file limit is 500 bytes)" % tmp_path)
    with pytest.raises(NatsConfError) as info:
        parse_file(str(main), limits=Limits(max_file_size=1000, max_total_size=1000))
    assert info.value.message == ("error parsing include file 'b.conf', open %s/b.conf: file is too large (607 bytes; "
                                  "the limit for the whole config tree (main file and includes) is 363 bytes)" % tmp_path)
    with pytest.raises(NatsConfError) as info:
        parse_string("x" * 101, limits=Limits(max_file_size=100))
    assert info.value.message == "<string>: file is too large (101 bytes; the per-file limit is 100 bytes)"


def test_a_growing_file_is_cut_at_the_cap(tmp_path):
    # /proc files report size 0 and still have content: the read itself stops at the cap
    data = default_loader("/proc/self/status", max_bytes=1 << 20)
    assert b"Name:" in data
    with pytest.raises(OSError) as info:
        default_loader("/proc/self/status", max_bytes=10)
    assert info.value.strerror == "file is too large (more than 10 bytes; the limit is 10 bytes)"


def test_env_billion_laughs_is_a_budget_error():
    env = {"L0": "x"}
    for i in range(1, 8):
        env["L%d" % i] = "[" + ", ".join(["$L%d" % (i - 1)] * 10) + "]"
    with pytest.raises(NatsConfError) as info:
        in_thread(lambda: parse_string("a = $L7\n", env=env))
    assert info.value.message == BUDGET % 100000
    assert (info.value.line, info.value.column) == (1, 5)
    # below the budget, the same shape is fine (and the values are all there)
    r = parse_string("a = $L3\n", env=env)
    assert len(r.config["a"]) == 10 and r.config["a"][9][9] == ["x"] * 10


def test_variable_billion_laughs_is_a_budget_error():
    lines = ["v0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ]"]
    for i in range(1, 9):
        lines.append("v%d = [%s]" % (i, ", ".join(["$v%d" % (i - 1)] * 10)))
    with pytest.raises(NatsConfError) as info:
        in_thread(lambda: parse_string("\n".join(lines) + "\n", limits=Limits(max_expansion=100000)))
    assert info.value.message == BUDGET % 100000
    assert info.value.line == 5


def test_env_chain_1000_deep_agrees_with_the_server(tmp_path):
    env = dict(("V%d" % i, "$V%d" % (i + 1)) for i in range(1000))
    env["V1000"] = "1"
    r = parse_string("port = $V0\n", env=env)
    assert r.config == {"port": 1}
    server = nats_harness.check_text("port = $V0\n", str(tmp_path), env=env)
    assert server.valid and server.digest == r.digest


@pytest.mark.parametrize("shape", ["missing", "cycle"])
def test_deep_env_chain_errors_agree_with_the_server(shape, tmp_path):
    env = dict(("V%d" % i, "{x: [1, $V%d]}" % (i + 1)) for i in range(40))
    env["V40"] = "$NOPE" if shape == "missing" else "[$V7]"
    with pytest.raises(NatsConfError) as info:
        parse_string("a = $V0\n", env=env)
    server = nats_harness.check_text("a = $V0\n", str(tmp_path), env=env)
    assert not server.valid
    assert info.value.message == server.error
    assert info.value.message.count("could not be parsed") == 41 + (shape == "cycle")


def test_deep_env_chain_of_ten_thousand():
    env = dict(("V%d" % i, "$V%d" % (i + 1)) for i in range(10000))
    env["V10000"] = "{deep: true}"
    assert parse_string("a = $V0\n", env=env).config == {"a": {"deep": True}}


@pytest.mark.parametrize("text", ['server_name = "x\ud800y"\n', "server_name = x\udfffy\n", "server_name = \"\ud800\udc00\"\n"])
def test_lone_surrogates_in_text(text, tmp_path):
    r = parse_string(text)
    raw = text.encode("utf-8", "surrogatepass")
    same = parse_string(raw)
    assert r.config == same.config and r.digest == same.digest
    server = nats_harness.check_text(raw, str(tmp_path))
    assert server.valid and server.digest == r.digest


def test_lone_surrogate_in_env_value():
    r = parse_string("a = $E\n", env={"E": "x\ud800"})
    assert r.config == {"a": "x\udced\udca0\udc80"}
    assert r.digest == parse_string(b"a = x\xed\xa0\x80\n").digest


def test_findings_are_capped_per_code():
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import MAX_FINDINGS_PER_CODE, validate_text
    text = "".join("k%d = %d\n" % (i, i) for i in range(2000)) + "port: 4222\n"
    dummy, findings = validate_text(text)
    assert MAX_FINDINGS_PER_CODE == 50
    assert len(findings) == 51
    assert [f.message for f in findings[:2]] == ['unknown field "k0": k0 (<string>:1:1)', 'unknown field "k1": k1 (<string>:2:1)']
    last = findings[-1]
    assert (last.code, last.severity, last.message, last.hint) == (
        "unknown-field", "error", "1950 more 'unknown-field' findings not shown (2000 in total)",
        "fix the findings shown first; the rest are of the same kind")
