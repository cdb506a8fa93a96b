# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the topology checks: every check positive and negative."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY, checks
from ansible_collections.natsops.nats.plugins.plugin_utils.topology.checks import build_topology, validate_topology
from ansible_collections.natsops.nats.plugins.plugin_utils.topology.model import Server, norm_host, parse_listen, redact_url
from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils.topology_helpers import results

ADDR = {"a1": "10.0.0.1", "a2": "10.0.0.2", "a3": "10.0.0.3", "b1": "10.0.1.1", "b2": "10.0.1.2"}
CLUSTERS = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]}


def gw_entries():
    return [{"name": name, "urls": ["nats://%s:7222" % h for h in hosts]} for name, hosts in sorted(CLUSTERS.items())]


def good():
    """Two clusters (A: 3 servers, B: 2), full route meshes, gateways both ways, JetStream."""
    out = {}
    for name, hosts in CLUSTERS.items():
        for h in hosts:
            out[h] = {
                "server_name": h,
                "port": 4222,
                "http_port": 8222,
                "jetstream": {"store_dir": "/var/lib/nats"},
                "cluster": {
                    "name": name,
                    "port": 6222,
                    "routes": ["nats-route://%s:6222" % p for p in hosts],
                },
                "gateway": {"name": name, "port": 7222, "gateways": gw_entries()},
            }
    return out


def run(configs, addresses="default", **kw):
    if addresses == "default":
        addresses = ADDR
    res = results(configs)
    return res, validate_topology(res, addresses=addresses, **kw)


def codes(findings):
    return sorted(f.code for f in findings)


def only(findings, code):
    return [f for f in findings if f.code == code]


def assert_at(f, res, host, path, value=True):
    """The finding is on host, at the (value) position of path."""
    pos = res[host].value_pos(path) if value else res[host].pos(path)
    assert f.host == host
    assert (f.file, f.line, f.column) == (pos[0], pos[1], pos[2])


# ---------------------------------------------------------------------------------------------
# helpers and model


def test_parse_listen_forms():
    assert parse_listen("10.0.0.1:4222") == ("10.0.0.1", 4222)
    assert parse_listen(":4222") == ("", 4222)
    assert parse_listen(4222) == ("", 4222)
    assert parse_listen("[::1]:4222") == ("::1", 4222)
    assert parse_listen("10.0.0.1") is None
    assert parse_listen("h:abc") is None
    assert parse_listen(True) is None


def test_norm_host_and_redact():
    assert norm_host("LocalHost") == "127.0.0.1"
    assert norm_host("[::1]") == "::1"
    assert norm_host("Host.Example") == "host.example"
    assert redact_url("nats-route://ruser:s3cret@h:6222") == "nats-route://********@h:6222"
    assert redact_url("nats://s3cret@h:4222") == "nats://********@h:4222"  # a bare token
    # a raw '@' in the password: the user info ends at the last '@', like Go's url.Parse
    assert redact_url("nats://ruser:p@ss@h:6222") == "nats://********@h:6222"
    assert redact_url("nats://h:7222") == "nats://h:7222"


def test_all_codes_registered_as_topology():
    mine = set(c.code for c in checks("topology"))
    assert mine == set([
        "cluster-name-mismatch", "route-url-wrong-port", "gateway-url-wrong-port", "leafnode-url-wrong-port",
        "url-no-listener", "gateway-entry-name-mismatch", "gateway-entry-unknown-cluster", "server-name-duplicate",
        "system-account-mismatch", "jetstream-domain-mismatch", "gateway-block-missing", "route-auth-mismatch",
        "route-auth-one-way", "route-tls-mismatch", "gateway-auth-mismatch", "gateway-tls-mismatch", "pinned-account-missing-on-peer",
        "pinned-accounts-mismatch", "pool-size-mismatch", "leafnode-same-cluster-name", "gateway-list-asymmetric",
        "cluster-routes-disconnected", "listener-port-conflict",
        "version-key-skew", "version-upgrade-path", "version-semantics-differ",
    ])
    assert REGISTRY["gateway-list-asymmetric"].severity == "warning"
    assert REGISTRY["cluster-routes-disconnected"].severity == "warning"
    assert REGISTRY["cluster-name-mismatch"].severity == "error"


