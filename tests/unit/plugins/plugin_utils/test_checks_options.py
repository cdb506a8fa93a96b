# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Phase (a) checks: unknown fields, types, listen values, names, auth conflicts."""

from __future__ import annotations

import concurrent.futures
import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks import schema as opts
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text, fake_parse_result

# block name -> (schema, template with KEY placeholder)
BLOCKS = {
    "top": (opts.TOP, "KEY: 1\n"),
    "cluster": (opts.CLUSTER, "cluster {\n  KEY: 1\n}\n"),
    "gateway": (opts.GATEWAY, "gateway {\n  KEY: 1\n}\n"),
    "gateways": (opts.GATEWAYS_ENTRY, "gateway {\n  gateways: [ { KEY: 1 } ]\n}\n"),
    "leafnodes": (opts.LEAFNODES, "leafnodes {\n  KEY: 1\n}\n"),
    "remote": (opts.REMOTE, "leafnodes {\n  remotes: [ { KEY: 1 } ]\n}\n"),
    "proxy": (opts.PROXY, "leafnodes {\n  remotes: [ { proxy: { KEY: 1 } } ]\n}\n"),
    "leafauth": (opts.LEAF_AUTH, "leafnodes {\n  authorization { KEY: 1 }\n}\n"),
    "leafuser": (opts.LEAF_USER, "leafnodes {\n  authorization { users: [ { KEY: 1 } ] }\n}\n"),
    "authorization": (opts.AUTHORIZATION, "authorization {\n  KEY: 1\n}\n"),
    "user": (opts.USER, "authorization {\n  users: [ { KEY: 1 } ]\n}\n"),
    "jetstream": (opts.JETSTREAM, "jetstream {\n  KEY: 1\n}\n"),
    "jslimits": (opts.JS_LIMITS, "jetstream {\n  limits { KEY: 1 }\n}\n"),
    "jstpm": (opts.JS_TPM, "jetstream {\n  tpm { KEY: 1 }\n}\n"),
    "websocket": (opts.WEBSOCKET, "websocket {\n  KEY: 1\n}\n"),
    "wsauth": (opts.SIMPLE_AUTH, "websocket {\n  authorization { KEY: 1 }\n}\n"),
    "mqtt": (opts.MQTT, "mqtt {\n  KEY: 1\n}\n"),
    "account": (opts.ACCOUNT, "accounts {\n  A: { KEY: 1 }\n}\n"),
    "tls": (opts.TLS, "tls {\n  KEY: 1\n}\n"),
    "compression": (opts.COMPRESSION, "cluster {\n  compression: { KEY: 1 }\n}\n"),
    "accjetstream": (opts.ACCOUNT_JETSTREAM, "accounts {\n  A: { jetstream: { KEY: 1 } }\n}\n"),
    "proxies": (opts.PROXIES, "proxies {\n  KEY: 1\n}\n"),
    "trusted_proxy": (opts.PROXIES.fields["trusted"].block, "proxies {\n  trusted: [ { KEY: 1 } ]\n}\n"),
    "import": (opts.IMPORT, "accounts {\n  A: { imports: [ { KEY: 1 } ] }\n}\n"),
    "import_source": (opts.IMPORT_SOURCE, "accounts {\n  A: { imports: [ { stream: { KEY: 1 } } ] }\n}\n"),
    "export": (opts.EXPORT, "accounts {\n  A: { exports: [ { KEY: 1 } ] }\n}\n"),
    "gateway_tls": (opts.TLS, "gateway {\n  tls { KEY: 1 }\n}\n"),
}


