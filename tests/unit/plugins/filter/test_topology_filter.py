# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The natsops.nats.nats_topology_validate filter (controller side)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.filter.nats_topology_validate import FilterModule, nats_topology_validate

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


def test_filter_returns_dicts_with_host():
    out = nats_topology_validate({"n1": TEXT_N1, "n2": DICT_N2})
    assert [(d["code"], d["host"], d["severity"], d["line"], d["path"]) for d in out if d["code"] == "route-url-wrong-port"] == [
        ("route-url-wrong-port", "n1", "error", 6, "cluster.routes[0]")]
    assert all("S3cr3t-pw" not in (d["message"] + (d["hint"] or "")) for d in out)
    assert FilterModule().filters() == {"nats_topology_validate": nats_topology_validate}


def test_filter_addresses_and_options():
    configs = {
        "a": {"server_name": "a", "cluster": {"name": "C", "port": 6222, "routes": ["nats-route://10.0.0.2:4222"]}},
        "b": {"server_name": "b", "cluster": {"name": "C", "port": 6222, "routes": ["nats-route://10.0.0.1:6222"]}},
    }
    assert nats_topology_validate(configs) == []  # addresses unknown: nothing resolves
    out = nats_topology_validate(configs, {"a": "10.0.0.1", "b": "10.0.0.2"})
    assert [d["code"] for d in out] == ["route-url-wrong-port"]
    assert nats_topology_validate(configs, {"a": "10.0.0.1", "b": "10.0.0.2"}, disable=["route-url-wrong-port"]) == []


@pytest.mark.parametrize("args, message", [
    (("text",), "expected a dict of host -> config, got str"),
    (({"a": 5},), "the config of a must be text or a dict, not int"),
    (({"a": "port: 1"}, "x"), "addresses must be a dict of host -> address"),
    (({"a": "port: 1"}, {}, ["nope"]), "unknown check code"),
])
def test_filter_errors(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        nats_topology_validate(*args)


def test_filter_addresses_lists():
    configs = {
        "a": {"server_name": "a", "cluster": {"name": "C", "port": 6222, "routes": ["nats-route://b.example.net:4222"]}},
        "b": {"server_name": "b", "cluster": {"name": "C", "port": 6222, "routes": ["nats-route://a.example.net:6222"]}},
    }
    out = nats_topology_validate(configs, {"a": ["10.0.0.1", "a.example.net"], "b": ["10.0.0.2", "b.example.net", None]})
    assert [(d["code"], d["host"]) for d in out] == [("route-url-wrong-port", "a")]
