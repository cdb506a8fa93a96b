# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the filters nats_config_parse, nats_config_digest and to_nats_config."""

from __future__ import annotations

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.filter import nats_config_digest as digest_mod
from ansible_collections.natsops.nats.plugins.filter import nats_config_parse as parse_mod
from ansible_collections.natsops.nats.plugins.filter import to_nats_config as render_mod
from ansible_collections.natsops.nats.plugins.filter.nats_config_digest import nats_config_digest
from ansible_collections.natsops.nats.plugins.filter.nats_config_parse import nats_config_parse
from ansible_collections.natsops.nats.plugins.filter.to_nats_config import to_nats_config
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.digest import digest
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text

needs_parser = pytest.mark.skipif(parse_mod.conf_parser is None, reason="conf_parser not available")

try:
    from ansible._internal._datatag._tags import Origin
except ImportError:  # pragma: no cover - older ansible-core
    Origin = None


def test_filter_maps():
    assert render_mod.FilterModule().filters() == {"to_nats_config": to_nats_config}
    assert parse_mod.FilterModule().filters() == {"nats_config_parse": nats_config_parse}
    assert digest_mod.FilterModule().filters() == {"nats_config_digest": nats_config_digest}


# ---- to_nats_config ------------------------------------------------------------------------

def test_to_nats_config_basic():
    assert to_nats_config({"port": 4222, "cluster": {"name": "c", "routes": ["nats://a:6222"]}}) == (
        'port: 4222\ncluster {\n  name: "c"\n  routes: [\n    "nats://a:6222"\n  ]\n}\n')


def test_to_nats_config_error_names_path():
    with pytest.raises(AnsibleFilterError) as info:
        to_nats_config({"cluster": {"routes": [None]}})
    assert str(info.value) == "natsops.nats.to_nats_config: cannot render None at cluster.routes[0]"


@pytest.mark.parametrize("bad", ["port: 4222", [1], None, 5])
def test_to_nats_config_needs_dict(bad):
    with pytest.raises(AnsibleFilterError, match="natsops.nats.to_nats_config: the input must be a dictionary, not "):
        to_nats_config(bad)


def tagged_input():
    """The value a play passes after YAML loading and templating, as this ansible-core represents it.

    ansible-core 2.19+ tags plain values (data tagging); 2.16-2.18 use str/list/dict subclasses.
    """
    if Origin is not None:
        tag = Origin(path="/x.yml", line_num=1, col_num=2)
        return tag.tag({tag.tag("server_name"): tag.tag("n1"), "routes": tag.tag([tag.tag("nats://a:6222"), 4222])})
    from ansible.parsing.yaml.objects import AnsibleMapping, AnsibleSequence, AnsibleUnicode
    from ansible.utils.unsafe_proxy import AnsibleUnsafeText
    return AnsibleMapping({AnsibleUnicode("server_name"): AnsibleUnsafeText("n1"),
                           "routes": AnsibleSequence([AnsibleUnicode("nats://a:6222"), 4222])})


def test_to_nats_config_tagged_values():
    data = tagged_input()
    assert data["server_name"].__class__ is not str
    assert data["routes"][0].__class__ is not str
    assert to_nats_config(data) == 'server_name: "n1"\nroutes: [\n  "nats://a:6222"\n  4222\n]\n'


def test_to_nats_config_datetimes():
    utc = datetime.timezone.utc
    out = to_nats_config({"a": datetime.datetime(2024, 2, 29, 12, 0, 0, tzinfo=utc), "b": datetime.datetime(2024, 1, 1),
                          "c": GoTime("0000-01-01T00:00:00Z"), "s": "2024-01-01T00:00:00Z"})
    assert out == 'a: 2024-02-29T12:00:00Z\nb: 2024-01-01T00:00:00Z\nc: 0000-01-01T00:00:00Z\ns: "2024-01-01T00:00:00Z"\n'
    with pytest.raises(AnsibleFilterError, match="cannot render a value of type datetime at d"):
        to_nats_config({"d": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))})