def test_good_topology_is_clean_and_summarised():
    res, findings = run(good())
    assert findings == []
    topo = build_topology(res, ADDR)
    assert topo.cluster_summary() == {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]}
    assert len(topo.superclusters) == 1
    # every route resolves to a cluster listener, every gateway URL to a gateway listener
    assert len(topo.route_edges) == 3 * 3 + 2 * 2
    assert all(edge[2].kind == "cluster" for edge in topo.route_edges)
    # entries naming the server's own gateway are never dialed: A's 3 servers x B's 2 URLs + B's 2 x A's 3
    assert len(topo.gateway_edges) == 3 * 2 + 2 * 3
    assert all(edge[3].kind == "gateway" for edge in topo.gateway_edges)


def test_resolution_by_bind_address_without_addresses():
    """Servers on one machine (127.0.0.1, distinct ports) resolve by their bind host."""
    cfg = {}
    for i, h in enumerate(["s1", "s2"]):
        cfg[h] = {"server_name": h, "listen": "127.0.0.1:%d" % (4000 + i),
                  "cluster": {"name": "C", "listen": "127.0.0.1:%d" % (5000 + i),
                              "routes": ["nats-route://localhost:5000", "nats-route://127.0.0.1:5001"]}}
    res, findings = run(cfg, addresses=None)
    assert findings == []
    topo = build_topology(res)
    assert [(s.host, u.port, lst.server.host, lst.kind) for s, u, lst in topo.route_edges] == [
        ("s1", 5000, "s1", "cluster"), ("s1", 5001, "s2", "cluster"), ("s2", 5000, "s1", "cluster"), ("s2", 5001, "s2", "cluster")]


def test_default_client_port_is_4222():
    cfg = good()
    cfg["a1"]["cluster"]["routes"][1] = "nats-route://a2:4222"
    del cfg["a2"]["port"]
    res, findings = run(cfg)
    f = only(findings, "route-url-wrong-port")
    assert len(f) == 1
    assert "client port 4222 of a2" in f[0].message


def test_disable_and_warnings_as_errors():
    cfg = good()
    cfg["b1"]["gateway"]["gateways"] = [e for e in gw_entries() if e["name"] != "A"]
    cfg["b2"]["gateway"]["gateways"] = [e for e in gw_entries() if e["name"] != "A"]
    res, findings = run(cfg)
    assert codes(findings) == ["gateway-list-asymmetric"]
    assert findings[0].severity == "warning"
    dummy, findings = run(cfg, warnings_as_errors=True)
    assert [f.severity for f in findings] == ["error"]
    dummy, findings = run(cfg, disable=["gateway-list-asymmetric"])
    assert findings == []


# ---------------------------------------------------------------------------------------------
# cluster-name-mismatch


def test_cluster_name_mismatch_odd_member():
    cfg = good()
    cfg["a3"]["cluster"]["name"] = "A2"
    cfg["a3"]["gateway"]["name"] = "A2"
    res, findings = run(cfg, disable=["gateway-entry-name-mismatch", "gateway-list-asymmetric",
                                      "gateway-entry-unknown-cluster"])
    f = only(findings, "cluster-name-mismatch")
    assert len(f) == 1
    assert_at(f[0], res, "a3", ("cluster", "name"))
    pos = res["a1"].pos(("cluster", "name"))
    assert f[0].message == ('cluster name "A2" differs from "A" used by its route peers a1, a2 (a1: %s:%d:%d); '
                            'routes between them are rejected' % (pos[0], pos[1], pos[2]))
    assert "Cluster Name Conflict" in f[0].hint


def test_cluster_name_mismatch_single_stray_route_between_clusters():
    cfg = good()
    cfg["a1"]["cluster"]["routes"].append("nats-route://b1:6222")
    res, findings = run(cfg)
    f = only(findings, "cluster-name-mismatch")
    assert len(f) == 1
    assert_at(f[0], res, "a1", ("cluster", "routes", 3))
    assert f[0].message.startswith('route nats-route://b1:6222 points at b1 (')
    assert 'a server of cluster "B", but this server is in cluster "A"' in f[0].message
    # the route joins both into one component, but names are still reported per cluster
    assert codes(findings) == ["cluster-name-mismatch"]


def test_cluster_name_mismatch_negative_gateway_adopted_name():
    """An unset cluster name adopts the gateway name: no mismatch."""
    cfg = good()
    del cfg["a2"]["cluster"]["name"]
    dummy, findings = run(cfg)
    assert findings == []


# ---------------------------------------------------------------------------------------------
# ports


