# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse errors a person can act on: the server's text unchanged, the help in the hint and the location."""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string


def error(text, **kw):
    with pytest.raises(NatsConfError) as info:
        parse_string(text, **kw)
    e = info.value
    return e.message, e.line, e.column, e.hint, e.format()


def test_undefined_variable_mentions_env_option():
    assert error("a = 1\nb = $NOPE\n") == (
        "variable reference for 'NOPE' on line 2 can not be found", 2, 5,
        "define NOPE earlier in the config, or give its value in the env option: env: {NOPE: ...}",
        "<string>:2:5: variable reference for 'NOPE' on line 2 can not be found; "
        "hint: define NOPE earlier in the config, or give its value in the env option: env: {NOPE: ...}")


def test_variable_from_env_option_resolves():
    assert parse_string("b = $NOPE\n", env={"NOPE": "7"}).config == {"b": 7}


@pytest.mark.parametrize("text, line, column, hint", [
    # the server names the line where the file ended; the location is the '{' left open
    ("cluster {\n  name: a\n  routes [\n  ]\n", 1, 9, "the '{' of 'cluster' is never closed: add the missing '}'"),
    ("a {\n b {\n  x: 1\n }\n", 1, 3, "the '{' of 'a' is never closed: add the missing '}'"),
    ("x {\n y: 1 }\nz {  q: 1\n", 3, 3, "the '{' of 'z' is never closed: add the missing '}'"),
    ("a: [ {x: 1\n", 1, 6, "this '{' is never closed: add the missing '}'"),
])
def test_unclosed_brace_points_at_the_brace(text, line, column, hint):
    message, eline, ecolumn, ehint, dummy = error(text)
    assert message == "Parse error on line %d: 'Unexpected EOF processing map.'" % (text.count("\n") + 1)
    assert (eline, ecolumn, ehint) == (line, column, hint)


def test_unclosed_brace_format():
    assert error("cluster {\n  name: a\n")[4] == (
        "<string>:1:9: Parse error on line 3: 'Unexpected EOF processing map.'; "
        "hint: the '{' of 'cluster' is never closed: add the missing '}'")


def test_other_errors_keep_the_server_location():
    assert error("a = [1, 2\nb = }\n")[:3] == (
        "Parse error on line 2: 'Expected an array value terminator \"," + '" or an array terminator "]", but got \'=\' instead.\'', 2, 3)
