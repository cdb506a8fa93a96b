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


# -- server_version / server_versions -------------------------------------------------------

UPGRADE = {
    "n1": {"server_name": "n1", "cluster": {"name": "east", "port": 6222, "routes": ["nats-route://n2:6222"]}},
    "n2": {"server_name": "n2", "cluster": {"name": "east", "port": 6222, "routes": ["nats-route://n1:6222"]}},
}
SUPPORTED = "supported: 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x (default 2.15.1)"


def test_server_versions_compare_members():
    assert nats_topology_validate(UPGRADE) == []
    assert nats_topology_validate(UPGRADE, server_versions={"n1": "2.14.7", "n2": "2.15.1"}) == []
    out = nats_topology_validate(UPGRADE, server_versions={"n1": "2.14.6", "n2": "2.15.1"})
    assert [(d["host"], d["code"], d["severity"], d["message"], d["hint"]) for d in out] == [(
        "n1", "version-upgrade-path", "error",
        "n1 runs nats-server 2.14.6 while n2 of the same cluster runs 2.15.1: upgrading to 2.15.1 requires coming "
        "from 2.14.7 or later (this host runs 2.14.6)",
        "upgrade n1 to 2.14.7 or later first (the release notes' upgrade path)")]


def test_server_version_is_the_default_of_unlisted_servers():
    # n2 is unlisted and takes server_version 2.15.0: no upgrade floor problem from 2.14.7 ...
    assert nats_topology_validate(UPGRADE, server_version="2.15.0", server_versions={"n1": "2.14.7"}) == []
    # ... but from 2.14.6 there is one, naming the version n2 took
    out = nats_topology_validate(UPGRADE, server_version="2.15.0", server_versions={"n1": "2.14.6"})
    assert [d["message"] for d in out] == [
        "n1 runs nats-server 2.14.6 while n2 of the same cluster runs 2.15.0: upgrading to 2.15.0 requires coming "
        "from 2.14.7 or later (this host runs 2.14.6)"]


def test_server_versions_key_skew_and_unknown_field():
    configs = dict((h, dict(c, jetstream={"limits": {"default_max_consumers": 10}})) for h, c in UPGRADE.items())
    out = nats_topology_validate(configs, config_checks=True, server_versions={"n1": "2.14.7", "n2": "2.15.1"})
    assert [(d["host"], d["code"], d["severity"], d["message"]) for d in out
            if d["code"] in ("unknown-field", "version-key-skew")] == [
        ("n1", "unknown-field", "error",
         'unknown field "default_max_consumers": jetstream.limits.default_max_consumers (<string>:11:5)'),
        ("n2", "version-key-skew", "warning",
         "jetstream.limits.default_max_consumers is known to nats-server 2.15.0 and later (this server runs 2.15.1) but "
         "not to n1 (2.14.7) of the same cluster: their configs cannot carry it (unknown field), and this server cannot "
         "go back to their version with it")]


@pytest.mark.parametrize("kwargs, message", [
    (dict(server_versions={"n1": "2.x"}),
     "natsops.nats.nats_topology_validate: server_versions[n1]: server_version '2.x' is not a nats-server version "
     "(write MAJOR.MINOR.PATCH, e.g. 2.15.1); " + SUPPORTED),
    (dict(server_versions={"n2": "2.13.0"}),
     "natsops.nats.nats_topology_validate: server_versions[n2]: server_version 2.13.0 is not supported; " + SUPPORTED),
    (dict(server_version="2.9.25"),
     "natsops.nats.nats_topology_validate: server_version 2.9.25 is not supported; " + SUPPORTED),
    (dict(server_versions={"n9": "2.14.6", "m1": "2.15.1"}),
     "natsops.nats.nats_topology_validate: server_versions: m1, n9 are not among the configs (n1, n2)"),
    (dict(server_versions=["2.14.6"]),
     "natsops.nats.nats_topology_validate: server_versions must be a dict of host -> version, not list"),
])
def test_server_versions_errors(kwargs, message):
    with pytest.raises(AnsibleFilterError) as info:
        nats_topology_validate(UPGRADE, **kwargs)
    assert str(info.value) == message