def test_route_url_wrong_port_client_and_gateway():
    cfg = good()
    cfg["a1"]["cluster"]["routes"][1] = "nats-route://a2:4222"
    cfg["a1"]["cluster"]["routes"][2] = "nats-route://a3:7222"
    res, findings = run(cfg)
    f = only(findings, "route-url-wrong-port")
    assert codes(findings) == ["route-url-wrong-port"] * 2
    assert_at(f[0], res, "a1", ("cluster", "routes", 1))
    pos = res["a2"].pos(("port",))
    assert f[0].message == ("route nats-route://a2:4222 points at the client port 4222 of a2 (%s:%d:%d), not at a "
                            "cluster (route) port (its cluster (route) port is 6222)" % tuple(pos))
    assert "gateway port 7222 of a3" in f[1].message


def test_route_url_wrong_port_negative_self_route():
    cfg = good()  # every server lists itself: fine
    dummy, findings = run(cfg)
    assert only(findings, "route-url-wrong-port") == []


def test_gateway_url_wrong_port():
    cfg = good()
    for h in ("a1", "a2", "a3"):
        cfg[h]["gateway"]["gateways"][1]["urls"] = ["nats://b1:6222", "nats://b2:4222"]
    res, findings = run(cfg)
    f = only(findings, "gateway-url-wrong-port")
    assert len(f) == 6
    assert_at(f[0], res, "a1", ("gateway", "gateways", 1, "urls", 0))
    assert "cluster (route) port 6222 of b1" in f[0].message and "its gateway port is 7222" in f[0].message
    assert "client port 4222 of b2" in f[1].message


def test_leafnode_url_wrong_port_and_negative():
    cfg = good()
    cfg["b1"]["leafnodes"] = {"port": 7422}
    cfg["leaf"] = {"server_name": "leaf", "leafnodes": {"remotes": [{"url": "nats://b1:4222"}, {"urls": ["nats://b1:7422"]}]}}
    res, findings = run(cfg, addresses=dict(ADDR, leaf="10.9.9.9"))
    f = only(findings, "leafnode-url-wrong-port")
    assert len(f) == 1
    assert_at(f[0], res, "leaf", ("leafnodes", "remotes", 0, "url"))
    assert "client port 4222 of b1" in f[0].message and "its leafnode port is 7422" in f[0].message
    assert codes(findings) == ["leafnode-url-wrong-port"]


def test_leafnode_over_websocket():
    cfg = good()
    cfg["b1"]["websocket"] = {"port": 8443, "no_tls": True}
    cfg["b1"]["leafnodes"] = {"port": 7422}
    cfg["leaf"] = {"server_name": "leaf", "leafnodes": {"remotes": [{"url": "ws://b1:8443"}, {"url": "wss://b1:7422"}]}}
    res, findings = run(cfg, addresses=dict(ADDR, leaf="10.9.9.9"))
    assert codes(findings) == ["leafnode-url-wrong-port"]
    assert_at(findings[0], res, "leaf", ("leafnodes", "remotes", 1, "url"))
    assert "leafnode port 7422 of b1" in findings[0].message and "its websocket port is 8443" in findings[0].message


def test_own_gateway_entry_is_not_dialed():
    """An entry with the server's own gateway name is ignored by the server: its URLs are not checked."""
    cfg = good()
    for h in ("a1", "a2", "a3"):
        cfg[h]["gateway"]["gateways"][0]["urls"] = ["nats://a1:4222"]
    dummy, findings = run(cfg)
    assert findings == []


def test_url_no_listener_and_unknown_host_ignored():
    cfg = good()
    cfg["a1"]["cluster"]["routes"].append("nats-route://a2:16222")
    cfg["a1"]["cluster"]["routes"].append("nats-route://elsewhere.example:6222")
    res, findings = run(cfg)
    f = only(findings, "url-no-listener")
    assert codes(findings) == ["url-no-listener"]
    assert f[0].severity == "warning"
    assert_at(f[0], res, "a1", ("cluster", "routes", 3))
    assert f[0].message == ("route URL nats-route://a2:16222 names a2, which has no listener on port 16222 "
                            "(its ports: client 4222, monitoring (HTTP) 8222, cluster (route) 6222, gateway 7222)")


# ---------------------------------------------------------------------------------------------
# gateways


