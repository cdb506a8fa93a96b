# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""validate()/validate_text() contract, policy, and the warnings for configs that start but misbehave."""

from __future__ import annotations

import concurrent.futures
import os
import re

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import check_disable, validate, validate_text
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING, Finding
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
from ansible_collections.natsops.nats.tests.unit.nats_harness import (
    check_text, fake_parse_result, free_ports, startup_outcome,
)

MANY = """listen: 127.0.0.1:4222
server_name: "a b"
lame_duck_grace_period: "3m"
bogus_option: 1
websocket {
  listen: 127.0.0.1:8080
}
gateway {
  name: "gw"
  listen: 127.0.0.1:7222
}
cluster {
  name: "cl"
  listen: 127.0.0.1:4222
}
"""


def test_all_findings_at_once_sorted():
    result, findings = validate_text(MANY, filename="nats.conf")
    assert result is not None
    got = [(f.line, f.column, f.code) for f in findings]
    assert got == [(2, 1, "name-has-spaces"), (3, 1, "lame-duck-grace-period-too-long"), (4, 1, "unknown-field"),
                   (5, 1, "websocket-requires-tls"), (13, 3, "cluster-gateway-name-conflict"),
                   (14, 3, "duplicate-listen-port")]
    dup = findings[-1]
    assert dup.message == ("Error listening on router port: 4222: cluster.listen (nats.conf:14:3) and listen "
                           "(nats.conf:1:1) both use port 4222; the cluster bind fails with 'address already in use'")
    assert all(f.file == "nats.conf" and f.severity == ERROR for f in findings)


def test_finding_positions_and_message_of_the_headline_check():
    dummy, findings = validate_text(MANY, filename="nats.conf")
    conflict = [f for f in findings if f.code == "cluster-gateway-name-conflict"][0]
    assert conflict.to_dict() == {
        "code": "cluster-gateway-name-conflict", "severity": "error",
        "message": 'cluster name conflicts between cluster and gateway definitions: cluster.name "cl" (nats.conf:13:3) '
                   'vs gateway.name "gw" (nats.conf:9:3)',
        "file": "nats.conf", "line": 13, "column": 3, "path": "cluster.name",
        "hint": "use one name for both (the gateway name is the cluster's name in the super-cluster)"}


def test_parse_error_is_one_finding_with_the_server_message(tmp_path):
    text = "port: 4222\ncluster {\n  name: $NOPE\n}\n"
    res = check_text(text, str(tmp_path), name="nats.conf")
    assert not res.valid
    result, findings = validate_text(text, filename="nats.conf")
    assert result is None
    assert len(findings) == 1
    f = findings[0]
    assert f.code == "parse-error" and f.severity == ERROR
    assert f.message in res.error
    assert (f.file, f.line) == ("nats.conf", 3)


def test_disable_and_warnings_as_errors():
    cfg = {"port": -1, "cluster": {"routes": ["nats://a:1"]}, "no_auth_user": "bob"}
    codes = sorted((f.code, f.severity) for f in validate(fake_parse_result(cfg)))
    assert codes == [("no-auth-user-invalid", ERROR), ("routes-without-cluster-listener", WARNING)]
    assert [f.code for f in validate(fake_parse_result(cfg), disable=["no-auth-user-invalid"])] == [
        "routes-without-cluster-listener"]
    assert sorted(f.severity for f in validate(fake_parse_result(cfg), warnings_as_errors=True)) == [ERROR, ERROR]


def test_unknown_disable_code_raises_with_valid_codes():
    with pytest.raises(ValueError) as exc:
        validate(fake_parse_result({"port": 1}), disable=["nope", "also-nope"])
    msg = str(exc.value)
    assert msg.startswith("unknown check code(s) also-nope, nope; valid codes: ")
    assert "cluster-gateway-name-conflict" in msg and "parse-error" in msg
    with pytest.raises(ValueError):
        validate_text("port: 1\n", disable=["nope"])
    assert check_disable(["parse-error"]) == ["parse-error"]


def test_parser_warnings_are_included_and_policy_applies():
    result = fake_parse_result({"port": -1})
    result.warnings.append(Finding("dropped-key", WARNING, "a key was dropped", "nats.conf", 1, 1))
    assert [f.code for f in validate(result)] == ["dropped-key"]
    assert [f.severity for f in validate(result, warnings_as_errors=True)] == [ERROR]
    assert validate(result, disable=["dropped-key"]) == []


def test_a_crashing_check_becomes_a_finding(monkeypatch):
    entry = REGISTRY["cluster-gateway-name-conflict"]

    def boom(result, ctx):
        raise KeyError("x")
    monkeypatch.setattr(entry, "func", boom)
    findings = validate(fake_parse_result({"port": -1}))
    assert [f.code for f in findings] == ["check-internal-error"]
    assert "cluster-gateway-name-conflict" in findings[0].message


def test_every_config_code_is_kebab_case_and_has_a_function():
    for code, entry in REGISTRY.items():
        assert re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", code), code
        if entry.scope == "config":
            assert entry.func is not None or code in (checks_engine.INTERNAL_ERROR, checks_engine.SERVER_REJECTED), code


def test_secrets_are_scrubbed():
    cfg = {"port": -1, "cluster": {"port": -1, "name": "c", "routes": ["nats://u:topsecret@127.0.0.1:x"]}}
    findings = validate(fake_parse_result(cfg))
    assert findings and not any("topsecret" in f.message for f in findings)


# -------- warnings: configs that start but are wrong ------------------------

def _codes(cfg):
    return [(f.code, f.severity) for f in validate(fake_parse_result(cfg))]


