# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""natsops.nats.nats_config_validate filter and natsops.nats.nats_config_valid test."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.filter.nats_config_validate import FilterModule, nats_config_validate
from ansible_collections.natsops.nats.plugins.test.nats_config_valid import TestModule as ValidTestModule, nats_config_valid

CONFLICT = """listen: 127.0.0.1:4222
gateway {
  name: "gateway"
  listen: 127.0.0.1:7222
}
cluster {
  name: "cluster"
  listen: 127.0.0.1:6222
}
"""


def test_registered():
    assert FilterModule().filters()["nats_config_validate"] is nats_config_validate
    assert ValidTestModule().tests()["nats_config_valid"] is nats_config_valid


def test_conflict_text():
    findings = nats_config_validate(CONFLICT)
    assert findings == [{
        "code": "cluster-gateway-name-conflict",
        "severity": "error",
        "message": 'cluster name conflicts between cluster and gateway definitions: cluster.name "cluster" '
                   '(<string>:7:3) vs gateway.name "gateway" (<string>:3:3)',
        "file": "<string>",
        "line": 7,
        "column": 3,
        "path": "cluster.name",
        "hint": "use one name for both (the gateway name is the cluster's name in the super-cluster)",
    }]
    assert nats_config_valid(CONFLICT) is False


def test_values_dict_is_rendered():
    values = {"listen": "127.0.0.1:4222", "cluster": {"name": "a", "listen": "127.0.0.1:6222"},
              "gateway": {"name": "b", "listen": "127.0.0.1:7222"}}
    codes = [f["code"] for f in nats_config_validate(values)]
    assert codes == ["cluster-gateway-name-conflict"]
    values["gateway"]["name"] = "a"
    assert nats_config_validate(values) == []
    assert nats_config_valid(values) is True


def test_parse_error_is_one_finding():
    findings = nats_config_validate("port: 4222\nfoo {\n")
    assert len(findings) == 1
    assert findings[0]["code"] == "parse-error"
    assert findings[0]["severity"] == "error"
    assert findings[0]["line"] is not None
    assert nats_config_valid("port: 4222\nfoo {\n") is False


def test_disable_and_warnings_as_errors():
    text = "listen: 127.0.0.1:4222\nwebsocket {\n  listen: 127.0.0.1:8080\n  no_tls: true\n}\n"
    findings = nats_config_validate(text)
    assert [(f["code"], f["severity"]) for f in findings] == [("websocket-no-tls", "warning")]
    assert nats_config_valid(text) is True
    assert nats_config_valid(text, warnings_as_errors=True) is False
    assert nats_config_validate(text, warnings_as_errors=True)[0]["severity"] == "error"
    assert nats_config_validate(text, disable=["websocket-no-tls"]) == []
    assert nats_config_valid(text, disable=["websocket-no-tls"], warnings_as_errors=True) is True


def test_unknown_disable_code_is_a_clear_error():
    with pytest.raises(AnsibleFilterError) as exc:
        nats_config_validate("port: 4222\n", disable=["no-such-check"])
    assert "unknown check code(s) no-such-check; valid codes: " in str(exc.value)
    assert "cluster-gateway-name-conflict" in str(exc.value)
    with pytest.raises(AnsibleFilterError):
        nats_config_valid("port: 4222\n", disable="websocket-no-tls")


def test_env_and_bad_input():
    findings = nats_config_validate("port: $P\nserver_name: \"a b\"\n", env={"P": "4222"})
    assert [f["code"] for f in findings] == ["name-has-spaces"]
    with pytest.raises(AnsibleFilterError) as exc:
        nats_config_validate(42)
    assert "must be configuration text or a dict" in str(exc.value)


def test_secrets_never_in_messages():
    text = ('listen: 127.0.0.1:4222\ncluster {\n  name: c\n  listen: 127.0.0.1:6222\n'
            '  routes: ["nats://ruser:s3cr3tpw@127.0.0.1:x"]\n}\n')
    findings = nats_config_validate(text)
    assert findings and all("s3cr3tpw" not in f["message"] and "s3cr3tpw" not in (f["hint"] or "") for f in findings)


def test_include_with_base_dir(tmp_path):
    (tmp_path / "gw.conf").write_text('gateway {\n  name: "b"\n  listen: 127.0.0.1:7222\n}\n')
    text = 'listen: 127.0.0.1:4222\ncluster {\n  name: "a"\n  listen: 127.0.0.1:6222\n}\ninclude "gw.conf"\n'
    findings = nats_config_validate(text, base_dir=str(tmp_path))
    assert [f["code"] for f in findings] == ["cluster-gateway-name-conflict"]
    assert '(gw.conf:2:3)' in findings[0]["message"] or 'gw.conf:2:3' in findings[0]["message"]


def test_server_version_decides_known_keys():
    text = 'jetstream { limits { default_max_consumers: 5 } }\n'
    assert [f["code"] for f in nats_config_validate(text) if f["code"] == "unknown-field"] == []
    assert [(f["code"], f["message"]) for f in nats_config_validate(text, server_version="2.14.6")
            if f["code"] == "unknown-field"] == [
        ("unknown-field", 'unknown field "default_max_consumers": jetstream.limits.default_max_consumers (<string>:1:22)')]
    assert nats_config_valid("proxies {}\n") is True
    assert nats_config_valid("proxies {}\n", server_version="2.11.11") is False
    with pytest.raises(AnsibleFilterError) as info:
        nats_config_valid("port: 1\n", server_version="3.0.0")
    assert "server_version 3.0.0 is not supported" in str(info.value)