def test_every_known_key_is_known_to_nats_server(tmp_path):
    """No false positives: nats-server -t never calls a key of our schemas unknown."""
    jobs = []
    for block, (schema, template) in BLOCKS.items():
        for key in schema.fields:
            jobs.append((block, key, template.replace("KEY", key)))

    def run(job):
        block, key, text = job
        d = tmp_path / ("%s-%s" % (block, key))
        d.mkdir()
        res = check_text("port: -1\n" + text, str(d))
        return block, key, res.error or ""

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, jobs))
    bad = [(b, k, e) for b, k, e in results if 'unknown field "%s"' % k in e]
    assert bad == []
    assert len(results) > 300


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_unknown_key_is_reported_like_the_server(block, tmp_path):
    dummy, template = BLOCKS[block]
    text = "port: -1\n" + template.replace("KEY", "zzz_bogus")
    res = check_text(text, str(tmp_path))
    assert res.error is not None and 'unknown field "zzz_bogus"' in res.error
    # our model of the same config
    config = _as_dict(block)
    findings = [f for f in validate(fake_parse_result(config)) if f.code == "unknown-field"]
    assert len(findings) == 1, findings
    expected = 'error parsing tls config, unknown field "zzz_bogus"' if block in ("tls", "gateway_tls") else 'unknown field "zzz_bogus"'
    assert findings[0].message.startswith(expected + ": ")
    assert findings[0].path.endswith("zzz_bogus")


def _as_dict(block):
    v = {"zzz_bogus": 1}
    return {
        "top": dict(port=-1, **v),
        "cluster": {"port": -1, "cluster": v},
        "gateway": {"port": -1, "gateway": v},
        "gateways": {"port": -1, "gateway": {"gateways": [v]}},
        "leafnodes": {"port": -1, "leafnodes": v},
        "remote": {"port": -1, "leafnodes": {"remotes": [v]}},
        "proxy": {"port": -1, "leafnodes": {"remotes": [{"proxy": v}]}},
        "leafauth": {"port": -1, "leafnodes": {"authorization": v}},
        "leafuser": {"port": -1, "leafnodes": {"authorization": {"users": [v]}}},
        "authorization": {"port": -1, "authorization": v},
        "user": {"port": -1, "authorization": {"users": [v]}},
        "jetstream": {"port": -1, "jetstream": v},
        "jslimits": {"port": -1, "jetstream": {"limits": v}},
        "jstpm": {"port": -1, "jetstream": {"tpm": v}},
        "websocket": {"port": -1, "websocket": v},
        "wsauth": {"port": -1, "websocket": {"authorization": v}},
        "mqtt": {"port": -1, "mqtt": v},
        "account": {"port": -1, "accounts": {"A": v}},
        "tls": {"port": -1, "tls": v},
        "compression": {"port": -1, "cluster": {"compression": v}},
        "accjetstream": {"port": -1, "accounts": {"A": {"jetstream": v}}},
        "proxies": {"port": -1, "proxies": v},
        "trusted_proxy": {"port": -1, "proxies": {"trusted": [v]}},
        "import": {"port": -1, "accounts": {"A": {"imports": [v]}}},
        "import_source": {"port": -1, "accounts": {"A": {"imports": [{"stream": v}]}}},
        "export": {"port": -1, "accounts": {"A": {"exports": [v]}}},
        "gateway_tls": {"port": -1, "gateway": {"tls": v}},
    }[block]


def codes(config, **kw):
    return [(f.code, f.message) for f in validate(fake_parse_result(config, **kw))]


def test_used_variable_is_not_unknown():
    cfg = {"PASS": "x", "port": -1, "authorization": {"user": "u", "password": "x"}}
    assert [c for c, dummy in codes(cfg, used=[("PASS",)])] == []
    assert [c for c, dummy in codes(cfg)] == ["unknown-field"]


def test_keys_are_case_insensitive():
    assert codes({"PORT": -1, "Cluster": {"Name": "x"}}) == []


def test_wrong_types():
    found = codes({"port": "abc", "cluster": {"pool_size": "3", "port": -1, "name": "c"}, "debug": "yes"})
    assert ("option-wrong-type", 'interface conversion: interface {} is string, not int64: port "abc" (nats.conf:1:1)') in found
    assert ("option-wrong-type", 'interface conversion: interface {} is string, not int64: cluster.pool_size "3" '
            "(nats.conf:3:3)") in found
    assert any(m.startswith("interface conversion: interface {} is string, not bool: debug") for dummy, m in found)


def test_listen_values():
    found = codes({"listen": "127.0.0.1:abc", "cluster": {"listen": "127.0.0.1"}, "gateway": {"listen": True}})
    msgs = sorted(m for c, m in found if c == "listen-invalid")
    assert msgs == [
        'could not parse address string "127.0.0.1": cluster.listen (nats.conf:3:3)',
        'could not parse port "abc": listen (nats.conf:1:1)',
        "expected port or host:port, got bool: gateway.listen (nats.conf:5:3)",
    ]


