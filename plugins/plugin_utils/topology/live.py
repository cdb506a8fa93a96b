# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare the planned topology with what the running servers report.

``plan(configs)`` turns the parsed configs of all servers (``{host: config dict}``, the
configs the role built) into what each server should report; ``compare(host, expected,
observed)`` turns one server's monitoring answer (the ``nats_server_info`` module's
result) into Findings with host, expected and observed. Pure Python, no I/O: polling
(inbound gateways and routes form with a delay) is the caller's job.

What is checked per server: /healthz (JetStream-aware), the server and cluster names, a
route to every planned peer of its cluster (peers are counted by name: ``num_routes``
counts pooled connections), for every other planned cluster an outbound gateway and
inbound gateways (``compare_inbound``: each server of a cluster opens one outbound connection to one
server of every other cluster, so inbound connections are counted per cluster, not per server),
the JetStream meta group (a leader is known; on the leader, whose /jsz is the
only one with a correct view of the peers, every peer is current), and that the server
runs the planned config (/varz ``config_digest`` where the version reports it).
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, Finding
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY, register
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.digest import digest as conf_digest

CODES = (
    ("live-unreachable", "The server's monitoring endpoint cannot be read (the server is down, or no `http` listener)."),
    ("live-unhealthy", "`/healthz` does not answer ok (JetStream-aware unless another level is chosen)."),
    ("live-server-name", "The running server reports another server name than its planned config."),
    ("live-cluster-name", "The running server reports another cluster name than its planned config."),
    ("live-route-missing", "No route to a planned peer of the same cluster (peers by name; `num_routes` counts pooled "
                           "connections)."),
    ("live-gateway-missing", "No outbound or no inbound gateway connection for another planned cluster."),
    ("live-jetstream-meta", "The JetStream meta group has no leader, or (on the leader) a peer is not current."),
    ("live-config-not-applied", "The server does not run the planned config: `/varz` `config_digest` differs, or "
                                "`config_load_time` did not move after a reload."),
)

for _code, _summary in CODES:
    if _code not in REGISTRY:
        register(_code, ERROR, "topology", _summary)


def _lower(mapping):
    return dict((str(k).lower(), v) for k, v in (mapping or {}).items()) if isinstance(mapping, dict) else {}


def _js_enabled(conf):
    for key in ("jetstream", "js"):
        if key in conf:
            value = conf[key]
            if isinstance(value, dict):
                return str(value.get("enabled", value.get("enable", True))).lower() not in ("false", "disabled")
            return value is True or str(value).lower() in ("enabled", "enable", "true", "yes", "on")
    return False


def plan(configs, names=None):
    """{host: parsed config} -> {host: expectation dict} (JSON-friendly).

    ``names``: optional {host: server name} for configs without ``server_name`` (the
    server then names itself by its id, which the plan cannot know; the name check is skipped).
    """
    info = {}
    for host, conf in configs.items():
        conf = _lower(conf)
        cluster = _lower(conf.get("cluster"))
        gateway = _lower(conf.get("gateway"))
        remotes = []
        for entry in gateway.get("gateways") or []:
            entry = _lower(entry)
            if entry.get("name"):
                remotes.append(str(entry["name"]))
        info[host] = {
            "server_name": str(conf.get("server_name") or (names or {}).get(host) or ""),
            "cluster": str(cluster.get("name") or ""),
            "gateway": str(gateway.get("name") or ""),
            "gateways_out": remotes,
            "jetstream": _js_enabled(conf),
            "digest": conf_digest(configs[host]),
        }
    clusters = {}
    for host, item in info.items():
        if item["cluster"]:
            clusters.setdefault(item["cluster"], []).append(host)
    out = {}
    for host, item in info.items():
        peers = [info[h]["server_name"] for h in clusters.get(item["cluster"], []) if h != host]
        gateways = set(item["gateways_out"]) - {item["gateway"]}
        # inbound: every planned cluster whose servers have a gateway to this one
        inbound = set()
        for other in info.values():
            if other["gateway"] and other["gateway"] != item["gateway"] and item["gateway"] in other["gateways_out"]:
                inbound.add(other["gateway"])
        out[host] = {
            "server_name": item["server_name"],
            "cluster": item["cluster"],
            "route_peers": sorted(p for p in peers if p),
            "gateways_outbound": sorted(gateways),
            "gateways_inbound": sorted(inbound) if item["gateway"] else [],
            "jetstream": item["jetstream"],
            "jetstream_clustered": item["jetstream"] and bool(item["cluster"]),
            "digest": item["digest"],
        }
    return out


def _f(code, host, message, expected, observed, hint=None):
    return Finding(code, ERROR, message, hint=hint, host=host, expected=expected, observed=observed)