def test_gateway_entry_name_mismatch():
    cfg = good()
    for h in ("a1", "a2", "a3"):
        cfg[h]["gateway"]["gateways"][1]["name"] = "WRONG"
    res, findings = run(cfg, disable=["gateway-list-asymmetric"])
    f = only(findings, "gateway-entry-name-mismatch")
    assert len(f) == 6  # 3 servers x 2 URLs
    assert_at(f[0], res, "a1", ("gateway", "gateways", 1, "name"))
    assert f[0].message.startswith('gateway entry "WRONG" has URL nats://b1:7222, which points at b1 (')
    assert f[0].message.endswith('of gateway (cluster) "B"; the entry name must be "B"')
    assert codes(findings) == ["gateway-entry-name-mismatch"] * 6


def test_gateway_entry_unknown_cluster():
    cfg = good()
    cfg["a1"]["gateway"]["gateways"].append({"name": "C", "url": "nats://c1.example:7222"})
    res, findings = run(cfg, disable=["gateway-list-asymmetric"])
    f = only(findings, "gateway-entry-unknown-cluster")
    assert len(f) == 1 and f[0].severity == "warning"
    assert_at(f[0], res, "a1", ("gateway", "gateways", 2, "name"))
    assert f[0].message == ('gateway entry "C" matches no gateway of the inventory (known: "A", "B") and its URLs '
                            'point at no known server')


def test_gateway_block_missing():
    cfg = good()
    del cfg["a2"]["gateway"]
    res, findings = run(cfg)
    f = only(findings, "gateway-block-missing")
    assert len(f) == 1
    assert_at(f[0], res, "a2", ("cluster",), value=False)
    assert f[0].message.startswith("server has no gateway block but its cluster peers a1, a3 have one (a1 (")
    # the gateway URLs that name a2 now find no listener
    assert set(codes(findings)) == set(["gateway-block-missing", "url-no-listener"])


def test_gateway_list_asymmetric_between_clusters_and_members():
    cfg = good()
    cfg["a2"]["gateway"]["gateways"] = [gw_entries()[0]]  # a2 lists only its own cluster
    res, findings = run(cfg)
    f = only(findings, "gateway-list-asymmetric")
    assert len(f) == 1
    assert_at(f[0], res, "a2", ("gateway",), value=False)
    assert f[0].message.startswith("gateways list [] here but [B] on cluster peers a1, a3 (a1 (")


def test_gateway_list_asymmetric_negative_own_entry_only_difference():
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["gateway"]["gateways"] = [gw_entries()[0]]  # B lists A only (not itself): still symmetric
    dummy, findings = run(cfg)
    assert findings == []


def test_gateway_auth_mismatch():
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["gateway"]["authorization"] = {"user": "gw", "password": "s3cret"}
    res, findings = run(cfg)
    f = only(findings, "gateway-auth-mismatch")
    # A's servers dial B without credentials (6 URLs); B's servers dial B (each other and themselves) with their own auth
    assert len(f) == 6
    assert_at(f[0], res, "a1", ("gateway", "gateways", 1, "urls", 0))
    assert f[0].message.startswith("URL nats://b1:7222 (no credentials, and no gateway authorization here) do not "
                                   "match the gateway authorization of b1 (")
    # fixed: A carries the same gateway authorization
    for h in ("a1", "a2", "a3"):
        cfg[h]["gateway"]["authorization"] = {"user": "gw", "password": "s3cret"}
    dummy, findings = run(cfg)
    assert findings == []
    # URL credentials win over the local authorization; secrets never printed
    cfg["a1"]["gateway"]["gateways"][1]["urls"][0] = "nats://gw:wrong@b1:7222"
    dummy, findings = run(cfg)
    assert codes(findings) == ["gateway-auth-mismatch"]
    assert "wrong" not in findings[0].message and "s3cret" not in findings[0].format()
    assert "the credentials of URL nats://********@b1:7222" in findings[0].message


def test_gateway_tls_mismatch():
    cfg = good()
    for h in ("a1", "a2", "a3", "b1"):
        cfg[h]["gateway"]["tls"] = {"cert_file": "c.pem", "key_file": "k.pem", "ca_file": "ca.pem"}
    res, findings = run(cfg)
    f = only(findings, "gateway-tls-mismatch")
    assert codes(findings) == ["gateway-tls-mismatch"]
    assert_at(f[0], res, "b2", ("gateway",), value=False)
    assert f[0].message.startswith("gateway TLS is off here but on on a1, a2, a3, b1 (a1 (")


# ---------------------------------------------------------------------------------------------
# names, accounts, JetStream