def test_to_nats_config_output_accepted_by_server(tmp_path):
    data = {"server_name": "n1", "port": 4222, "max_payload": 1048576, "ping_interval": "30s",
            "cluster": {"name": "east", "port": 6222, "routes": ["nats://127.0.0.1:6223"]},
            "authorization": {"users": [{"user": "a", "password": "p\"w#$x"}]}}
    text = to_nats_config(data)
    result = check_text(text, str(tmp_path))
    assert result.valid, result.error
    assert result.digest == digest(data)


# ---- pyparsing missing / parser missing --------------------------------------------------------

def test_parse_without_pyparsing(monkeypatch):
    monkeypatch.setattr(parse_mod, "HAS_PYPARSING", False)
    for func, name in ((nats_config_parse, "nats_config_parse"), (nats_config_digest, "nats_config_digest")):
        with pytest.raises(AnsibleFilterError) as info:
            func("port: 4222")
        assert str(info.value) == ("natsops.nats.%s: the Python library pyparsing is required on the Ansible controller "
                                   "(pip install pyparsing)" % name)


def test_parse_input_type_errors():
    if parse_mod.conf_parser is None:
        pytest.skip("conf_parser not available")
    with pytest.raises(AnsibleFilterError, match="natsops.nats.nats_config_parse: the input must be configuration text, not dict"):
        nats_config_parse({"a": 1})
    with pytest.raises(AnsibleFilterError, match=r"natsops.nats.nats_config_parse: env must be a dictionary of name to text, not list"):
        nats_config_parse("a: 1", env=["X"])
    with pytest.raises(AnsibleFilterError, match=r"natsops.nats.nats_config_digest: env\['X'\] must be text, not NoneType"):
        nats_config_digest("a: 1", env={"X": None})


# ---- with the parser -------------------------------------------------------------------------

@needs_parser
def test_parse_values():
    values = nats_config_parse("port: 4222\nmax_payload: 1MB\nping_interval: 30s\nt = [1, 2 ]\nd = 2024-02-29T12:00:00Z\n")
    assert values == {"port": 4222, "max_payload": 1048576, "ping_interval": "30s", "t": [1, 2],
                      "d": datetime.datetime(2024, 2, 29, 12, 0, 0, tzinfo=datetime.timezone.utc)}
    assert values.__class__ is dict


@needs_parser
def test_parse_env_and_base_dir(tmp_path):
    (tmp_path / "inc.conf").write_text("cluster { name: east }\n")
    values = nats_config_parse("include inc.conf\nport: $P\nname: $N\n", env={"P": 4222, "N": "n1"}, base_dir=str(tmp_path))
    assert values == {"cluster": {"name": "east"}, "port": 4222, "name": "n1"}


@needs_parser
def test_parse_error_has_location():
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse("port: 4222\nt = [1, 2]\nport = 1\n")
    message = str(info.value)
    assert message.startswith("natsops.nats.nats_config_parse: <string>:")
    assert ("Expected an array value terminator \"," + '" or an array terminator "]", but got') in message


@needs_parser
def test_parse_error_missing_variable():
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse("a: 1\nb: $nope\n")
    assert str(info.value).startswith("natsops.nats.nats_config_parse: <string>:2")
    assert "variable reference for 'nope' on line 2 can not be found" in str(info.value)


@needs_parser
def test_digest_matches_server(tmp_path):
    text = "port: 4222\nserver_name: \"<n&1>\"\n"
    assert nats_config_digest(text) == "sha256:d9028f392c1d0575343ceaaafa4ce0b5dac646405b69b80152a007be2356ce2f"
    assert nats_config_digest(text) == check_text(text, str(tmp_path)).digest


@needs_parser
def test_digest_depth_error():
    text = "t = " + "[" * 10000 + "]" * 10000 + "\n"
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_digest(text)
    assert str(info.value) == ("natsops.nats.nats_config_digest: json: error calling MarshalJSON for type *conf.token: "
                               "exceeded max depth")


@needs_parser
def test_parse_render_digest_round_trip():
    text = ("server_name: n1\nport: 4222\nd = 2024-02-29T12:00:00Z\nx { a = 1k, b = [1.5, 0.0000001, -0.0 ], c = \"\\xff\" }\n"
            "include_me = \"include\"\n")
    values = nats_config_parse(text)
    again = to_nats_config(values)
    assert nats_config_digest(again) == nats_config_digest(text)


