# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read a nats-server's monitoring endpoints and keep what operations need.

Runs on the managed host (imported by the nats_server_info module): Python 3.8+, the standard
library and ansible's own module_utils (``open_url``) only. ``collect(url)`` returns the essentials of /varz, /routez, /gatewayz, /leafz,
/healthz and /jsz as plain dicts; everything is read-only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.urls import open_url

ENDPOINTS = ("varz", "routez", "gatewayz", "leafz", "healthz", "jsz")
HEALTHZ_LEVELS = ("jetstream", "js-server-only", "js-enabled-only")


class MonitorError(Exception):
    """The monitoring endpoint could not be read (message says which URL and why)."""


def fetch(base_url, endpoint, params=None, timeout=5.0, validate_certs=True, ca_path=None, accept_status=(200,)):
    """GET base_url/endpoint?params -> (http status, decoded JSON)."""
    url = base_url.rstrip("/") + "/" + endpoint
    if params:
        url += "?" + urlencode(params)
    try:
        response = open_url(url, headers={"Accept": "application/json"}, timeout=timeout, validate_certs=validate_certs,
                            ca_path=ca_path, follow_redirects="none")
        status = response.getcode()
        body = response.read()
    except HTTPError as exc:
        status = exc.code
        body = exc.read()
        if status not in accept_status:
            raise MonitorError("%s: HTTP %d %s" % (url, status, body[:200].decode("utf-8", "replace").strip()))
    except (URLError, OSError, ValueError) as exc:
        raise MonitorError("%s: %s" % (url, getattr(exc, "reason", exc)))
    try:
        return status, json.loads(body.decode("utf-8"))
    except ValueError as exc:
        raise MonitorError("%s: not JSON (%s)" % (url, exc))


def _pick(data, keys):
    return dict((k, data.get(k)) for k in keys if k in data)


def varz_essentials(varz):
    out = _pick(varz, ("server_id", "server_name", "version", "go", "host", "port", "start", "now", "uptime",
                       "config_load_time", "config_digest", "connections", "total_connections", "routes", "remotes",
                       "leafnodes", "in_msgs", "out_msgs", "slow_consumers", "max_payload", "max_pending",
                       "lame_duck_duration", "lame_duck_grace_period", "system_account"))
    cluster = varz.get("cluster") or {}
    out["cluster_name"] = cluster.get("name") or ""
    out["cluster_port"] = cluster.get("port") or 0
    gateway = varz.get("gateway") or {}
    out["gateway_name"] = gateway.get("name") or ""
    out["gateway_port"] = gateway.get("port") or 0
    out["jetstream_enabled"] = bool((varz.get("jetstream") or {}).get("config"))
    return out


def routez_essentials(routez):
    routes = []
    for route in routez.get("routes") or []:
        routes.append(_pick(route, ("rid", "remote_id", "remote_name", "did_solicit", "is_configured", "ip", "port",
                                    "pooled", "account", "compression")))
    names = sorted(set(r.get("remote_name") or r.get("remote_id") or "" for r in routes) - {""})
    return {"num_routes": routez.get("num_routes", len(routes)), "routes": routes, "peers": names}


def gatewayz_essentials(gatewayz):
    outbound = {}
    for name, gw in (gatewayz.get("outbound_gateways") or {}).items():
        conn = (gw or {}).get("connection") or {}
        outbound[name] = {"configured": bool((gw or {}).get("configured")), "connected": bool(conn),
                          "remote_name": conn.get("name", ""), "ip": conn.get("ip", "")}
    inbound = {}
    for name, conns in (gatewayz.get("inbound_gateways") or {}).items():
        inbound[name] = len([c for c in (conns or []) if (c or {}).get("connection")])
    return {"name": gatewayz.get("name") or "", "outbound": outbound, "inbound": inbound}


def leafz_essentials(leafz):
    leafs = []
    for leaf in leafz.get("leafs") or []:
        leafs.append(_pick(leaf, ("name", "is_spoke", "account", "ip", "port", "rtt")))
    return {"leafnodes": leafz.get("leafnodes", len(leafs)), "leafs": leafs}


def jsz_essentials(jsz):
    if not jsz or jsz.get("disabled") or ("config" not in jsz and "meta_cluster" not in jsz and "memory" not in jsz):
        return {"enabled": False}
    out = {"enabled": True}
    out.update(_pick(jsz, ("streams", "consumers", "messages", "bytes", "memory", "storage", "api")))
    meta = jsz.get("meta_cluster")
    if meta is not None:
        replicas = []
        for peer in meta.get("replicas") or []:
            replicas.append(_pick(peer, ("name", "current", "offline", "active", "lag", "peer")))
        out["meta"] = {"name": meta.get("name", ""), "leader": meta.get("leader", ""), "cluster_size": meta.get("cluster_size"),
                       "replicas": replicas}
    return out


def collect(base_url, gather=ENDPOINTS, healthz_level="jetstream", timeout=5.0, validate_certs=True, ca_path=None):
    """{endpoint: essentials} for every endpoint of ``gather``; /healthz never raises on 503 (that is its answer)."""
    out = {}
    kw = {"timeout": timeout, "validate_certs": validate_certs, "ca_path": ca_path}
    if "varz" in gather:
        out["varz"] = varz_essentials(fetch(base_url, "varz", **kw)[1])
    if "routez" in gather:
        out["routez"] = routez_essentials(fetch(base_url, "routez", **kw)[1])
    if "gatewayz" in gather:
        out["gatewayz"] = gatewayz_essentials(fetch(base_url, "gatewayz", **kw)[1])
    if "leafz" in gather:
        out["leafz"] = leafz_essentials(fetch(base_url, "leafz", **kw)[1])
    if "healthz" in gather:
        params = {}
        if healthz_level == "js-server-only":
            params["js-server-only"] = "true"
        elif healthz_level == "js-enabled-only":
            params["js-enabled-only"] = "true"
        status, body = fetch(base_url, "healthz", params, accept_status=(200, 503), **kw)
        out["healthz"] = {"ok": status == 200 and body.get("status") == "ok", "status": body.get("status", ""),
                          "http_status": status, "error": body.get("error", ""), "level": healthz_level}
    if "jsz" in gather:
        out["jsz"] = jsz_essentials(fetch(base_url, "jsz", **kw)[1])
    return out