def test_server_name_duplicate_across_clusters():
    cfg = good()
    cfg["b2"]["server_name"] = "a1"
    res, findings = run(cfg)
    f = only(findings, "server-name-duplicate")
    assert codes(findings) == ["server-name-duplicate"]
    assert_at(f[0], res, "b2", ("server_name",))
    pos = res["a1"].pos(("server_name",))
    assert f[0].message == 'server_name "a1" is also used by a1 (%s:%d:%d)' % tuple(pos)


def test_server_name_duplicate_negative_separate_deployments():
    """Two clusters without gateways between them may reuse names."""
    cfg = good()
    for h in cfg:
        del cfg[h]["gateway"]
    cfg["b2"]["server_name"] = "a1"
    dummy, findings = run(cfg)
    assert findings == []


def test_system_account_mismatch():
    cfg = good()
    for h in cfg:
        cfg[h]["accounts"] = {"SYS": {}, "SYS2": {}}
        cfg[h]["system_account"] = "SYS"
    cfg["b1"]["system_account"] = "SYS2"
    res, findings = run(cfg)
    f = only(findings, "system-account-mismatch")
    assert codes(findings) == ["system-account-mismatch"]
    assert_at(f[0], res, "b1", ("system_account",))
    assert f[0].message.startswith('system_account is "SYS2" here but system_account is "SYS" on a1, a2, a3, b2 (a1 (')


def test_system_account_operator_mode_not_compared():
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["operator"] = "/etc/nats/op.jwt"
    cfg["a1"]["accounts"] = {"SYS": {}}
    cfg["a1"]["system_account"] = "SYS"
    res, findings = run(cfg)
    # a1 differs from a2/a3 ($SYS); b1/b2 take theirs from the operator JWT and are not compared
    assert codes(findings) == ["system-account-mismatch"]
    assert findings[0].host == "a1"
    assert findings[0].message.startswith('system_account is "SYS" here but system_account is "$SYS" on a2, a3 (')


def test_system_account_mismatch_default_vs_explicit():
    cfg = good()
    cfg["b1"]["accounts"] = {"SYS": {}}
    cfg["b1"]["system_account"] = "SYS"
    res, findings = run(cfg)
    assert codes(findings) == ["system-account-mismatch"]
    assert 'system_account is "SYS" here but system_account is "$SYS" on a1' in findings[0].message


def test_jetstream_domain_mismatch():
    cfg = good()
    for h in ("a1", "a2", "a3"):
        cfg[h]["jetstream"]["domain"] = "hub"
    cfg["a3"]["jetstream"]["domain"] = "other"
    res, findings = run(cfg)
    f = only(findings, "jetstream-domain-mismatch")
    assert codes(findings) == ["jetstream-domain-mismatch"]
    assert_at(f[0], res, "a3", ("jetstream", "domain"))
    assert f[0].message.startswith('JetStream domain is "other" here but JetStream domain is "hub" on a1, a2 (a1 (')


def test_jetstream_domain_negative_other_cluster_and_js_off():
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["jetstream"]["domain"] = "leafy"  # per-cluster domain differs from A: fine
    cfg["a3"]["jetstream"] = "disabled"
    cfg["a3"].pop("jetstream")
    dummy, findings = run(cfg)
    assert findings == []


def test_leafnode_same_cluster_name():
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["leafnodes"] = {"port": 7422}
        cfg[h]["accounts"] = {"SYS": {}}
        cfg[h]["system_account"] = "SYS"
    for h in ("a1", "a2", "a3"):
        cfg[h]["accounts"] = {"SYS": {}}
        cfg[h]["system_account"] = "SYS"
    cfg["leaf"] = {"server_name": "leaf", "cluster": {"name": "B", "port": 6222},
                   "leafnodes": {"remotes": [{"urls": ["nats://b1:7422", "nats://b2:7422"]}]}}
    addrs = dict(ADDR, leaf="10.9.9.9")
    res, findings = run(cfg, addresses=addrs, disable=["cluster-routes-disconnected"])
    f = only(findings, "leafnode-same-cluster-name")
    assert len(f) == 2
    assert_at(f[0], res, "leaf", ("leafnodes", "remotes", 0, "urls", 0))
    assert 'whose cluster name "B" is the same as this server\'s' in f[0].message
    # fixed: another cluster name
    cfg["leaf"]["cluster"]["name"] = "LEAF"
    dummy, findings = run(cfg, addresses=addrs)
    assert only(findings, "leafnode-same-cluster-name") == []


