# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Variables, environment variables, includes and loaders (spec sections 5 and 6)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime, NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import (
    IncludeCycleError, MAX_INCLUDE_DEPTH, go_clean, go_dir, go_join, parse_file, parse_string,
)


def mem_loader(files):
    def loader(path):
        if path in files:
            data = files[path]
            if isinstance(data, Exception):
                raise data
            return data
        raise FileNotFoundError(2, "No such file or directory", path)
    return loader


def error_of(*args, **kwargs):
    with pytest.raises(NatsConfError) as info:
        parse_string(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------------------
# variables (5.1, 5.2)
# ---------------------------------------------------------------------------
def test_block_scoping():
    r = parse_string("a = 1\nt { a = 2, b = $a, c { d = $a } }\nu = $a\n")
    assert r.config["t"] == {"a": 2, "b": 2, "c": {"d": 2}}
    assert r.config["u"] == 1


def test_no_forward_references():
    e = error_of("t = $a\na = 1\n")
    assert e.message == "variable reference for 'a' on line 1 can not be found"
    assert (e.line, e.column) == (1, 5)


def test_lookup_skips_arrays_and_closed_maps():
    assert error_of("t = [ {a: 1}, $a ]\n").message == "variable reference for 'a' on line 1 can not be found"
    assert error_of("m { a = 1 }\nt = $a\n").message == "variable reference for 'a' on line 2 can not be found"


def test_variable_names_are_literal():
    r = parse_string('"a.b" = 1\n"{a" = 2\n"" = 3\nt = [$a.b, ${a, $ ]\n')
    assert r.config["t"] == [1, 2, 3]


def test_no_interpolation_and_bcrypt():
    r = parse_string("a = x\nt = \"$a-suffix\"\nu = '$a'\nv = $2a$11$abc/def\n")
    assert r.config["t"] == "$a-suffix"
    assert r.config["u"] == "$a"
    assert r.config["v"] == "$2a$11$abc/def"
    assert error_of("v = $2b$11$abc\n").message == "variable reference for '2b$11$abc' on line 1 can not be found"


# ---------------------------------------------------------------------------
# environment (5.3)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("42", 42),
    ("1k", 1000),
    ("true", True),
    ("hello", "hello"),
    ("'hello world'", "hello world"),
    ("", ""),
    ("[1, 2 ]", [1, 2]),
    ("{a: 1}", {"a": 1}),
    ("3xyz", "3xyz"),
    ("3Gyz", "3Gyz"),
    ("2016-05-04T18:53:41Z", GoTime("2016-05-04T18:53:41Z")),
    ("1\nfoo = 2", 1),
])
def test_env_values_are_parsed_as_values(value, expected):
    r = parse_string("t = $E\n", env={"E": value})
    assert r.config == {"t": expected}


def test_env_default_is_empty_not_os_environ(monkeypatch):
    monkeypatch.setenv("NATSOPS_TEST_ENV", "1")
    assert error_of("t = $NATSOPS_TEST_ENV\n").message == \
        "variable reference for 'NATSOPS_TEST_ENV' on line 1 can not be found"
    assert parse_string("t = $NATSOPS_TEST_ENV\n", env=os.environ).config == {"t": 1}


def test_env_value_errors_are_wrapped():
    # env values are secrets: what the server quotes of them is masked (it prints 'w' here)
    assert error_of("t = $E\n", env={"E": "hello world"}).message == (
        "variable reference for 'E' on line 1 could not be parsed: Parse error on line 1: "
        "'Expected a top-level value to end with a new line, comment or EOF, but got '********' instead.'")
    assert error_of("x = 1\nt = $E\n", env={"E": "1\nfoo"}).message == (
        "variable reference for 'E' on line 2 could not be parsed: config is invalid (:2:4)")
    assert error_of("t = $E\n", env={"E": "1kbi"}).message == "variable reference for 'E' on line 1 can not be found"


def test_env_values_cannot_see_config_keys_but_see_env():
    assert error_of("x = 1\nt = $E\n", env={"E": "$x"}).message == (
        "variable reference for 'E' on line 2 could not be parsed: variable reference for 'x' on line 1 can not be found")
    assert parse_string("t = $E\n", env={"E": "$F", "F": "ok"}).config == {"t": "ok"}


