# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Key/value positions (1-based line and byte column, per file), used-variable flags, files list.

A quoted key or string is at its first character inside the quotes, where nats-server points.
"""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Position
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string


def mem_loader(files):
    def loader(path):
        if path in files:
            return files[path]
        raise FileNotFoundError(2, "No such file or directory", path)
    return loader


MAIN = (
    'a = 1\n'                          # line 1
    'm {\n'                            # line 2
    '  k: "v"\n'                       # line 3
    '  l = [1, 2 ]\n'                  # line 4
    '  include sub/inc.conf\n'         # line 5
    '}\n'                              # line 6
    'ref = $a\n'                       # line 7
    'n = [ {p: 1} ]\n'                 # line 8
    '"quoted key" = \'sq\'\n'          # line 9
)
FILES = {"sub/inc.conf": b'x = 1\ny { z = "q" }\n'}


@pytest.fixture(scope="module")
def result():
    return parse_string(MAIN, filename="main.conf", loader=mem_loader(FILES))


@pytest.mark.parametrize("path, key, value", [
    (("a",), ("main.conf", 1, 1), ("main.conf", 1, 5)),
    (("m",), ("main.conf", 2, 1), ("main.conf", 2, 3)),
    (("m", "k"), ("main.conf", 3, 3), ("main.conf", 3, 7)),
    (("m", "l"), ("main.conf", 4, 3), ("main.conf", 4, 7)),
    (("m", "l", 0), ("main.conf", 4, 8), ("main.conf", 4, 8)),
    (("m", "l", 1), ("main.conf", 4, 11), ("main.conf", 4, 11)),
    (("m", "x"), ("sub/inc.conf", 1, 1), ("sub/inc.conf", 1, 5)),
    (("m", "y"), ("sub/inc.conf", 2, 1), ("sub/inc.conf", 2, 3)),
    (("m", "y", "z"), ("sub/inc.conf", 2, 5), ("sub/inc.conf", 2, 10)),
    (("ref",), ("main.conf", 7, 1), ("main.conf", 7, 7)),
    (("n",), ("main.conf", 8, 1), ("main.conf", 8, 5)),
    (("n", 0), ("main.conf", 8, 7), ("main.conf", 8, 7)),
    (("n", 0, "p"), ("main.conf", 8, 8), ("main.conf", 8, 11)),
    (("quoted key",), ("main.conf", 9, 2), ("main.conf", 9, 17)),
])
def test_key_and_value_positions(result, path, key, value):
    assert result.key_positions[path] == Position(*key)
    assert result.value_positions[path] == Position(*value)
    assert result.pos(path) == Position(*key)
    assert result.value_pos(path) == Position(*value)


def test_every_path_has_a_position(result):
    def walk(node, path):
        yield path
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))
    paths = [p for p in walk(result.config, ()) if p]
    assert sorted(paths, key=repr) == sorted(result.key_positions, key=repr)
    assert len(result.value_positions) == len(paths)


def test_files_list(result):
    assert result.files == [
        {"path": "main.conf", "sha256": hashlib.sha256(MAIN.encode()).hexdigest()},
        {"path": "sub/inc.conf", "sha256": hashlib.sha256(FILES["sub/inc.conf"]).hexdigest()},
    ]


def test_string_without_filename_is_listed_as_string():
    r = parse_string("a = 1\n")
    assert r.files[0]["path"] == "<string>"
    assert r.key_positions[("a",)] == Position("", 1, 1)


def test_columns_count_bytes_not_characters():
    r = parse_string('é = "ü"\nx { "😀" = 1 }\n', filename="u.conf")
    assert r.value_positions[("é",)] == Position("u.conf", 1, 7)      # 'é' is 2 bytes
    assert r.key_positions[("x", "😀")] == Position("u.conf", 2, 6)
    assert r.value_positions[("x", "😀")] == Position("u.conf", 2, 14)  # emoji is 4 bytes


def test_positions_after_crlf_and_tabs():
    r = parse_string("a = 1\r\n\tb = 2\r\n", filename="c.conf")
    assert r.key_positions[("b",)] == Position("c.conf", 2, 2)


def test_positions_of_slow_path_values():
    text = "t = 2024-02-29T12:00:00Z\nf: -1.5\nb (\nblock\n)\nq = \"a\\tb\"\n"
    r = parse_string(text, filename="s.conf")
    assert r.config["t"] == GoTime("2024-02-29T12:00:00Z")
    assert r.value_positions[("t",)] == Position("s.conf", 1, 5)
    assert r.value_positions[("f",)] == Position("s.conf", 2, 4)
    assert r.value_positions[("b",)] == Position("s.conf", 3, 3)
    assert r.value_positions[("q",)] == Position("s.conf", 6, 6)
    assert r.config["q"] == "a\tb"


def test_used_flags():
    r = parse_string("PASS = s3cret\nauthorization { user: u, password: $PASS }\nother = 1\n")
    assert ("PASS",) in r.used
    assert ("other",) not in r.used
    assert ("authorization", "password") not in r.used
    assert set(r.used) == {("PASS",)}


def test_used_flag_belongs_to_the_referenced_token():
    # spec case used_then_redefined_is_unused: the second foo is a new, unflagged token
    r = parse_string("foo = 1\nport = $foo\nfoo = 2\nport = 4222\n")
    assert ("foo",) not in r.used
    r = parse_string("foo = 1\nport = $foo\nport = 4222\n")
    assert ("foo",) in r.used


def test_used_flags_in_nested_maps_and_includes():
    files = {"inc.conf": b"v = 1\nw = $v\n"}
    r = parse_string("a { x = 1, y = $x }\nb { include inc.conf }\n", loader=mem_loader(files))
    assert set(r.used) == {("a", "x"), ("b", "v")}


def test_used_flags_not_set_by_env_or_bcrypt():
    r = parse_string("a = $E\nb = $2a$10$xyz\n", env={"E": "1"})
    assert r.config == {"a": 1, "b": "$2a$10$xyz"}
    assert set(r.used) == set()


def test_variable_shares_container_positions():
    r = parse_string("a {\n  x = 1\n}\nb = $a\n", filename="v.conf")
    assert r.config["b"] is r.config["a"]
    assert r.value_positions[("b",)] == Position("v.conf", 4, 5)
    assert r.key_positions[("b", "x")] == Position("v.conf", 2, 3)   # where the value really is


def test_deep_paths_fall_back_to_parent_position():
    depth = 1000
    r = parse_string("t = " + "[" * depth + "]" * depth + "\n", filename="d.conf")
    path = ("t",) + (0,) * (depth - 1)
    assert r.pos(path) is not None
    assert r.pos(path).file == "d.conf"


def test_lazy_views_behave_like_set_and_mapping():
    r = parse_string("a = 1\nb = $a\n")
    assert r.used | {("x",)} == {("a",), ("x",)}
    assert isinstance(r.used & {("a",)}, set)
    assert r.used == {("a",)}
    assert dict(r.key_positions) == {("a",): ("", 1, 1), ("b",): ("", 2, 1)}
    assert r.key_positions.get(["b"]) == ("", 2, 1)
    assert ["a"] in r.key_positions and ("zz",) not in r.key_positions