def test_leafnode_without_cluster_takes_server_name():
    cfg = {"hub": {"server_name": "hub", "cluster": {"name": "edge1", "port": 6222}, "leafnodes": {"port": 7422}},
           "edge": {"server_name": "edge1", "leafnodes": {"remotes": [{"url": "nats://hub:7422"}]}}}
    res, findings = run(cfg, addresses={})
    assert codes(findings) == ["leafnode-same-cluster-name"]


# ---------------------------------------------------------------------------------------------
# route auth / TLS / pinned accounts / pool size


def test_route_auth_missing_in_url():
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["cluster"]["authorization"] = {"user": "ruser", "password": "T0pSecret"}
    res, findings = run(cfg)
    f = only(findings, "route-auth-mismatch")
    assert codes(findings) == ["route-auth-mismatch"] * 2
    assert_at(f[0], res, "b1", ("cluster", "routes", 1))
    assert f[0].message.startswith("route nats-route://b2:6222 has no credentials but needs the cluster authorization of b2 (")
    assert f[0].message.endswith(", and b2 cannot authenticate to this server either")
    # fixed: the URLs carry the credentials
    for h in ("b1", "b2"):
        cfg[h]["cluster"]["routes"] = ["nats-route://ruser:T0pSecret@%s:6222" % p for p in ("b1", "b2")]
    dummy, findings = run(cfg)
    assert findings == []
    # one wrong password: b2 still dials b1, so the route forms (a warning); secrets never printed
    cfg["b1"]["cluster"]["routes"][1] = "nats-route://ruser:nope@b2:6222"
    dummy, findings = run(cfg)
    assert codes(findings) == ["route-auth-one-way"]
    assert findings[0].severity == "warning"
    text = findings[0].format()
    assert "nope" not in text and "T0pSecret" not in text
    assert "carries credentials that do not match the cluster authorization of b2 (" in text
    assert "the route forms only because b2 dials this server" in text
    # both wrong: no route in either direction
    cfg["b2"]["cluster"]["routes"][0] = "nats-route://ruser:nope@b1:6222"
    dummy, findings = run(cfg)
    assert codes(findings) == ["route-auth-mismatch"] * 2


def test_route_auth_one_side_only_forms_one_way():
    """Authorization on b1 only: b1 dials b2 (no auth needed), b2's route to b1 fails -> warning only."""
    cfg = good()
    cfg["b1"]["cluster"]["authorization"] = {"user": "ruser", "password": "pw"}
    res, findings = run(cfg)
    assert codes(findings) == ["route-auth-one-way"]
    assert_at(findings[0], res, "b2", ("cluster", "routes", 0))


def test_route_auth_gossiped_pairs_with_different_credentials():
    """a1 and a3 only know each other through a2 (gossip); their own credentials differ."""
    cfg = good()
    cfg["a1"]["cluster"]["authorization"] = {"user": "u1", "password": "p1"}
    cfg["a3"]["cluster"]["authorization"] = {"user": "u3", "password": "p3"}
    cfg["a1"]["cluster"]["routes"] = ["nats-route://a2:6222"]
    cfg["a3"]["cluster"]["routes"] = ["nats-route://a2:6222"]
    cfg["a2"]["cluster"]["routes"] = []
    res, findings = run(cfg)
    assert codes(findings) == ["route-auth-mismatch"]
    assert_at(findings[0], res, "a1", ("cluster", "authorization"), value=False)
    assert findings[0].message.startswith("gossiped routes between this server and a3 cannot authenticate in either direction")


def test_route_auth_bcrypt_compares_user_only():
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["cluster"]["authorization"] = {"user": "ruser", "password": "$2a$11$abcdefghijklmnopqrstuv"}
        cfg[h]["cluster"]["routes"] = ["nats-route://ruser:plain@%s:6222" % p for p in ("b1", "b2")]
    dummy, findings = run(cfg)
    assert findings == []


def test_route_tls_one_side_only():
    cfg = good()
    cfg["a2"]["cluster"]["tls"] = {"cert_file": "c.pem", "key_file": "k.pem", "ca_file": "ca.pem"}
    res, findings = run(cfg)
    f = only(findings, "route-tls-mismatch")
    assert codes(findings) == ["route-tls-mismatch"]
    assert_at(f[0], res, "a2", ("cluster", "tls"), value=False)
    assert f[0].message.startswith("cluster TLS is on here but off on a1, a3 (a1 (")