def test_env_cycle_detection():
    assert error_of("t = $A\n", env={"A": "$B", "B": "$A"}).message == (
        "variable reference for 'A' on line 1 could not be parsed: variable reference for 'B' on line 1 could not be "
        "parsed: variable reference for 'A' on line 1 could not be parsed: variable reference cycle for 'A'")
    assert error_of("t = $A\n", env={"A": "$A"}).message == (
        "variable reference for 'A' on line 1 could not be parsed: variable reference for 'A' on line 1 could not be "
        "parsed: variable reference cycle for 'A'")
    # the same env var twice (not nested) is fine
    assert parse_string("t = [$A, $A ]\n", env={"A": "1"}).config == {"t": [1, 1]}


def test_env_bytes_values():
    assert parse_string("t = $E\n", env={"E": b"\"\\xff\""}).config == {"t": "\udcff"}


# ---------------------------------------------------------------------------
# Go path semantics (6.2)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("parts, expected", [
    ((".", "x.conf"), "x.conf"),
    (("/etc/nats", "/etc/x.conf"), "/etc/nats/etc/x.conf"),
    (("etc", "../x.conf"), "x.conf"),
    (("a/b", "../../../x"), "../x"),
    (("/", "../x"), "/x"),
    (("", "x"), "x"),
    (("dir", ""), "dir"),
    ((".", ""), "."),
])
def test_go_join(parts, expected):
    assert go_join(*parts) == expected


def test_go_clean_and_dir():
    assert go_clean("//a//b/./c/..") == "/a/b"
    assert go_clean("") == "."
    assert go_dir("test.conf") == "."
    assert go_dir("/etc/nats/n.conf") == "/etc/nats"
    assert go_dir("/n.conf") == "/"


# ---------------------------------------------------------------------------
# includes (6)
# ---------------------------------------------------------------------------
def test_include_semantics_and_overwrite_order():
    files = {"inc.conf": b"a = 2\nb = 3\n"}
    r = parse_string("a = 1\ninclude inc.conf\nb = 4\nc = $a\n", filename="test.conf", loader=mem_loader(files))
    assert r.config == {"a": 2, "b": 4, "c": 2}


def test_include_paths_are_joined_and_nested_relative():
    files = {
        "/etc/nats/etc/x.conf": b"include sub/y.conf\n",
        "/etc/nats/etc/sub/y.conf": b"include '../z.conf'\n",
        "/etc/nats/etc/z.conf": b"z = 1\n",
    }
    r = parse_string("include /etc/x.conf\n", filename="/etc/nats/nats.conf", loader=mem_loader(files))
    assert r.config == {"z": 1}
    assert [f["path"] for f in r.files] == ["/etc/nats/nats.conf", "/etc/nats/etc/x.conf", "/etc/nats/etc/sub/y.conf",
                                            "/etc/nats/etc/z.conf"]
    assert [w.code for w in r.warnings] == ["absolute-include"]


def test_include_base_dir():
    r = parse_string("include x.conf\n", base_dir="/srv/conf", loader=mem_loader({"/srv/conf/x.conf": b"a = 1\n"}))
    assert r.config == {"a": 1}


def test_include_errors_are_prefixed_and_nested():
    files = {"sub/a.conf": b"include sub/b.conf\n"}
    e = error_of("include sub/a.conf\n", filename="test.conf", loader=mem_loader(files))
    assert e.message == ("error parsing include file 'sub/a.conf', error parsing include file 'sub/b.conf', "
                         "open sub/sub/b.conf: no such file or directory")
    files = {"inc.conf": b"a = 1\nb = [1, 2]\nc = 3\n"}
    e = error_of("include inc.conf\n", filename="test.conf", loader=mem_loader(files))
    assert e.message == ("error parsing include file 'inc.conf', Parse error on line 3: 'Expected an array value "
                         "terminator \",\" or an array terminator \"]\", but got '=' instead.'")
    assert (e.file, e.line) == ("inc.conf", 3)
    e = error_of("include inc.conf\n", filename="test.conf", loader=mem_loader({"inc.conf": b"aaaa"}))
    assert e.message == "error parsing include file 'inc.conf', config is invalid (inc.conf:1:4)"