def test_names_with_spaces():
    found = codes({"port": -1, "server_name": "a b", "cluster": {"name": "c d", "port": -1},
                   "gateway": {"name": "c d", "port": -1}})
    msgs = [m for c, m in found if c == "name-has-spaces"]
    assert msgs == ['server name cannot contain spaces: server_name "a b" (nats.conf:2:1)',
                    'cluster name cannot contain spaces: cluster.name "c d" (nats.conf:4:3)',
                    'gateway name cannot contain spaces: gateway.name "c d" (nats.conf:7:3)']


def test_limits():
    found = dict((m.split(":")[0], c) for c, m in codes({
        "port": -1, "max_payload": 2 ** 31, "max_sub_tokens": 0, "lame_duck_duration": "10s",
        "lame_duck_grace_period": "-1s", "jetstream": "yes"}))
    assert found == {
        "max_payload value is too big": "option-invalid-value",
        "max_sub_tokens value can not be negative": "option-invalid-value",
        "invalid lame_duck_duration of 10s, minimum is 30 seconds": "option-invalid-value",
        "invalid lame_duck_grace_period, needs to be positive": "option-invalid-value",
        "Expected 'enabled' or 'disabled' for string value, got 'yes'": "option-invalid-value",
    }


def test_authorization_conflicts():
    found = codes({"port": -1, "authorization": {"user": "a", "password": "b", "token": "t"}})
    assert [c for c, dummy in found] == ["authorization-conflict"]
    assert found[0][1].startswith("Cannot have a user/pass and token: ")
    found = codes({"port": -1, "authorization": {"token": "t"}, "accounts": {"A": {"users": [{"user": "x"}]}}})
    assert [m.split(":")[0] for c, m in found] == ["Can not have a token and a users array"]
    found = codes({"port": -1, "authorization": {"users": [{"user": "a"}]}, "accounts": {"A": {"users": [{"user": "a"}]}}})
    assert [m.split(":")[0] for c, m in found] == ['Duplicate user "a" detected']


def test_cluster_gateway_authorization():
    found = codes({"port": -1, "cluster": {"port": -1, "name": "c", "authorization": {"token": "t"}},
                   "gateway": {"port": -1, "name": "c", "authorization": {"users": []}}})
    assert sorted(m.split(":")[0] for c, m in found) == [
        "Cluster authorization does not support tokens", "Gateway authorization does not allow multiple users"]


def test_account_references():
    account = {"imports": [{"stream": {"account": "X", "subject": "s"}}], "exports": [{"service": "q", "accounts": ["Y"]}]}
    found = codes({"port": -1, "accounts": {"$G": {}, "A": account}})
    assert sorted(m.split(":")[0] for c, m in found) == [
        '"$G" is a Reserved Account', '"X" account not defined for stream import', '"Y" account not defined for service export']


def test_route_urls():
    routes = ["127.0.0.1:6222", "nats://h:x", "nats://h:6222", "localhost:6222"]
    found = codes({"port": -1, "cluster": {"port": -1, "name": "c", "routes": routes}})
    by = [(c, m.split(": cluster")[0]) for c, m in found]
    assert ("url-invalid", 'error parsing route url ["127.0.0.1:6222"]') in by
    assert ("url-invalid", 'error parsing route url ["nats://h:x"]') in by
    assert ("route-url-without-scheme", by[-1][1]) in by
    assert len([c for c, dummy in by if c == "url-invalid"]) == 2


def test_jetstream_sizes_and_store_dir():
    found = codes({"port": -1, "store_dir": "/a", "jetstream": {"store_dir": "/b", "max_mem": "1X"}})
    assert sorted(m.split(":")[0] for c, m in found) == [
        "Duplicate 'store_dir' configuration", "max_mem_store sizes defined as strings must end in K, M, G, T"]


