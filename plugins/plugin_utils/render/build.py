# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the config of every server of a (super-)cluster from inventory settings.

Pure Python, no I/O. Used by the ``nats_server_config`` action plugin, which
the ``natsops.nats.nats_server`` role runs once for all hosts of the play.

Input: an ordered list of ``(inventory_hostname, settings)`` where ``settings``
is a dict of the role variables of that host (``nats_server_cluster_name``,
``nats_server_client_port``, ...; missing keys take ``SETTING_DEFAULTS``).
Output: ``{host: config_dict}``, ready for ``render_writer.render``.

The topology comes from one source of truth:

* hosts with the same ``nats_server_cluster_name`` form one cluster; each gets a route
  to every peer's cluster port;
* when more than one cluster name is present (or ``nats_server_gateways_extra`` lists
  remote clusters), every clustered host gets a ``gateway`` block whose name IS
  its cluster name, plus one ``gateways`` entry per other cluster;
* hosts with an empty cluster name are standalone servers (no cluster, no gateway).

``nats_server_config_extra`` is deep-merged last (dicts merge, other values
replace, ``None`` removes the key), so it can express anything the role does not
model -- including mistakes, which the validation that follows must catch.
"""

from __future__ import annotations

import copy

try:
    from urllib.parse import quote as _quote
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urllib import quote as _quote  # type: ignore

# Python-side defaults for settings a caller leaves out. They equal
# roles/nats_server/defaults/main.yml (tests/unit/test_role_argspec_sync.py checks that).
SETTING_DEFAULTS = {
    "nats_server_cluster_name": "",
    "nats_server_name": "",
    "nats_server_listen_host": "0.0.0.0",
    "nats_server_advertise_host": "",
    "nats_server_client_port": 4222,
    "nats_server_cluster_port": 6222,
    "nats_server_gateway_port": 7222,
    "nats_server_http_port": 8222,
    "nats_server_leafnode_port": 0,
    "nats_server_config_path": "/etc/nats-server/nats-server.conf",
    "nats_server_data_dir": "/var/lib/nats-server",
    "nats_server_pid_file": "",
    "nats_server_jetstream_enabled": False,
    "nats_server_jetstream_store_dir": "",
    "nats_server_jetstream_max_memory_store": "",
    "nats_server_jetstream_max_file_store": "",
    "nats_server_jetstream_domain": "",
    "nats_server_tls_client": {},
    "nats_server_tls_cluster": {},
    "nats_server_tls_gateway": {},
    "nats_server_tls_leafnode": {},
    "nats_server_cluster_user": "",
    "nats_server_cluster_password": "",
    "nats_server_gateway_user": "",
    "nats_server_gateway_password": "",
    "nats_server_system_account": "",
    "nats_server_gateways_extra": [],
    "nats_server_config_extra": {},
    "nats_server_lame_duck_duration": "30s",
    "nats_server_lame_duck_grace_period": "10s",
    # not part of the config: the nats-server version the host's config is validated for (plugin_utils/versions.py)
    "nats_server_version": "2.15.1",
}


class BuildError(Exception):
    """Settings that cannot be turned into configs (message names the host and variable)."""


def deep_merge(base, extra):
    """Return a copy of ``base`` with ``extra`` merged in.

    Dicts merge recursively, any other value replaces, ``None`` removes the key.
    """
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def host_port(host, port):
    """'host:port' with IPv6 literals bracketed."""
    host = str(host)
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    return "%s:%d" % (host, port)


def _userinfo(user, password):
    if not user:
        return ""
    text = _quote(str(user), safe="")
    if password:
        text += ":" + _quote(str(password), safe="")
    return text + "@"


def _setting(host, settings, key):
    value = settings.get(key)
    if value is None:
        value = copy.deepcopy(SETTING_DEFAULTS[key])
    return value


def _port(host, settings, key, allow_zero=False):
    value = _setting(host, settings, key)
    if isinstance(value, bool):
        raise BuildError("host %s: %s must be a port number, not %r" % (host, key, value))
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise BuildError("host %s: %s must be a port number, not %r" % (host, key, value))
    low = 0 if allow_zero else 1
    if port < low or port > 65535:
        raise BuildError("host %s: %s must be between %d and 65535, not %d" % (host, key, low, port))
    return port


def _text(host, settings, key):
    value = _setting(host, settings, key)
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        shown = "a %s" % type(value).__name__ if "password" in key else repr(value)    # never show a password
        raise BuildError("host %s: %s must be a string, not %s" % (host, key, shown))
    return str(value)


def _mapping(host, settings, key):
    value = _setting(host, settings, key)
    if not isinstance(value, dict):
        raise BuildError("host %s: %s must be a dict, not %s" % (host, key, type(value).__name__))
    return value


class _Host(object):
    """The resolved settings of one host."""

    def __init__(self, name, settings):
        if not isinstance(settings, dict):
            raise BuildError("host %s: settings must be a dict, not %s" % (name, type(settings).__name__))
        self.name = name
        self.settings = settings
        self.cluster = _text(name, settings, "nats_server_cluster_name").strip()
        self.server_name = _text(name, settings, "nats_server_name") or name
        self.listen_host = _text(name, settings, "nats_server_listen_host") or "0.0.0.0"
        self.advertise = _text(name, settings, "nats_server_advertise_host") or name
        self.client_port = _port(name, settings, "nats_server_client_port")
        self.cluster_port = _port(name, settings, "nats_server_cluster_port")
        self.gateway_port = _port(name, settings, "nats_server_gateway_port")
        self.http_port = _port(name, settings, "nats_server_http_port", allow_zero=True)
        self.leafnode_port = _port(name, settings, "nats_server_leafnode_port", allow_zero=True)
        self.cluster_user = _text(name, settings, "nats_server_cluster_user")
        self.cluster_password = _text(name, settings, "nats_server_cluster_password")
        self.gateway_user = _text(name, settings, "nats_server_gateway_user")
        self.gateway_password = _text(name, settings, "nats_server_gateway_password")
        for kind in ("cluster", "gateway"):
            if getattr(self, kind + "_password") and not getattr(self, kind + "_user"):
                raise BuildError("host %s: nats_server_%s_password is set but nats_server_%s_user is empty" % (name, kind, kind))
        extra = _setting(name, settings, "nats_server_gateways_extra")
        if not isinstance(extra, list):
            raise BuildError("host %s: nats_server_gateways_extra must be a list, not %s" % (name, type(extra).__name__))
        self.gateways_extra = []
        for index, item in enumerate(extra):
            if not isinstance(item, dict) or not item.get("name"):
                raise BuildError("host %s: nats_server_gateways_extra[%d] needs a name" % (name, index))
            urls = item.get("urls", item.get("url"))
            if isinstance(urls, str):
                urls = [urls]
            if not urls or not isinstance(urls, list):
                raise BuildError("host %s: nats_server_gateways_extra[%d] (%s) needs urls" % (name, index, item["name"]))
            self.gateways_extra.append((str(item["name"]), [str(u) for u in urls]))

    def route_url(self):
        return "nats-route://%s%s" % (_userinfo(self.cluster_user, self.cluster_password),
                                      host_port(self.advertise, self.cluster_port))

    def gateway_url(self):
        return "nats://%s%s" % (_userinfo(self.gateway_user, self.gateway_password),
                                host_port(self.advertise, self.gateway_port))


def _tls(host, key):
    value = _mapping(host.name, host.settings, key)
    return copy.deepcopy(value) if value else None


def _jetstream(host):
    js = {}
    store = _text(host.name, host.settings, "nats_server_jetstream_store_dir") or _text(host.name, host.settings, "nats_server_data_dir")
    if store:
        js["store_dir"] = store
    for key in ("max_memory_store", "max_file_store"):
        value = _setting(host.name, host.settings, "nats_server_jetstream_" + key)
        if value not in ("", None):
            js[key] = value
    domain = _text(host.name, host.settings, "nats_server_jetstream_domain")
    if domain:
        js["domain"] = domain
    return js


def _auth(user, password):
    auth = {"user": user}
    if password:
        auth["password"] = password
    return auth


def _build_one(host, clusters, order, with_gateways):
    conf = {"server_name": host.server_name, "listen": host_port(host.listen_host, host.client_port)}
    tls = _tls(host, "nats_server_tls_client")
    if tls:
        conf["tls"] = tls
    if host.http_port:
        conf["http"] = host_port(host.listen_host, host.http_port)
    pid_file = _text(host.name, host.settings, "nats_server_pid_file")
    if pid_file:
        conf["pid_file"] = pid_file
    for key in ("lame_duck_duration", "lame_duck_grace_period"):
        value = _text(host.name, host.settings, "nats_server_" + key)
        if value:
            conf[key] = value
    system_account = _text(host.name, host.settings, "nats_server_system_account")
    if system_account:
        conf["system_account"] = system_account
    if _setting(host.name, host.settings, "nats_server_jetstream_enabled"):
        conf["jetstream"] = _jetstream(host)

    if host.cluster:
        cluster = {"name": host.cluster, "listen": host_port(host.listen_host, host.cluster_port)}
        routes = [peer.route_url() for peer in clusters[host.cluster] if peer is not host]
        if routes:
            cluster["routes"] = routes
        if host.cluster_user:
            cluster["authorization"] = _auth(host.cluster_user, host.cluster_password)
        tls = _tls(host, "nats_server_tls_cluster")
        if tls:
            cluster["tls"] = tls
        conf["cluster"] = cluster

        if with_gateways or host.gateways_extra:
            entries = []
            by_name = {}
            for name in order:
                if name == host.cluster:
                    continue
                entry = {"name": name, "urls": [peer.gateway_url() for peer in clusters[name]]}
                by_name[name] = entry
                entries.append(entry)
            for name, urls in host.gateways_extra:
                if name == host.cluster:
                    continue
                if name in by_name:
                    by_name[name]["urls"].extend(u for u in urls if u not in by_name[name]["urls"])
                else:
                    by_name[name] = {"name": name, "urls": list(urls)}
                    entries.append(by_name[name])
            gateway = {"name": host.cluster, "listen": host_port(host.listen_host, host.gateway_port)}
            if entries:
                gateway["gateways"] = entries
            if host.gateway_user:
                gateway["authorization"] = _auth(host.gateway_user, host.gateway_password)
            tls = _tls(host, "nats_server_tls_gateway")
            if tls:
                gateway["tls"] = tls
            conf["gateway"] = gateway

    if host.leafnode_port:
        leaf = {"listen": host_port(host.listen_host, host.leafnode_port)}
        tls = _tls(host, "nats_server_tls_leafnode")
        if tls:
            leaf["tls"] = tls
        conf["leafnodes"] = leaf

    extra = _mapping(host.name, host.settings, "nats_server_config_extra")
    return deep_merge(conf, extra)


def _hosts(hosts):
    if isinstance(hosts, dict):
        hosts = list(hosts.items())
    resolved = []
    seen = set()
    for name, settings in hosts:
        if name in seen:
            raise BuildError("host %s is listed twice" % name)
        seen.add(name)
        resolved.append(_Host(name, settings))
    return resolved


def topology(hosts):
    """{cluster_name: [host names]} in inventory order (standalone hosts left out)."""
    clusters = {}
    for host in _hosts(hosts):
        if host.cluster:
            clusters.setdefault(host.cluster, []).append(host.name)
    return clusters


def build_configs(hosts):
    """``hosts``: ordered ``[(name, settings)]`` (or a dict) -> ``{name: config dict}`` in the same order."""
    resolved = _hosts(hosts)
    clusters = {}
    order = []
    for host in resolved:
        if host.cluster:
            if host.cluster not in clusters:
                clusters[host.cluster] = []
                order.append(host.cluster)
            clusters[host.cluster].append(host)
    with_gateways = len(order) > 1
    out = {}
    for host in resolved:
        out[host.name] = _build_one(host, clusters, order, with_gateways)
    return out


def addresses(hosts):
    """{host: advertise address} -- the address peers use to reach each host."""
    return dict((h.name, h.advertise) for h in _hosts(hosts))