# -- hostile input (issue 15) ---------------------------------------------------------

def test_parse_filter_refuses_values_too_deep_for_ansible():
    ok = "t = " + "{a " * 99 + "1" + "}" * 99 + "\n"          # 100 levels with the top map
    node = nats_config_parse(ok)["t"]
    for dummy in range(98):
        node = node["a"]
    assert node == {"a": 1}
    deep = "t = " + "{a " * 300 + "1" + "}" * 300 + "\n"
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse(deep)
    assert str(info.value) == (
        "natsops.nats.nats_config_parse: the parsed config is nested more than 100 levels deep; Ansible cannot template "
        "values that deep, so they are not returned (natsops.nats.nats_config_validate and nats_config_digest accept it)")
    assert nats_config_digest(deep) == digest(parse_mod.parse_text("x", deep).config)


def test_parse_filters_size_caps(tmp_path):
    (tmp_path / "big.conf").write_text("port = 4222 # %s\n" % ("x" * 100))
    text = "include big.conf\n"
    assert nats_config_parse(text, base_dir=str(tmp_path)) == {"port": 4222}
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse(text, base_dir=str(tmp_path), max_file_size=50)
    assert str(info.value) == ("natsops.nats.nats_config_parse: <string>:1:1: error parsing include file 'big.conf', open "
                               "%s/big.conf: file is too large (115 bytes; the per-file limit is 50 bytes)" % tmp_path)
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_digest(text, base_dir=str(tmp_path), max_total_size=100)
    assert "the limit for the whole config tree (main file and includes) is 83 bytes" in str(info.value)
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse(text, max_file_size="big")
    assert str(info.value) == "natsops.nats.nats_config_parse: max_file_size must be a positive integer, not 'big'"


def test_parse_filter_include_of_a_fifo(tmp_path):
    import os
    os.mkfifo(str(tmp_path / "fifo.conf"))
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse("include fifo.conf\n", base_dir=str(tmp_path))
    assert str(info.value) == (
        "natsops.nats.nats_config_parse: <string>:1:1: error parsing include file 'fifo.conf', open %s/fifo.conf: not a "
        "regular file but a named pipe (FIFO); nats-server would block or read it without end, natsops.nats refuses it"
        % tmp_path)


# -- server_version ------------------------------------------------------------

def test_digest_filter_follows_server_version():
    text = "a = 1\nport = $a\nport = 4222\n"
    assert nats_config_digest(text) == "sha256:cddf72a5897b3f596f85e45c81cc0acfe5e96bed7166ab6a0b96c8a5559c11bb"
    # 2.11.0 to 2.12.5 leave the variable `a` out of the digest: {"port":4222}
    assert nats_config_digest(text, server_version="2.12.5") == \
        "sha256:797533ebd0dfba7d34a0f9337ecf147e442871f48ddfd07ed751575a5737267e"
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_digest(text, server_version="2.10.26")
    assert str(info.value) == ("natsops.nats.nats_config_digest: nats-server 2.10.26 prints no configuration digest "
                               "(nats-server -t prints one from 2.11.0 on)")


def test_parse_filter_follows_server_version():
    assert nats_config_parse("t = 1k2x\n") == {"t": "1k2x"}
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse("t = 1k2x\n", server_version="2.15.0")
    assert str(info.value) == ("natsops.nats.nats_config_parse: <string>:1:7: Parse error on line 1: 'Expected a top-level "
                               "value to end with a new line, comment or EOF, but got '2' instead.'")


@pytest.mark.parametrize("version, message", [
    ("2.13.0", "server_version 2.13.0 is not supported; supported: 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x (default 2.15.1)"),
    ("2.15", "server_version '2.15' is not a nats-server version (write MAJOR.MINOR.PATCH, e.g. 2.15.1); supported: "
             "2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x (default 2.15.1)"),
])
def test_bad_server_version(version, message):
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_parse("port: 1\n", server_version=version)
    assert str(info.value) == "natsops.nats.nats_config_parse: " + message