def test_pinned_accounts_missing_and_mismatch():
    cfg = good()
    for h in ("a1", "a2", "a3"):
        cfg[h]["accounts"] = {"APP": {}}
    cfg["a1"]["cluster"]["accounts"] = ["APP"]
    res, findings = run(cfg)
    assert codes(findings) == ["pinned-accounts-mismatch"]
    assert_at(findings[0], res, "a1", ("cluster", "accounts"), value=False)
    assert findings[0].message.startswith("cluster.accounts pins [APP] here but cluster.accounts pins nothing on a2, a3 (a2 (")
    del cfg["a3"]["accounts"]
    for h in ("a1", "a2", "a3"):
        cfg[h]["cluster"]["accounts"] = ["APP"]
    res, findings = run(cfg)
    f = only(findings, "pinned-account-missing-on-peer")
    assert len(f) == 2  # a1 and a2 pin APP, a3 does not define it (a3's own pin is a single-server problem)
    assert_at(f[0], res, "a1", ("cluster", "accounts", 0))
    assert f[0].message.startswith('pinned account "APP" is not defined on cluster peer(s) a3 (a3 (')
    assert 'Unable to lookup account "APP"' in f[0].hint


def test_pinned_accounts_mismatch_majority():
    cfg = good()
    for h in ("a1", "a2", "a3"):
        cfg[h]["accounts"] = {"APP": {}}
        cfg[h]["cluster"]["accounts"] = ["APP"]
    del cfg["a3"]["cluster"]["accounts"]
    res, findings = run(cfg)
    assert codes(findings) == ["pinned-accounts-mismatch"]
    assert_at(findings[0], res, "a3", ("cluster",), value=False)
    assert findings[0].message.startswith("cluster.accounts pins nothing here but cluster.accounts pins [APP] on a1, a2 (a1 (")


def test_pool_size_mismatch():
    cfg = good()
    cfg["a2"]["cluster"]["pool_size"] = -1
    res, findings = run(cfg)
    assert codes(findings) == ["pool-size-mismatch"]
    assert findings[0].severity == "warning"
    assert_at(findings[0], res, "a2", ("cluster", "pool_size"))
    assert findings[0].message.startswith("pool_size is -1 here but pool_size is 3 on a1, a3 (a1 (")


def test_pool_size_positive_differences_are_fine():
    cfg = good()
    cfg["a2"]["cluster"]["pool_size"] = 5
    dummy, findings = run(cfg)
    assert findings == []


# ---------------------------------------------------------------------------------------------
# reachability, port conflicts


def test_cluster_routes_disconnected():
    cfg = good()
    cfg["a1"]["cluster"]["routes"] = ["nats-route://a1:6222", "nats-route://a2:6222"]
    cfg["a2"]["cluster"]["routes"] = ["nats-route://a1:6222"]
    cfg["a3"]["cluster"]["routes"] = ["nats-route://a3:6222"]
    res, findings = run(cfg)
    f = only(findings, "cluster-routes-disconnected")
    assert codes(findings) == ["cluster-routes-disconnected"]
    assert f[0].severity == "warning"
    assert_at(f[0], res, "a3", ("cluster", "port"), value=False)
    assert f[0].message.startswith('server(s) a3 of cluster "A" have no route to or from a1, a2 (a1 (')


def test_cluster_routes_seed_is_enough():
    cfg = good()
    for h in ("a2", "a3"):
        cfg[h]["cluster"]["routes"] = ["nats-route://a1:6222"]
    cfg["a1"]["cluster"]["routes"] = []
    dummy, findings = run(cfg)
    assert findings == []


def test_listener_port_conflict_same_address():
    cfg = {"n1": {"server_name": "n1", "port": 4222}, "n2": {"server_name": "n2", "port": 4222},
           "n3": {"server_name": "n3", "port": 4223}}
    res, findings = run(cfg, addresses={"n1": "10.1.1.1", "n2": "10.1.1.1", "n3": "10.1.1.1"})
    assert codes(findings) == ["listener-port-conflict"]
    assert_at(findings[0], res, "n2", ("port",), value=False)
    assert findings[0].message.startswith("client listener on 10.1.1.1:4222 collides with the client listener of n1 (")
    # different machines: no conflict
    dummy, findings = run(cfg, addresses={"n1": "10.1.1.1", "n2": "10.1.1.2", "n3": "10.1.1.1"})
    assert findings == []


