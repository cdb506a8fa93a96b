# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real-server parity of the topology checks.

For each broken topology: our validator reports the finding, and real
nats-server 2.15.1 processes on 127.0.0.1 show the failure the finding
predicts (no route / gateway in /routez and /gatewayz, the log line). Then the
fixed topology is validated clean and forms. Every wait is bounded; every
server is stopped by PID (ServerSet).
"""

from __future__ import annotations

import copy
import os
import re
import time

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import render
from ansible_collections.natsops.nats.plugins.plugin_utils.topology.checks import validate_topology
from ansible_collections.natsops.nats.tests.unit.nats_harness import ServerSet, binary, free_ports, http_json, wait_until
from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils.topology_helpers import results

try:
    binary()
    HAVE_SERVER = True
except RuntimeError:
    HAVE_SERVER = False

pytestmark = pytest.mark.skipif(not HAVE_SERVER, reason="nats-server binary not available")

BROKEN_WAIT = 6.0    # upper bound for the failure to show
FORM_WAIT = 10.0     # upper bound for a fixed topology to form
STORM_WINDOW = 1.5   # how long a reconnect storm is allowed to run


class Ports(object):
    """Named free ports for one scenario."""

    def __init__(self, names):
        self.__dict__.update(zip(names, free_ports(len(names))))


def boot(tmp_path, tag, configs):
    """Write and start every config; return (ServerSet, {host: Server})."""
    d = tmp_path / tag
    d.mkdir()
    sset = ServerSet()
    servers = {}
    try:
        for host, cfg in configs.items():
            conf = d / ("%s.conf" % host)
            conf.write_text(render(cfg))
            servers[host] = sset.start(str(conf), cwd=str(d))
    except Exception:
        sset.stop()
        raise
    return sset, servers


def num_routes(port):
    data = http_json(port, "routez")
    return None if data is None else data.get("num_routes")


def outbound(port):
    data = http_json(port, "gatewayz")
    return None if data is None else sorted((data.get("outbound_gateways") or {}).keys())


def inbound(port):
    data = http_json(port, "gatewayz")
    return None if data is None else sorted((data.get("inbound_gateways") or {}).keys())


def monitored(port):
    return wait_until(lambda: http_json(port, "varz") is not None, 5.0)


def findings_for(configs):
    return validate_topology(results(configs))


def codes(findings):
    return sorted(set(f.code for f in findings))


def count_lines(srv, pattern):
    return len(re.findall(pattern, srv.output()))


# ---------------------------------------------------------------------------------------------


def cluster_pair(p, names, cluster_names, route_targets):
    """Two servers s1/s2 with a cluster listener each; route_targets[i] = port s_i routes to."""
    out = {}
    for i, host in enumerate(("s1", "s2")):
        out[host] = {
            "server_name": names[i],
            "listen": "127.0.0.1:%d" % getattr(p, "c%d" % i),
            "http": "127.0.0.1:%d" % getattr(p, "m%d" % i),
            "cluster": {
                "name": cluster_names[i],
                "listen": "127.0.0.1:%d" % getattr(p, "r%d" % i),
                "routes": ["nats-route://127.0.0.1:%d" % route_targets[i]],
            },
        }
    return out


def test_parity_cluster_name_mismatch(tmp_path):
    p = Ports(["c0", "c1", "r0", "r1", "m0", "m1"])
    broken = cluster_pair(p, ["s1", "s2"], ["C1", "C2"], [p.r1, p.r0])
    found = findings_for(broken)
    assert codes(found) == ["cluster-name-mismatch"]
    assert [f.host for f in found] == ["s1", "s2"] or [f.host for f in found] == ["s2", "s1"]

    with boot(tmp_path, "broken", broken)[0] as sset:
        s1, s2 = sset.servers
        assert monitored(p.m0) and monitored(p.m1)
        assert s1.wait_for(r"Cluster Name Conflict|does not match", BROKEN_WAIT)
        assert re.search(r'cluster name "C[12]" does not match "C[12]"', s1.output() + s2.output())
        assert num_routes(p.m0) == 0 and num_routes(p.m1) == 0

    fixed = cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.r1, p.r0])
    assert findings_for(fixed) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: (num_routes(p.m0) or 0) > 0 and (num_routes(p.m1) or 0) > 0, FORM_WAIT)


def test_parity_route_url_at_client_port(tmp_path):
    p = Ports(["c0", "c1", "r0", "r1", "m0", "m1"])
    broken = cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.c1, p.c0])  # routes at the peer's CLIENT port
    found = findings_for(broken)
    assert codes(found) == ["cluster-routes-disconnected", "route-url-wrong-port"]
    wrong = [f for f in found if f.code == "route-url-wrong-port"]
    assert len(wrong) == 2
    assert "points at the client port %d of s2" % p.c1 in wrong[0].message

    sset, servers = boot(tmp_path, "broken", broken)
    with sset:
        assert monitored(p.m0) and monitored(p.m1)
        start = time.time()
        time.sleep(STORM_WINDOW)   # bounded reconnect storm
        elapsed = time.time() - start
        logs = servers["s1"].output() + servers["s2"].output()
    # a storm: route connections are created and torn down with no backoff (a 1/s retry would give ~3 here)
    created = len(re.findall(r"Route connection created", logs))
    assert created > 30 * elapsed, created
    assert "Route Error 'Unknown Protocol Operation'" in logs
    assert "Client parser ERROR" in logs

    fixed = cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.r1, p.r0])
    assert findings_for(fixed) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: (num_routes(p.m0) or 0) > 0 and (num_routes(p.m1) or 0) > 0, FORM_WAIT)


def test_parity_duplicate_server_name(tmp_path):
    p = Ports(["c0", "c1", "r0", "r1", "m0", "m1"])
    broken = cluster_pair(p, ["dup", "dup"], ["C", "C"], [p.r1, p.r0])
    found = findings_for(broken)
    assert codes(found) == ["server-name-duplicate"]
    assert len(found) == 1 and found[0].host == "s2"

    with boot(tmp_path, "broken", broken)[0] as sset:
        s1, s2 = sset.servers
        assert monitored(p.m0) and monitored(p.m1)
        assert wait_until(lambda: re.search(r"duplicate name|Duplicate Server Name", s1.output() + s2.output()), BROKEN_WAIT)
        assert num_routes(p.m0) == 0 and num_routes(p.m1) == 0

    fixed = cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.r1, p.r0])
    assert findings_for(fixed) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: (num_routes(p.m0) or 0) > 0 and (num_routes(p.m1) or 0) > 0, FORM_WAIT)


# ---------------------------------------------------------------------------------------------
# gateways: two single-server clusters A and B


def gateway_pair(p, a_entry_name, a_entry_port):
    a = {
        "server_name": "a1",
        "listen": "127.0.0.1:%d" % p.ca,
        "http": "127.0.0.1:%d" % p.ma,
        "cluster": {"name": "A", "listen": "127.0.0.1:%d" % p.ra},
        "gateway": {"name": "A", "listen": "127.0.0.1:%d" % p.ga,
                    "gateways": [{"name": a_entry_name, "urls": ["nats://127.0.0.1:%d" % a_entry_port]}]},
    }
    b = {
        "server_name": "b1",
        "listen": "127.0.0.1:%d" % p.cb,
        "http": "127.0.0.1:%d" % p.mb,
        "cluster": {"name": "B", "listen": "127.0.0.1:%d" % p.rb},
        "gateway": {"name": "B", "listen": "127.0.0.1:%d" % p.gb},
    }
    return {"a1": a, "b1": b}


GW_PORTS = ["ca", "cb", "ra", "rb", "ga", "gb", "ma", "mb"]
GW_DISABLE = ["gateway-list-asymmetric"]  # B lists nothing on purpose (A dials B)


def test_parity_wrong_gateway_entry_name(tmp_path):
    p = Ports(GW_PORTS)
    broken = gateway_pair(p, "WRONG", p.gb)
    found = validate_topology(results(broken), disable=GW_DISABLE)
    assert codes(found) == ["gateway-entry-name-mismatch"]
    assert found[0].host == "a1" and 'the entry name must be "B"' in found[0].message

    with boot(tmp_path, "broken", broken)[0] as sset:
        a, b = sset.servers
        assert monitored(p.ma) and monitored(p.mb)
        assert a.wait_for(r'Failing connection to gateway "WRONG", remote gateway name is "B"', BROKEN_WAIT)
        assert outbound(p.ma) == [] and outbound(p.mb) == []

    fixed = gateway_pair(p, "B", p.gb)
    assert validate_topology(results(fixed), disable=GW_DISABLE) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: outbound(p.ma) == ["B"] and inbound(p.mb) == ["A"], FORM_WAIT)


def test_parity_gateway_url_at_cluster_port(tmp_path):
    p = Ports(GW_PORTS)
    broken = gateway_pair(p, "B", p.rb)   # B's CLUSTER port
    found = validate_topology(results(broken), disable=GW_DISABLE)
    assert codes(found) == ["gateway-url-wrong-port"]
    assert "points at the cluster (route) port %d of b1" % p.rb in found[0].message

    with boot(tmp_path, "broken", broken)[0] as sset:
        a, b = sset.servers
        assert monitored(p.ma) and monitored(p.mb)
        assert a.wait_for(r'Attempt to connect to gateway "B" using wrong port', BROKEN_WAIT)
        assert outbound(p.ma) == [] and inbound(p.mb) == []

    fixed = gateway_pair(p, "B", p.gb)
    assert validate_topology(results(fixed), disable=GW_DISABLE) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: outbound(p.ma) == ["B"] and inbound(p.mb) == ["A"], FORM_WAIT)


def test_no_server_left_running(tmp_path):
    """ServerSet stopped everything it started (checked by PID)."""
    p = Ports(["c0", "c1", "r0", "r1", "m0", "m1"])
    cfg = cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.r1, p.r0])
    sset, servers = boot(tmp_path, "pids", cfg)
    with sset:
        pids = [s.pid for s in servers.values()]
    for pid in pids:
        assert not os.path.exists("/proc/%d" % pid) or open("/proc/%d/stat" % pid).read().split()[2] == "Z"


# ---------------------------------------------------------------------------------------------
# route authorization: one side only forms (warning); different credentials never form (error)


def with_auth(cfg, host, user, password, route_creds=None):
    cfg[host]["cluster"]["authorization"] = {"user": user, "password": password}
    if route_creds is not None:
        url = cfg[host]["cluster"]["routes"][0]
        cfg[host]["cluster"]["routes"][0] = url.replace("nats-route://", "nats-route://%s@" % route_creds)
    return cfg


def test_parity_route_auth_one_side_only_forms(tmp_path):
    p = Ports(["c0", "c1", "r0", "r1", "m0", "m1"])
    cfg = with_auth(cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.r1, p.r0]), "s1", "ruser", "rpass-1")
    found = findings_for(cfg)
    assert codes(found) == ["route-auth-one-way"]
    assert found[0].host == "s2" and found[0].severity == "warning"
    with boot(tmp_path, "oneside", cfg)[0] as sset:
        s1, s2 = sset.servers
        assert wait_until(lambda: (num_routes(p.m0) or 0) > 0 and (num_routes(p.m1) or 0) > 0, FORM_WAIT)
        assert wait_until(lambda: "Authorization Violation" in s2.output() or "authentication error" in s1.output(), BROKEN_WAIT)


def test_parity_route_auth_different_credentials(tmp_path):
    p = Ports(["c0", "c1", "r0", "r1", "m0", "m1"])
    cfg = cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.r1, p.r0])
    with_auth(cfg, "s1", "ruser", "rpass-1", route_creds="ruser:rpass-1")
    with_auth(cfg, "s2", "ruser", "rpass-2", route_creds="ruser:rpass-2")
    found = findings_for(cfg)
    assert codes(found) == ["route-auth-mismatch"]
    assert sorted(f.host for f in found) == ["s1", "s2"]
    assert all("rpass" not in f.format() for f in found)
    with boot(tmp_path, "broken", cfg)[0] as sset:
        s1, s2 = sset.servers
        assert monitored(p.m0) and monitored(p.m1)
        assert wait_until(lambda: "Authorization Violation" in s1.output() + s2.output(), BROKEN_WAIT)
        time.sleep(1.0)
        assert num_routes(p.m0) == 0 and num_routes(p.m1) == 0

    # fixed: each URL carries the peer's credentials
    cfg["s1"]["cluster"]["routes"][0] = "nats-route://ruser:rpass-2@127.0.0.1:%d" % p.r1
    cfg["s2"]["cluster"]["routes"][0] = "nats-route://ruser:rpass-1@127.0.0.1:%d" % p.r0
    found = findings_for(cfg)
    # explicit routes now authenticate; gossip has nothing left to do between two servers
    assert found == []
    with boot(tmp_path, "fixed", cfg)[0]:
        assert wait_until(lambda: (num_routes(p.m0) or 0) > 0 and (num_routes(p.m1) or 0) > 0, FORM_WAIT)


# ---------------------------------------------------------------------------------------------
# leafnode hub and leaf with the same cluster name


def hub_and_leaf(p, leaf_cluster_name):
    hub = {"server_name": "hub", "listen": "127.0.0.1:%d" % p.ch, "http": "127.0.0.1:%d" % p.mh,
           "cluster": {"name": "HUB", "listen": "127.0.0.1:%d" % p.rh},
           "leafnodes": {"listen": "127.0.0.1:%d" % p.lh}}
    leaf = {"server_name": "leaf", "listen": "127.0.0.1:%d" % p.cl, "http": "127.0.0.1:%d" % p.ml,
            "cluster": {"name": leaf_cluster_name, "listen": "127.0.0.1:%d" % p.rl},
            "leafnodes": {"remotes": [{"url": "nats-leaf://127.0.0.1:%d" % p.lh}]}}
    return {"hub": hub, "leaf": leaf}


def num_leafs(port):
    data = http_json(port, "leafz")
    return None if data is None else data.get("leafnodes")


def test_parity_leafnode_same_cluster_name(tmp_path):
    p = Ports(["ch", "cl", "rh", "rl", "lh", "mh", "ml"])
    broken = hub_and_leaf(p, "HUB")
    found = findings_for(broken)
    # two cluster listeners named HUB without routes between them are also two halves of one cluster name
    assert codes(found) == ["cluster-routes-disconnected", "leafnode-same-cluster-name"]
    assert [f.host for f in found if f.code == "leafnode-same-cluster-name"] == ["leaf"]
    with boot(tmp_path, "broken", broken)[0] as sset:
        hub, leaf = sset.servers
        assert monitored(p.mh) and monitored(p.ml)
        assert wait_until(lambda: "remote leafnode has same cluster name" in hub.output() + leaf.output()
                          or "same cluster name" in leaf.output(), BROKEN_WAIT)
        assert num_leafs(p.mh) == 0

    fixed = hub_and_leaf(p, "EDGE")
    assert findings_for(fixed) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: (num_leafs(p.mh) or 0) == 1 and (num_leafs(p.ml) or 0) == 1, FORM_WAIT)


# ---------------------------------------------------------------------------------------------
# pinned account defined on one side only; a cluster member without the gateway block


def test_parity_pinned_account_missing_on_peer(tmp_path):
    p = Ports(["c0", "c1", "r0", "r1", "m0", "m1"])
    cfg = cluster_pair(p, ["s1", "s2"], ["C", "C"], [p.r1, p.r0])
    cfg["s1"]["accounts"] = {"APP": {}}
    cfg["s1"]["cluster"]["accounts"] = ["APP"]
    found = findings_for(cfg)
    assert codes(found) == ["pinned-account-missing-on-peer", "pinned-accounts-mismatch"]
    missing = [f for f in found if f.code == "pinned-account-missing-on-peer"]
    assert missing[0].host == "s1" and 'not defined on cluster peer(s) s2' in missing[0].message
    with boot(tmp_path, "broken", cfg)[0] as sset:
        s1, s2 = sset.servers
        assert monitored(p.m0) and monitored(p.m1)
        assert wait_until(lambda: 'Unable to lookup account "APP": account missing' in s2.output(), BROKEN_WAIT)

    cfg["s2"]["accounts"] = {"APP": {}}
    cfg["s2"]["cluster"]["accounts"] = ["APP"]
    assert findings_for(cfg) == []
    with boot(tmp_path, "fixed", cfg)[0] as sset:
        s1, s2 = sset.servers
        assert wait_until(lambda: (num_routes(p.m0) or 0) > 0 and (num_routes(p.m1) or 0) > 0, FORM_WAIT)
        time.sleep(1.0)
        assert "Unable to lookup account" not in s1.output() + s2.output()


def test_parity_gateway_block_missing(tmp_path):
    p = Ports(["ca1", "ca2", "cb", "ra1", "ra2", "rb", "ga1", "ga2", "gb", "ma1", "ma2", "mb"])

    def server(name, cport, rport, mport, cluster, routes, gport=None, gateways=()):
        cfg = {"server_name": name, "listen": "127.0.0.1:%d" % cport, "http": "127.0.0.1:%d" % mport,
               "cluster": {"name": cluster, "listen": "127.0.0.1:%d" % rport,
                           "routes": ["nats-route://127.0.0.1:%d" % r for r in routes]}}
        if gport:
            cfg["gateway"] = {"name": cluster, "listen": "127.0.0.1:%d" % gport,
                              "gateways": [{"name": n, "urls": ["nats://127.0.0.1:%d" % u]} for n, u in gateways]}
        return cfg

    def topology(a2_gateway):
        return {
            "a1": server("a1", p.ca1, p.ra1, p.ma1, "A", [p.ra2], p.ga1, [("B", p.gb)]),
            "a2": server("a2", p.ca2, p.ra2, p.ma2, "A", [p.ra1], p.ga2 if a2_gateway else None, [("B", p.gb)]),
            "b1": server("b1", p.cb, p.rb, p.mb, "B", [], p.gb, [("A", p.ga1)]),
        }

    broken = topology(False)
    found = findings_for(broken)
    assert codes(found) == ["gateway-block-missing"]
    assert found[0].host == "a2" and "its cluster peers a1 have one" in found[0].message
    with boot(tmp_path, "broken", broken)[0] as sset:
        a1, a2, b1 = sset.servers
        assert wait_until(lambda: re.search(r'Received information about gateway "B" .*but gateway is not configured',
                                            a2.output()), FORM_WAIT)
        assert http_json(p.ma2, "gatewayz") is not None
        assert outbound(p.ma2) == []

    fixed = topology(True)
    assert findings_for(fixed) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: outbound(p.ma2) == ["B"] and outbound(p.ma1) == ["B"] and outbound(p.mb) == ["A"], FORM_WAIT)


def test_parity_gateway_auth_mismatch(tmp_path):
    p = Ports(GW_PORTS)
    broken = gateway_pair(p, "B", p.gb)
    broken["b1"]["gateway"]["authorization"] = {"user": "gw", "password": "gw-pass-b"}
    found = validate_topology(results(broken), disable=GW_DISABLE)
    assert codes(found) == ["gateway-auth-mismatch"]
    assert found[0].host == "a1" and "gw-pass" not in found[0].format()
    with boot(tmp_path, "broken", broken)[0] as sset:
        a, b = sset.servers
        assert monitored(p.ma) and monitored(p.mb)
        assert wait_until(lambda: "authentication error" in b.output() or "Authorization Violation" in a.output(), BROKEN_WAIT)
        assert outbound(p.ma) == [] and inbound(p.mb) == []

    # fixed: A sends B's credentials (here: in the URL)
    fixed = copy.deepcopy(broken)
    fixed["a1"]["gateway"]["gateways"][0]["urls"] = ["nats://gw:gw-pass-b@127.0.0.1:%d" % p.gb]
    assert validate_topology(results(fixed), disable=GW_DISABLE) == []
    with boot(tmp_path, "fixed", fixed)[0]:
        assert wait_until(lambda: outbound(p.ma) == ["B"] and inbound(p.mb) == ["A"], FORM_WAIT)
