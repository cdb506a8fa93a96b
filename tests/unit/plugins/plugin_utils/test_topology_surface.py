# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""validate_configs: text / dict / ParseResult per host (the core of the filter and the module)."""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.topology import checks as topology_checks
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
from ansible_collections.natsops.nats.plugins.plugin_utils.topology.checks import validate_configs
from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils.topology_helpers import result

TEXT_N1 = """server_name: n1
listen: 127.0.0.1:4222
cluster {
  name: C
  listen: 127.0.0.1:6222
  routes: [ "nats-route://ruser:S3cr3t-pw@127.0.0.1:4223" ]
  authorization { user: ruser, password: "S3cr3t-pw" }
}
"""
DICT_N2 = {
    "server_name": "n2",
    "listen": "127.0.0.1:4223",
    "cluster": {"name": "C", "listen": "127.0.0.1:6223", "routes": ["nats-route://ruser:S3cr3t-pw@127.0.0.1:6222"],
                "authorization": {"user": "ruser", "password": "S3cr3t-pw"}},
}


def test_validate_configs_mixed_inputs():
    configs = {"n1": TEXT_N1, "n2": DICT_N2}
    findings, topo = validate_configs(configs, config_checks=False, filenames={"n1": "/etc/nats/n1.conf"})
    assert [(f.code, f.host) for f in findings] == [("route-url-wrong-port", "n1")]
    f = findings[0]
    assert (f.file, f.line, f.path) == ("/etc/nats/n1.conf", 6, "cluster.routes[0]")
    assert "S3cr3t-pw" not in f.format()
    assert "nats-route://********@127.0.0.1:4223" in f.message
    assert topo.cluster_summary() == {"C": ["n1", "n2"]}


def test_validate_configs_parse_error_and_parse_results():
    configs = {"ok": result({"server_name": "ok"}, "ok.conf"), "bad": "cluster {"}
    findings, topo = validate_configs(configs)
    assert [(f.code, f.host, f.severity) for f in findings] == [("parse-error", "bad", "error")]
    assert [s.host for s in topo.servers] == ["ok"]


def test_validate_configs_config_checks_carry_the_host():
    cfg = {"n1": "cluster { name: A, port: 6222 }\ngateway { name: B, port: 7222 }\n"}
    findings, dummy = validate_configs(cfg, config_checks=True)
    conflict = [f for f in findings if f.code == "cluster-gateway-name-conflict"]
    assert len(conflict) == 1 and conflict[0].host == "n1"
    findings, dummy = validate_configs(cfg, config_checks=False)
    assert [f.code for f in findings if f.code == "cluster-gateway-name-conflict"] == []


def test_validate_configs_unknown_disable_code():
    with pytest.raises(ValueError, match="unknown check code"):
        validate_configs({"n1": "port: 4222"}, disable=["no-such-code"])


def test_validate_configs_rejects_other_types():
    with pytest.raises(TypeError, match="expected config text or a dict of config values, got int"):
        validate_configs({"n1": 5})


def test_internal_error_of_a_check_is_a_finding(monkeypatch):
    def boom(topo):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(REGISTRY["pool-size-mismatch"], "func", boom)
    findings, dummy = validate_configs({"n1": "port: 4222"}, config_checks=False)
    assert [(f.code, f.message) for f in findings] == [
        ("check-internal-error", "topology check pool-size-mismatch failed: RuntimeError: kaboom")]
    findings, dummy = validate_configs({"n1": "port: 4222"}, config_checks=False, disable=["pool-size-mismatch"])
    assert findings == []


def test_module_exports():
    for name in ("validate_topology", "validate_configs", "build_topology", "to_result"):
        assert name in topology_checks.__all__