def compare(host, expected, observed, reloaded_since=None, check_digest=True):
    """Findings for one server. ``observed``: the nats_server_info result (``varz``, ``routez``, ...) or
    ``{"error": text}``. ``reloaded_since``: the ``config_load_time`` before a reload (must have moved)."""
    if observed.get("error"):
        return [_f("live-unreachable", host, "cannot read the monitoring endpoint: %s" % observed["error"],
                   "a running server", observed["error"])]
    out = []
    varz = observed.get("varz") or {}
    health = observed.get("healthz")
    if health is not None and not health.get("ok"):
        out.append(_f("live-unhealthy", host, "/healthz (%s) is %s: %s" % (health.get("level"), health.get("status"), health.get("error")),
                      "ok", "%s: %s" % (health.get("status"), health.get("error"))))
    if expected.get("server_name") and varz and varz.get("server_name") != expected["server_name"]:
        out.append(_f("live-server-name", host, "the server reports the name %r, its planned config %r"
                      % (varz.get("server_name"), expected["server_name"]), expected["server_name"], varz.get("server_name")))
    if varz and (varz.get("cluster_name") or "") != expected.get("cluster", ""):
        out.append(_f("live-cluster-name", host, "the server reports the cluster %r, its planned config %r"
                      % (varz.get("cluster_name"), expected.get("cluster")), expected.get("cluster"), varz.get("cluster_name")))
    if varz and reloaded_since and varz.get("config_load_time") == reloaded_since:
        out.append(_f("live-config-not-applied", host, "config_load_time did not move after the reload (%s): the server refused "
                      "it and runs the old config (its log says why: config reload not supported for ...)" % reloaded_since,
                      "a config_load_time after %s" % reloaded_since, varz.get("config_load_time")))
    if check_digest and varz.get("config_digest") and expected.get("digest") and varz["config_digest"] != expected["digest"]:
        out.append(_f("live-config-not-applied", host, "the server runs a config with digest %s, the planned config has %s"
                      % (varz["config_digest"], expected["digest"]), expected["digest"], varz["config_digest"]))
    routez = observed.get("routez")
    if routez is not None:
        have = set(routez.get("peers") or [])
        for peer in expected.get("route_peers") or []:
            if peer not in have:
                out.append(_f("live-route-missing", host, "no route to %s (routes to: %s; num_routes %d counts pooled connections)"
                              % (peer, ", ".join(sorted(have)) or "none", routez.get("num_routes") or 0),
                              "a route to %s" % peer, sorted(have)))
    gatewayz = observed.get("gatewayz")
    if gatewayz is not None:
        outbound = gatewayz.get("outbound") or {}
        inbound = gatewayz.get("inbound") or {}
        for name in expected.get("gateways_outbound") or []:
            if not (outbound.get(name) or {}).get("connected"):
                out.append(_f("live-gateway-missing", host, "no outbound gateway connection to cluster %s (connected: %s)"
                              % (name, ", ".join(sorted(k for k, v in outbound.items() if v.get("connected"))) or "none"),
                              "outbound gateway to %s" % name, sorted(k for k, v in outbound.items() if v.get("connected"))))
    jsz = observed.get("jsz")
    if jsz is not None and expected.get("jetstream_clustered"):
        meta = jsz.get("meta") or {}
        if not jsz.get("enabled"):
            out.append(_f("live-jetstream-meta", host, "JetStream is not enabled on the server", "enabled", "disabled"))
        elif not meta.get("leader"):
            out.append(_f("live-jetstream-meta", host, "the JetStream meta group %s has no leader" % meta.get("name", ""),
                          "a meta leader", ""))
        elif meta.get("leader") == varz.get("server_name"):
            for peer in meta.get("replicas") or []:
                if not peer.get("current") or peer.get("offline"):
                    out.append(_f("live-jetstream-meta", host, "meta peer %s is %s (seen by the meta leader %s)"
                                  % (peer.get("name"), "offline" if peer.get("offline") else "not current", meta["leader"]),
                                  "%s current" % peer.get("name"), "offline" if peer.get("offline") else "not current"))
    return out


def compare_inbound(expected, observed):
    """Cluster-wide inbound gateways: ``expected``/``observed`` are {host: ...} of all servers.

    Every server of cluster B holds one outbound connection to some server of cluster A, so the
    servers of A together must hold at least one inbound connection from each server of B
    (counted per cluster; a single server may have none)."""
    by_cluster = {}
    for host, item in sorted(expected.items()):
        if item.get("gateways_inbound") is not None and item.get("cluster"):
            by_cluster.setdefault(item["cluster"], []).append(host)
    out = []
    for cluster, hosts in sorted(by_cluster.items()):
        wanted = set()
        for host in hosts:
            wanted.update(expected[host].get("gateways_inbound") or [])
        for remote in sorted(wanted):
            senders = by_cluster.get(remote, [])
            have = 0
            for host in hosts:
                inbound = ((observed.get(host) or {}).get("gatewayz") or {}).get("inbound") or {}
                have += int(inbound.get(remote) or 0)
            need = len(senders) or 1
            if have < need:
                out.append(_f("live-gateway-missing", ",".join(hosts),
                              "cluster %s holds %d inbound gateway connection%s from cluster %s, expected %d (one per server of %s)"
                              % (cluster, have, "" if have == 1 else "s", remote, need, remote),
                              "%d inbound from %s" % (need, remote), have))
    return out