# ---------------------------------------------------------------------------------------------
# robustness


@pytest.mark.parametrize("bad", [
    {"cluster": "nope"},
    {"cluster": {"port": "x", "routes": "nats://a"}},
    {"cluster": {"port": 6222, "routes": [1, None, "::::", "nats-route://h:notaport"]}},
    {"gateway": {"name": 3, "port": 7222, "gateways": ["x", {"name": "B"}, {"urls": "nats://q:1"}]}},
    {"leafnodes": {"remotes": ["x", {"url": 5}]}},
    {"jetstream": {"domain": 5}},
    {"listen": "noport", "http": "x:y"},
    [],
])
def test_odd_values_never_crash(bad):
    cfg = good()
    cfg["odd"] = bad
    res = results({h: c for h, c in cfg.items() if h != "odd"})
    res["odd"] = Server.__init__ and results({"odd": {}})["odd"]
    res["odd"].config = copy.deepcopy(bad)
    findings = validate_topology(res, addresses=ADDR)
    assert isinstance(findings, list)


def test_empty_input():
    assert validate_topology({}) == []


def test_cluster_routes_disconnected_not_judged_with_unknown_route_hosts():
    cfg = good()
    cfg["a3"]["cluster"]["routes"] = ["nats-route://a3:6222", "nats-route://seed.elsewhere.example:6222"]
    cfg["a1"]["cluster"]["routes"] = ["nats-route://a1:6222", "nats-route://a2:6222"]
    cfg["a2"]["cluster"]["routes"] = ["nats-route://a1:6222"]
    dummy, findings = run(cfg)
    assert findings == []


def test_addresses_may_list_several_names():
    """URLs written with FQDNs resolve when the addresses list them next to ansible_host."""
    cfg = good()
    for h in ("b1", "b2"):
        cfg[h]["cluster"]["routes"] = ["nats-route://%s.example.net:6222" % p for p in ("b1", "b2")]
    cfg["b2"]["cluster"]["routes"][0] = "nats-route://b1.example.net:4222"
    addrs = dict(ADDR, b1=["10.0.1.1", "b1.example.net"], b2=["10.0.1.2", "B2.Example.Net"])
    res, findings = run(cfg, addresses=addrs)
    assert codes(findings) == ["route-url-wrong-port"]
    assert_at(findings[0], res, "b2", ("cluster", "routes", 0))
    # without the names nothing resolves: no verdict (routes leave the inventory)
    dummy, findings = run(cfg)
    assert findings == []
    # the first name is the address for port collisions
    topo = build_topology(res, addrs)
    assert topo.by_host["b1"].address == "10.0.1.1"


def test_topology_findings_are_capped_per_code_like_single_configs():
    """200 servers that share one server_name: 199 server-name-duplicate (and 199 cluster-routes-disconnected)
    findings, of which 50 per code are reported plus one that counts the rest -- the cap of single configs."""
    from collections import Counter
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import MAX_FINDINGS_PER_CODE
    from ansible_collections.natsops.nats.plugins.plugin_utils.topology.checks import validate_configs
    configs = dict(("n%03d" % i, 'server_name: dup\nport: %d\ncluster { name: c1, listen: "127.0.0.1:%d" }\n' % (4222 + i, 6222 + i))
                   for i in range(200))
    findings, dummy = validate_configs(configs, config_checks=False)
    assert MAX_FINDINGS_PER_CODE == 50
    assert Counter(f.code for f in findings) == {"server-name-duplicate": 51, "cluster-routes-disconnected": 51}
    dups = [f for f in findings if f.code == "server-name-duplicate"]
    assert [f.host for f in dups[:50]] == ["n%03d" % i for i in range(1, 51)]
    assert dups[0].message == 'server_name "dup" is also used by n000 (<string>:1:1) and 198 other server(s)'
    assert (dups[-1].severity, dups[-1].host, dups[-1].message, dups[-1].hint) == (
        "error", None, "149 more 'server-name-duplicate' findings not shown (199 in total)",
        "fix the findings shown first; the rest are of the same kind")
    last = [f for f in findings if f.code == "cluster-routes-disconnected"][-1]
    assert last.message == "149 more 'cluster-routes-disconnected' findings not shown (199 in total)"
    # 50 servers: nothing is left out
    few = dict(list(configs.items())[:51])
    assert Counter(f.code for f in validate_configs(few, config_checks=False)[0])["server-name-duplicate"] == 50