@pytest.mark.parametrize("cfg,expected", [
    ({"port": -1, "gateway": {"name": "A", "port": -1, "gateways": [{"name": "B", "url": "nats://h:1"},
                                                                    {"name": "B", "url": "nats://h:2"}]}},
     [("gateways-duplicate-entry", WARNING)]),
    ({"port": -1, "cluster": {"name": "C", "routes": ["nats://h:1"]}}, [("routes-without-cluster-listener", WARNING)]),
    ({"port": -1, "cluster": {"port": -1}, "gateway": {"name": "G", "port": -1}},
     [("gateway-name-adopted-by-cluster", WARNING)]),
    ({"port": -1, "cluster": {"port": -1}}, [("cluster-name-unset", WARNING)]),
    ({}, [("config-empty", ERROR)]),
    ({"port": -1, "cluster": {"name": "C", "port": -1, "routes": ["nats://h:1", "nats://h:1"]}},
     [("routes-duplicate-url", ERROR)]),
    ({"port": -1, "cluster": {"name": "C", "port": -1, "ping_interval": "1m"}}, [("cluster-ping-interval-capped", ERROR)]),
    ({"port": -1, "cluster": {"name": "C", "port": -1, "routes": ["localhost:6222"]}},
     [("route-url-without-scheme", WARNING)]),
    ({"port": -1, "cluster": {"name": "C", "port": -1, "accounts": ["NOPE"]}}, [("cluster-pinned-account-undefined", WARNING)]),
    ({"port": -1, "mqtt": {"consumer_replicas": 1}}, [("mqtt-consumer-replicas-ignored", ERROR)]),
    ({"port": -1, "ping_interval": 20}, [("option-deprecated-duration", ERROR)]),
    ({"port": -1, "websocket": {"port": -1, "no_tls": True}}, [("websocket-no-tls", WARNING)]),
    ({"port": -1, "authorization": {"auth_callout": {
        "issuer": "ABOVQEIGKJPA6B3Q2IZJEGEXVNPFC4KUSXZFJMZT2Y64TO6YT25XPGXX", "account": "NOPE", "auth_users": ["cb"]}}},
     [("auth-callout-account-undefined", WARNING), ("auth-callout-account-undefined", WARNING)]),
])
def test_warnings_and_t_only_errors(cfg, expected):
    assert _codes(cfg) == expected


# Server warnings that make `nats-server -t` exit 1 although a real start goes on: prove both halves with the
# binary. For our verdict (the same as -t's) they are errors.
T_ONLY = {
    "config-empty": "",
    "routes-duplicate-url": 'listen: 127.0.0.1:{P1}\ncluster {\n  name: C\n  listen: 127.0.0.1:{P2}\n'
                            '  routes: ["nats://127.0.0.1:{P3}", "nats://127.0.0.1:{P3}"]\n}\n',
    "cluster-ping-interval-capped": 'listen: 127.0.0.1:{P1}\ncluster {\n  name: C\n  listen: 127.0.0.1:{P2}\n'
                                    '  ping_interval: "1m"\n}\n',
    "mqtt-consumer-replicas-ignored": 'listen: 127.0.0.1:{P1}\njetstream { store_dir: "{DIR}/js" }\n'
                                      'server_name: m\nmqtt {\n  listen: 127.0.0.1:{P2}\n  consumer_replicas: 1\n}\n',
    "option-deprecated-duration": 'listen: 127.0.0.1:{P1}\nping_interval: 20\n',
}


def test_t_only_warnings_against_the_binary(tmp_path):
    jobs = []
    for code, text in T_ONLY.items():
        d = tmp_path / code
        d.mkdir()
        p1, p2, p3 = free_ports(3)
        text = text.replace("{P1}", str(p1)).replace("{P2}", str(p2)).replace("{P3}", str(p3)).replace("{DIR}", str(d))
        jobs.append((code, str(d), text))

    def run(job):
        code, d, text = job
        checked = check_text(text, d, name="nats.conf")
        started = True
        if code != "config-empty":  # an empty file would bind the default port 4222
            started, dummy = startup_outcome(os.path.join(d, "nats.conf"), cwd=d, timeout=8.0)
        return code, checked, started, text

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, jobs))
    for code, checked, started, text in results:
        assert not checked.valid, code
        assert started, code
        result, findings = validate_text(text, filename="nats.conf")
        mine = [f for f in findings if f.code == code]
        assert mine and all(f.severity == ERROR for f in mine), (code, findings)
        assert [f for f in findings if f.severity == ERROR and f.code != code] == [], code
        if code != "option-deprecated-duration":
            server_text = re.sub(r"^[^ ]*:\d+:\d+: ", "", checked.error.splitlines()[0])
            assert server_text in mine[0].message or mine[0].message.split(":")[1].strip() in checked.error, (
                code, checked.error, mine[0].message)


def test_several_operators_need_a_resolver():
    cfg = {"port": -1, "operators": ["/nonexistent/a.jwt", "/nonexistent/b.jwt"]}
    found = [(f.code, f.message) for f in validate(fake_parse_result(cfg))]
    assert found == [("operator-requires-resolver",
                      "operators require an account resolver to be configured: operators (nats.conf:2:1)")]
    cfg["resolver"] = "MEMORY"
    assert validate(fake_parse_result(cfg)) == []


def test_secret_key_never_in_messages():
    cfg = {"port": -1, "jetstream": {"key": "s3cr3t-key", "tpm": {"keys_file": "k"}}}
    found = validate(fake_parse_result(cfg))
    assert [f.code for f in found] == ["jetstream-key-with-tpm"]
    assert "s3cr3t-key" not in found[0].message