@pytest.mark.parametrize("text,needle", [
    ("port: -1\nlisten: \"127.0.0.1:abc\"\n", 'could not parse port "abc"'),
    ("port: -1\ncluster { listen: \"127.0.0.1\" }\n", 'could not parse address string "127.0.0.1"'),
    ("port: \"abc\"\n", "interface conversion: interface {} is string, not int64"),
    ("port: -1\nmax_sub_tokens: 0\n", "max_sub_tokens value can not be negative"),
    ("port: -1\nlame_duck_duration: \"10s\"\n", "invalid lame_duck_duration of 10s, minimum is 30 seconds"),
    ("port: -1\nauthorization { user: a, password: b, token: t }\n", "Cannot have a user/pass and token"),
    ("port: -1\ncluster { routes: [\"127.0.0.1:6222\"] }\n", 'error parsing route url ["127.0.0.1:6222"]'),
    ("port: -1\nstore_dir: /a\njetstream { store_dir: /b }\n", "Duplicate 'store_dir' configuration"),
    ("port: -1\njetstream { max_mem: \"1X\" }\n", "sizes defined as strings must end in K, M, G, T"),
    ("port: -1\nleafnodes { min_version: \"2.7.0\" }\n", "the minimum version should be at least 2.8.0"),
    ("port: -1\ncluster { authorization { token: t } }\n", "Cluster authorization does not support tokens"),
    ("port: -1\naccounts { A: { imports: [ {stream: {account: X, subject: s}} ] } }\n",
     '"X" account not defined for stream import'),
    ("port: -1\nserver_name: \"a b\"\n", "server name cannot contain spaces"),
    ("port: -1\nmqtt { max_ack_pending: 70000 }\n", "invalid value 70000, should in [0..65535] range"),
    ("port: -1\nleafnodes { authorization { user: x, password: y, users: [ {user: a, password: b} ] } }\n",
     "can not have a single user/pass and a users array"),
    ("port: -1\nleafnodes { authorization { users: [ {user: a, password: b}, {user: a, password: c} ] } }\n",
     'duplicate user "a" detected in leafnode authorization'),
    ('port: -1\nleafnodes { remotes: [ {url: "nats://a:1"}, {url: "nats://a:1"} ] }\n',
     'duplicate remote urls=["nats://a:1"], account="$G"'),
    ('port: -1\nauthorization { users: [ {user: a, password: b, permissions: {publish: "foo..bar"}} ] }\n',
     'subject "foo..bar" is not a valid subject'),
    ('port: -1\nauthorization { users: [ {user: c, password: d, allowed_connection_types: ["FOO", "mqtt"]} ] }\n',
     'invalid connection types ["FOO"]'),
    ('port: -1\nauthorization { auth_callout { issuer: "ABOVQEIGKJPA6B3Q2IZJEGEXVNPFC4KUSXZFJMZT2Y64TO6YT25XPGXX", '
     'auth_users: [cb], allowed_accounts: [NOPE] } }\n', 'auth_callout allowed account "NOPE" not found in configured accounts'),
    ('port: -1\ntrusted_keys: ["NOTAKEY"]\n', 'trust key "NOTAKEY" required to be a valid public operator nkey'),
    ('port: -1\ncluster { port: -1, name: c, permissions { import: "foo..bar" } }\n', 'subject "foo..bar" is not a valid subject'),
    ('port: -1\nauthorization { auth_callout { auth_users: [cb] } }\n', "Authorization callouts require an issuer to be specified"),
    ('port: -1\nauthorization { auth_callout { issuer: "ABOVQEIGKJPA6B3Q2IZJEGEXVNPFC4KUSXZFJMZT2Y64TO6YT25XPGXX" } }\n',
     "Authorization callouts require authorized users to be specified"),
    ('port: -1\nauthorization { auth_callout { issuer: "bad", auth_users: [cb] } }\n',
     'Expected callout user to be a valid public account nkey, got "bad"'),
])
def test_server_reports_the_same_text(text, needle, tmp_path):
    """The texts our phase-(a) checks quote are what `nats-server -t` prints."""
    res = check_text(text, str(tmp_path))
    assert res.error is not None and needle in res.error, res.error
    try:
        from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
        from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        pytest.skip("parser not available yet")
    dummy, findings = validate_text(text, filename="test.conf")
    assert any(needle in f.message for f in findings if f.severity == "error"), findings