@pytest.mark.parametrize("exc, text", [
    (FileNotFoundError(2, "No such file or directory"), "open x.conf: no such file or directory"),
    (IsADirectoryError(21, "Is a directory"), "read x.conf: is a directory"),
    (PermissionError(13, "Permission denied"), "open x.conf: permission denied"),
    (NotADirectoryError(20, "Not a directory"), "open x.conf: not a directory"),
])
def test_loader_errors_map_to_server_text(exc, text):
    e = error_of("include x.conf\n", filename="test.conf", loader=mem_loader({"x.conf": exc}))
    assert e.message == "error parsing include file 'x.conf', " + text
    with pytest.raises(NatsConfError) as info:
        parse_file("x.conf", loader=mem_loader({"x.conf": exc}))
    assert info.value.message == text


def test_include_of_empty_path_is_the_directory(tmp_path):
    e = error_of("include ", filename=str(tmp_path / "test.conf"))
    assert e.message == "error parsing include file '', read %s: is a directory" % tmp_path


def test_include_cannot_see_parent_variables():
    e = error_of("v = 5\ninclude inc.conf\n", filename="test.conf", loader=mem_loader({"inc.conf": b"t = $v\n"}))
    assert e.message == "error parsing include file 'inc.conf', variable reference for 'v' on line 1 can not be found"


def test_include_sees_env():
    r = parse_string("include inc.conf\n", loader=mem_loader({"inc.conf": b"t = $E\n"}), env={"E": "5"})
    assert r.config == {"t": 5}


def test_include_inside_map_and_wrapper():
    files = {"inc.conf": b"a = 1\n"}
    r = parse_string("t { include inc.conf; b = 2 }\n{ include inc.conf }\n", loader=mem_loader(files))
    assert r.config == {"t": {"a": 1, "b": 2}, "a": 1}


def test_include_cycle_is_detected():
    files = {"a.conf": b"include b.conf\n", "b.conf": b"x = 1\ninclude a.conf\n"}
    with pytest.raises(IncludeCycleError) as info:
        parse_string("include a.conf\n", filename="main.conf", loader=mem_loader(files))
    assert info.value.message == "include cycle: a.conf -> b.conf -> a.conf"
    assert (info.value.file, info.value.line, info.value.column) == ("b.conf", 2, 1)
    with pytest.raises(IncludeCycleError) as info:
        parse_file("a.conf", loader=mem_loader(files))
    assert info.value.message == "include cycle: a.conf -> b.conf -> a.conf"
    with pytest.raises(IncludeCycleError) as info:
        parse_string("include self.conf\n", loader=mem_loader({"self.conf": b"include ./self.conf\n"}))
    assert info.value.message == "include cycle: self.conf -> self.conf"


def test_include_depth_limit():
    files = {"d%d.conf" % i: b"include d%d.conf\n" % (i + 1) for i in range(100)}
    with pytest.raises(IncludeCycleError) as info:
        parse_string("include d0.conf\n", filename="main.conf", loader=mem_loader(files))
    assert info.value.message.startswith("include depth limit (%d) exceeded: main.conf -> d0.conf -> d1.conf" % MAX_INCLUDE_DEPTH)


def test_parse_file_with_real_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "main.conf").write_text("port = 4222\ninclude sub/a.conf\n")
    (tmp_path / "sub" / "a.conf").write_text("server_name = \"n1\"\n")
    r = parse_file(str(tmp_path / "main.conf"))
    assert r.config == {"port": 4222, "server_name": "n1"}
    assert r.files[1]["path"] == str(tmp_path / "sub" / "a.conf")
    with pytest.raises(NatsConfError) as info:
        parse_file(str(tmp_path / "nope.conf"))
    assert info.value.message == "open %s: no such file or directory" % (tmp_path / "nope.conf")
    with pytest.raises(NatsConfError) as info:
        parse_file(str(tmp_path))
    assert info.value.message == "read %s: is a directory" % tmp_path


def test_text_and_bytes_inputs_agree():
    text = 'a = "é"\nb = "\\xc3\\xa9"\n'
    assert parse_string(text).config == parse_string(text.encode()).config == {"a": "é", "b": "é"}
