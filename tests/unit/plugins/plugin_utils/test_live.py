# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nats_server_info's reader (module_utils/nats_monitor.py) and the live topology comparison (topology/live.py),
against a real 3-node JetStream cluster plus a 2-node second cluster on 127.0.0.1."""

from __future__ import annotations

import os

import pytest

from ansible_collections.natsops.nats.plugins.module_utils import nats_monitor as monitor
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser
from ansible_collections.natsops.nats.plugins.plugin_utils.topology import live
from ansible_collections.natsops.nats.tests.unit import nats_harness as h

NAMES = ("e1", "e2", "e3", "w1", "w2")


def _configs(tmp, ports):
    texts = {}
    for name in NAMES:
        p = ports[name]
        cluster = "east" if name[0] == "e" else "west"
        other = "west" if cluster == "east" else "east"
        peers = [n for n in NAMES if n[0] == name[0]]
        routes = ", ".join('"nats-route://127.0.0.1:%d"' % ports[n]["cluster"] for n in peers if n != name)
        gw_urls = ", ".join('"nats://127.0.0.1:%d"' % ports[n]["gateway"] for n in NAMES if n[0] != name[0])
        text = ('server_name: %s\nlisten: "127.0.0.1:%d"\nhttp: "127.0.0.1:%d"\n'
                'cluster { name: %s, listen: "127.0.0.1:%d", routes: [ %s ] }\n'
                'gateway { name: %s, listen: "127.0.0.1:%d", gateways: [ { name: %s, urls: [ %s ] } ] }\n'
                % (name, p["client"], p["http"], cluster, p["cluster"], routes, cluster, p["gateway"], other, gw_urls))
        if cluster == "east":
            text += 'jetstream { store_dir: "%s" }\n' % os.path.join(tmp, name + "-js")
        texts[name] = text
    return texts


@pytest.fixture(scope="module")
def topo(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("live"))
    free = h.free_ports(4 * len(NAMES))
    ports = dict((n, dict(zip(("client", "cluster", "gateway", "http"), free[4 * i:4 * i + 4]))) for i, n in enumerate(NAMES))
    texts = _configs(tmp, ports)
    servers = h.ServerSet()
    procs = {}
    try:
        for name in NAMES:
            path = os.path.join(tmp, name + ".conf")
            with open(path, "w") as f:
                f.write(texts[name])
            procs[name] = servers.start(path)
        urls = dict((n, "http://127.0.0.1:%d" % ports[n]["http"]) for n in NAMES)
        parsed = dict((n, parser.parse_string(texts[n]).config) for n in NAMES)
        expected = live.plan(parsed)
        ok = h.wait_until(lambda: all(not live.compare(n, expected[n], _info(urls[n])) for n in NAMES), 30)
        yield dict(urls=urls, expected=expected, procs=procs, ports=ports, ok=ok, texts=texts)
    finally:
        servers.stop()


def _info(url):
    try:
        return monitor.collect(url, timeout=2)
    except monitor.MonitorError as exc:
        return {"error": str(exc)}


def test_plan_of_the_configs(tmp_path):
    ports = dict((n, dict(client=1 + 10 * i, cluster=2 + 10 * i, gateway=3 + 10 * i, http=4 + 10 * i)) for i, n in enumerate(NAMES))
    texts = _configs(str(tmp_path), ports)
    expected = live.plan(dict((n, parser.parse_string(texts[n]).config) for n in NAMES))
    e1 = expected["e1"]
    assert {k: v for k, v in e1.items() if k != "digest"} == {
        "server_name": "e1", "cluster": "east", "route_peers": ["e2", "e3"], "gateways_outbound": ["west"],
        "gateways_inbound": ["west"], "jetstream": True, "jetstream_clustered": True}
    assert expected["w2"]["route_peers"] == ["w1"]
    assert expected["w2"]["jetstream"] is False


def test_live_topology(topo):
    """One topology for every check (ansible-test runs each test in a fork: one cluster start)."""
    _the_running_topology_matches(topo)
    _test_a_wrong_plan_gives_findings_with_expected_and_observed(topo)
    _test_reloaded_since_and_digest(topo)
    _test_inbound_counted_per_cluster(topo)
    _test_a_stopped_peer_is_a_finding_and_unreachable(topo)


def _the_running_topology_matches(topo):
    assert topo["ok"], "the topology did not form within 30s"
    infos = dict((n, _info(topo["urls"][n])) for n in NAMES)
    for name in NAMES:
        assert live.compare(name, topo["expected"][name], infos[name]) == []
    assert live.compare_inbound(topo["expected"], infos) == []
    e1 = infos["e1"]
    assert e1["varz"]["server_name"] == "e1"
    assert e1["varz"]["cluster_name"] == "east"
    assert e1["varz"]["config_digest"] == topo["expected"]["e1"]["digest"]  # the collection's digest = the server's
    assert e1["routez"]["peers"] == ["e2", "e3"]
    assert e1["routez"]["num_routes"] > 2  # pooled connections are counted, peers are not
    assert e1["gatewayz"]["outbound"]["west"]["connected"] is True
    assert e1["healthz"] == {"ok": True, "status": "ok", "http_status": 200, "error": "", "level": "jetstream"}
    leader = e1["jsz"]["meta"]["leader"]
    assert leader in ("e1", "e2", "e3")
    on_leader = infos[leader]["jsz"]["meta"]["replicas"]
    assert sorted(p["name"] for p in on_leader) == sorted({"e1", "e2", "e3"} - {leader})
    assert infos["w1"]["jsz"] == {"enabled": False}
    assert infos["w1"]["leafz"] == {"leafnodes": 0, "leafs": []}


def _test_a_wrong_plan_gives_findings_with_expected_and_observed(topo):
    expected = dict(topo["expected"]["e1"], server_name="east-1", route_peers=["e2", "e3", "e4"], gateways_outbound=["west", "south"])
    found = [f.to_dict() for f in live.compare("e1", expected, _info(topo["urls"]["e1"]))]
    assert [(f["code"], f["host"], f["expected"], f["observed"]) for f in found] == [
        ("live-server-name", "e1", "east-1", "e1"),
        ("live-route-missing", "e1", "a route to e4", ["e2", "e3"]),
        ("live-gateway-missing", "e1", "outbound gateway to south", ["west"]),
    ]
    assert found[0]["message"] == "the server reports the name 'e1', its planned config 'east-1'"
    assert found[1]["message"].startswith("no route to e4 (routes to: e2, e3; num_routes ")
    assert found[1]["message"].endswith(" counts pooled connections)")


def _test_reloaded_since_and_digest(topo):
    info = _info(topo["urls"]["w1"])
    since = info["varz"]["config_load_time"]
    found = live.compare("w1", topo["expected"]["w1"], info, reloaded_since=since)
    assert [f.code for f in found] == ["live-config-not-applied"]
    assert found[0].expected == "a config_load_time after %s" % since
    stale = dict(topo["expected"]["w1"], digest="sha256:" + "0" * 64)
    found = live.compare("w1", stale, info)
    assert [(f.code, f.expected, f.observed) for f in found] == [
        ("live-config-not-applied", "sha256:" + "0" * 64, info["varz"]["config_digest"])]


def _test_inbound_counted_per_cluster(topo):
    infos = dict((n, _info(topo["urls"][n])) for n in NAMES)
    infos["e1"]["gatewayz"]["inbound"] = {}
    infos["e2"]["gatewayz"]["inbound"] = {}
    infos["e3"]["gatewayz"]["inbound"] = {"west": 1}
    found = live.compare_inbound(topo["expected"], infos)
    assert [(f.code, f.host, f.message, f.expected, f.observed) for f in found] == [
        ("live-gateway-missing", "e1,e2,e3", "cluster east holds 1 inbound gateway connection from cluster west, expected 2 "
         "(one per server of west)", "2 inbound from west", 1)]


def _test_a_stopped_peer_is_a_finding_and_unreachable(topo):
    """Stops e3."""
    topo["procs"]["e3"].stop()
    assert h.wait_until(lambda: "e3" not in (_info(topo["urls"]["e1"]).get("routez") or {}).get("peers", []), 15)
    found = live.compare("e1", topo["expected"]["e1"], _info(topo["urls"]["e1"]))
    assert ("live-route-missing", "a route to e3", ["e2"]) in [(f.code, f.expected, f.observed) for f in found]
    gone = _info(topo["urls"]["e3"])
    assert gone["error"].startswith("http://127.0.0.1:%d/varz: " % topo["ports"]["e3"]["http"])
    found = live.compare("e3", topo["expected"]["e3"], gone)
    assert [(f.code, f.host, f.expected) for f in found] == [("live-unreachable", "e3", "a running server")]
    unhealthy = monitor.collect(topo["urls"]["e1"], gather=["healthz"], healthz_level="jetstream")
    assert set(unhealthy) == {"healthz"}
