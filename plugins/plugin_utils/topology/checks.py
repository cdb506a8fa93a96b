# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-server (topology) checks: what no single-file check can catch.

``validate_topology(results_by_host, addresses=None, disable=(), warnings_as_errors=False)``
takes a mapping of server id (an inventory host) to ``ParseResult`` plus optional
addresses (host -> address or list of names, e.g. ``ansible_host`` plus an FQDN) and returns ``[Finding]``.

The model resolves every route URL, gateway URL and leafnode remote URL to a
known server and listener by ``(address, port)``. A server is known under its
id, its address and the specific bind host of each listener. Cluster
membership is the union of "same cluster name" and "connected by a route that
resolves to a known cluster listener" (union-find), so members that disagree on
the cluster name are found through their routes.

Every finding has ``host`` set to the primary host, its file position, and a
message that names the other hosts and their positions.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote, urlsplit

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import (
    ERROR,
    WARNING,
    Finding,
    apply_policy,
    cap_findings,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY, check, checks
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import redact_url as _redact_url
from ansible_collections.natsops.nats.plugins.plugin_utils import versions

SCOPE = "topology"
INTERNAL_ERROR = "check-internal-error"  # registered by checks_engine (scope config); reused for crashed topology checks

DEFAULT_CLIENT_PORT = 4222
DEFAULT_POOL_SIZE = 3
DEFAULT_SYSTEM_ACCOUNT = "$SYS"
_WILDCARD = frozenset(("", "0.0.0.0", "::", "[::]", "*"))
_BCRYPT = ("$2a$", "$2b$", "$2y$", "$2x$")
_MAX_NAMES = 4

KIND_LABELS = {
    "client": "client",
    "cluster": "cluster (route)",
    "gateway": "gateway",
    "leafnode": "leafnode",
    "websocket": "websocket",
    "mqtt": "MQTT",
    "monitoring": "monitoring (HTTP)",
    "profiling": "profiling",
}


# --------------------------------------------------------------------------------------------
# small helpers


def _find(mapping, names):
    """(actual_key, value) of the first key of mapping whose lower-case form is in names."""
    if not isinstance(mapping, dict):
        return None, None
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() in names:
            return key, value
    return None, None


def _int(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _str(value):
    return value if isinstance(value, str) else None


def norm_host(host):
    """Lower-case, strip IPv6 brackets; localhost counts as 127.0.0.1."""
    if host is None:
        return None
    host = str(host).strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost":
        return "127.0.0.1"
    return host


def parse_listen(value):
    """NATS ``listen`` value -> (host, port); None when not understood (single-file checks report it)."""
    port = _int(value)
    if port is not None:
        return "", port
    text = _str(value)
    if text is None:
        return None
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or not text[end + 1:].startswith(":"):
            return None
        host, port_text = text[1:end], text[end + 2:]
    else:
        if text.count(":") != 1:
            return None
        host, port_text = text.split(":", 1)
    try:
        return host, int(port_text)
    except ValueError:
        return None


def redact_url(text):
    """URL text with the secret of its user info replaced by ``********`` (as everywhere in the
    collection), so secrets never reach a message."""
    return _redact_url(text)


def _names(hosts, limit=_MAX_NAMES):
    """'a, b, c and 7 more' (bounded, so messages stay O(1) in cluster size)."""
    hosts = list(hosts)
    if len(hosts) <= limit:
        return ", ".join(hosts)
    return "%s and %d more" % (", ".join(hosts[:limit]), len(hosts) - limit)


def _loc(position):
    if position is None:
        return "?"
    return "%s:%s:%s" % (position[0] or "<string>", position[1], position[2])


@lru_cache(maxsize=8192)
def _split_url(text):
    """(scheme, host, port, user, password, has_userinfo) of a URL; host/port None when not understood."""
    try:
        parts = urlsplit(text.strip())
        # like Go's url.Parse (and so nats-server), user and password are percent-decoded
        user = unquote(parts.username) if parts.username is not None else None
        password = unquote(parts.password) if parts.password is not None else None
        return parts.scheme.lower(), norm_host(parts.hostname), parts.port, user, password, "@" in parts.netloc
    except ValueError:
        return None, None, None, None, None, False


class Url(object):
    """A URL from a config: text, where it is, and what it names."""

    __slots__ = ("text", "path", "scheme", "host", "port", "user", "password", "has_userinfo")

    def __init__(self, text, path):
        self.text = text
        self.path = path
        self.scheme, self.host, self.port, self.user, self.password, self.has_userinfo = _split_url(text)

    @property
    def shown(self):
        return redact_url(self.text)


class Listener(object):
    __slots__ = ("kind", "bind", "port", "path", "server")

    def __init__(self, kind, bind, port, path, server):
        self.kind = kind
        self.bind = bind
        self.port = port
        self.path = path
        self.server = server

    @property
    def label(self):
        return KIND_LABELS.get(self.kind, self.kind)


class GatewayEntry(object):
    __slots__ = ("name", "path", "name_path", "urls")

    def __init__(self, name, path, name_path, urls):
        self.name = name
        self.path = path
        self.name_path = name_path
        self.urls = urls


# --------------------------------------------------------------------------------------------
# the model


class Server(object):
    """What topology checks need from one server's config (all values type-checked)."""

    def __init__(self, host, result, address=None):
        self.host = host
        self.result = result
        if isinstance(address, (list, tuple)):
            self.addresses = [str(a) for a in address if isinstance(a, str) and a]
        else:
            self.addresses = [address] if isinstance(address, str) and address else []
        self.address = self.addresses[0] if self.addresses else None
        cfg = result.config if isinstance(result.config, dict) else {}
        self.listeners = []
        self.aliases = set([norm_host(host)])
        for name in self.addresses:
            self.aliases.add(norm_host(name))

        key, value = _find(cfg, ("server_name",))
        self.server_name = _str(value)
        self.server_name_path = (key,) if key else None

        key, value = _find(cfg, ("system_account", "system"))
        self.system_account = _str(value) or DEFAULT_SYSTEM_ACCOUNT
        self.system_account_path = (key,) if key and _str(value) else None
        if not _str(value) and _find(cfg, ("operator", "operators", "trusted_operators"))[0] is not None:
            self.system_account = None  # operator mode: the operator JWT names it (not compared)

        key, value = _find(cfg, ("accounts",))
        self.accounts = set(k for k in value) if isinstance(value, dict) else set()

        # client listener (port 4222 unless set; -1 random)
        self._client(cfg)
        self._http(cfg)

        # cluster
        key, cluster = _find(cfg, ("cluster",))
        self.cluster_path = (key,) if key and isinstance(cluster, dict) else None
        cluster = cluster if isinstance(cluster, dict) else {}
        self.cluster = self._block_listener("cluster", cluster, self.cluster_path)
        key, value = _find(cluster, ("name",))
        self.cluster_name = _str(value) or None
        self.cluster_name_path = self.cluster_path + (key,) if key and self.cluster_name else None
        self.routes = []
        key, value = _find(cluster, ("routes",))
        if isinstance(value, list) and self.cluster_path:
            for i, item in enumerate(value):
                if isinstance(item, str):
                    self.routes.append(Url(item, self.cluster_path + (key, i)))
        self.cluster_auth, self.cluster_auth_path = self._auth(cluster, self.cluster_path)
        key, value = _find(cluster, ("tls",))
        self.cluster_tls_path = self.cluster_path + (key,) if key and isinstance(value, dict) else None
        key, value = _find(cluster, ("pool_size",))
        pool = _int(value)
        self.pool_size = DEFAULT_POOL_SIZE if pool is None or pool == 0 else pool
        self.pool_size_path = self.cluster_path + (key,) if key and pool is not None else None
        key, value = _find(cluster, ("accounts",))
        self.pinned = []
        self.pinned_path = self.cluster_path + (key,) if key else None
        if isinstance(value, list):
            self.pinned = [(v, self.pinned_path + (i,)) for i, v in enumerate(value) if isinstance(v, str)]

        # gateway
        key, gateway = _find(cfg, ("gateway",))
        self.gateway_path = (key,) if key and isinstance(gateway, dict) else None
        gateway = gateway if isinstance(gateway, dict) else {}
        self.gateway = self._block_listener("gateway", gateway, self.gateway_path)
        key, value = _find(gateway, ("name",))
        self.gateway_name = _str(value) or None
        self.gateway_name_path = self.gateway_path + (key,) if key and self.gateway_name else None
        self.gateway_auth, self.gateway_auth_path = self._auth(gateway, self.gateway_path)
        key, value = _find(gateway, ("tls",))
        self.gateway_tls_path = self.gateway_path + (key,) if key and isinstance(value, dict) else None
        self.gateway_entries = []
        key, value = _find(gateway, ("gateways",))
        if isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                epath = self.gateway_path + (key, i)
                nkey, name = _find(item, ("name",))
                urls = []
                ukey, uval = _find(item, ("url",))
                if isinstance(uval, str):
                    urls.append(Url(uval, epath + (ukey,)))
                ukey, uval = _find(item, ("urls",))
                if isinstance(uval, list):
                    urls.extend(Url(u, epath + (ukey, j)) for j, u in enumerate(uval) if isinstance(u, str))
                self.gateway_entries.append(GatewayEntry(_str(name), epath, epath + (nkey,) if nkey else epath, urls))

        # leafnodes
        key, leaf = _find(cfg, ("leafnodes", "leaf"))
        self.leaf_path = (key,) if key and isinstance(leaf, dict) else None
        leaf = leaf if isinstance(leaf, dict) else {}
        self.leaf = self._block_listener("leafnode", leaf, self.leaf_path)
        self.leaf_remotes = []
        key, value = _find(leaf, ("remotes",))
        if isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                rpath = self.leaf_path + (key, i)
                ukey, uval = _find(item, ("url", "urls"))
                if isinstance(uval, str):
                    self.leaf_remotes.append(Url(uval, rpath + (ukey,)))
                elif isinstance(uval, list):
                    self.leaf_remotes.extend(Url(u, rpath + (ukey, j)) for j, u in enumerate(uval) if isinstance(u, str))

        for block, kind in ((("websocket", "ws"), "websocket"), (("mqtt",), "mqtt")):
            key, value = _find(cfg, block)
            if isinstance(value, dict):
                self._block_listener(kind, value, (key,))

        # JetStream
        key, value = _find(cfg, ("jetstream",))
        self.js_path = (key,) if key else None
        self.js_enabled = False
        self.js_domain = None
        self.js_domain_path = None
        if value is True:
            self.js_enabled = True
        elif isinstance(value, str):
            self.js_enabled = value.lower() in ("enabled", "enable")
        elif isinstance(value, dict):
            enabled = _find(value, ("enable", "enabled"))[1]
            self.js_enabled = enabled is not False
            dkey, domain = _find(value, ("domain",))
            if _str(domain):
                self.js_domain = domain
                self.js_domain_path = (key, dkey)

        # derived names
        self.effective_cluster_name = self.cluster_name or self.gateway_name
        if self.cluster_name:
            self.effective_cluster_name_path = self.cluster_name_path
        elif self.gateway_name:
            self.effective_cluster_name_path = self.gateway_name_path
        else:
            self.effective_cluster_name_path = self.cluster_path
        # a server with remotes and neither cluster port nor cluster name takes its server_name (NewServer)
        self.leaf_cluster_name = self.effective_cluster_name
        self.leaf_cluster_name_path = self.effective_cluster_name_path
        if not self.cluster_name and self.cluster is None and self.leaf_remotes:
            if self.gateway_name is None and self.server_name:
                self.leaf_cluster_name = self.server_name
                self.leaf_cluster_name_path = self.server_name_path

    # -- extraction helpers
    def _client(self, cfg):
        lkey, listen = _find(cfg, ("listen",))
        pkey, port = _find(cfg, ("port",))
        hkey, host = _find(cfg, ("host", "net"))
        bind = _str(host) or ""
        path = None
        value = None
        if lkey is not None:
            hp = parse_listen(listen)
            if hp is None:
                return
            bind, value, path = hp[0] or bind, hp[1], (lkey,)
        if pkey is not None and _int(port) is not None:
            value, path = port, (pkey,)
        if value is None or value == 0:
            value = DEFAULT_CLIENT_PORT
        if value < 0:
            return
        self._add("client", bind, value, path or ((hkey,) if hkey else ()))

    def _http(self, cfg):
        host = _find(cfg, ("host", "net"))[1]
        default_bind = _str(host) or ""
        for names in (("http", "https"), ("http_port", "monitor_port", "https_port")):
            for name in names:
                key, value = _find(cfg, (name,))
                if key is None:
                    continue
                hp = parse_listen(value) if name in ("http", "https") else ((default_bind, _int(value)) if _int(value) is not None else None)
                if hp and hp[1] and hp[1] > 0:
                    self._add("monitoring", hp[0] or default_bind, hp[1], (key,))
        key, value = _find(cfg, ("prof_port",))
        if _int(value) and value > 0:
            self._add("profiling", default_bind, value, (key,))

    def _block_listener(self, kind, block, base):
        if not block or base is None:
            return None
        lkey, listen = _find(block, ("listen",))
        pkey, port = _find(block, ("port",))
        hkey, host = _find(block, ("host", "net"))
        bind = _str(host) or ""
        value = None
        path = None
        if lkey is not None:
            hp = parse_listen(listen)
            if hp is not None:
                bind, value, path = hp[0] or bind, hp[1], base + (lkey,)
        if pkey is not None and _int(port) is not None:
            value, path = port, base + (pkey,)
        if not value or value < 0:
            return None
        listener = self._add(kind, bind, value, path)
        akey, adv = _find(block, ("advertise", "cluster_advertise", "leafnode_advertise"))
        adv = _str(adv)
        if adv and "://" not in adv:
            hp = parse_listen(adv) if ":" in adv else (adv, value)
            if hp is not None:
                listener_alias = (norm_host(hp[0]), hp[1])
                self.extra_keys.append((listener_alias, listener))
        return listener

    def _add(self, kind, bind, port, path):
        listener = Listener(kind, bind, port, path, self)
        self.listeners.append(listener)
        return listener

    def _auth(self, block, base):
        key, auth = _find(block, ("authorization",))
        if not isinstance(auth, dict) or base is None:
            return None, None
        user = _find(auth, ("user", "username"))[1]
        password = _find(auth, ("password", "pass"))[1]
        if not _str(user):
            return None, None
        return (user, _str(password) or ""), base + (key,)

    @property
    def extra_keys(self):
        # lazily created list of ((alias, port), listener) from advertise values
        try:
            return self._extra_keys
        except AttributeError:
            self._extra_keys = []  # pylint: disable=attribute-defined-outside-init
            return self._extra_keys

    # -- positions
    def pos(self, path):
        if not path:
            files = getattr(self.result, "files", None) or []
            name = files[0].get("path") if files and isinstance(files[0], dict) else None
            return (name, 1, 1) if name else None
        return self.result.pos(path)

    def value_pos(self, path):
        """Position of the value at path (of the key when the value is a map or a list)."""
        if not path or isinstance(self.result.get(path), (dict, list)):
            return self.pos(path)
        return self.result.value_pos(path)

    def where(self, path, value=False):
        """'host (file:line:col)' for messages about the other side."""
        position = self.value_pos(path) if value else self.pos(path)
        if position is None:
            return self.host
        return "%s (%s)" % (self.host, _loc(position))


class Topology(object):
    """All servers, their listeners indexed by (address, port), and the cluster structure."""

    def __init__(self, results_by_host, addresses=None):
        addresses = addresses or {}
        self._route_auth_cache = None
        self.servers = []
        self.by_host = {}
        for host, result in results_by_host.items():
            srv = Server(str(host), result, addresses.get(host))
            self.servers.append(srv)
            self.by_host[srv.host] = srv
        self._index()
        self._resolve()
        self._clusters()
        self._superclusters()

    # -- indexes
    def _index(self):
        self.alias_index = {}
        self.listener_index = {}
        self.address_claims = {}
        for srv in self.servers:
            for listener in srv.listeners:
                bind = norm_host(listener.bind)
                if bind and bind not in _WILDCARD:
                    srv.aliases.add(bind)
        for srv in self.servers:
            for alias in srv.aliases:
                self.alias_index.setdefault(alias, []).append(srv)
            for listener in srv.listeners:
                bind = norm_host(listener.bind)
                keys = set((alias, listener.port) for alias in srv.aliases)
                if bind and bind not in _WILDCARD:
                    # a specific bind is reachable only there (plus the server's own names)
                    keys = set([(bind, listener.port), (norm_host(srv.host), listener.port)])
                    for name in srv.addresses:
                        keys.add((norm_host(name), listener.port))
                for key in keys:
                    self.listener_index.setdefault(key, []).append(listener)
                # collisions only count on real addresses (not on bare inventory names)
                claim_hosts = set()
                if bind and bind not in _WILDCARD:
                    claim_hosts.add(bind)
                elif srv.address:
                    claim_hosts.add(norm_host(srv.address))
                for claim in claim_hosts:
                    self.address_claims.setdefault((claim, listener.port), []).append(listener)
            for key, listener in srv.extra_keys:
                self.listener_index.setdefault(key, []).append(listener)

    def lookup(self, url):
        """(listener or None, known_host: bool) for a Url."""
        if url.host is None or url.port is None:
            return None, False
        hits = self.listener_index.get((url.host, url.port))
        if hits:
            return hits[0], True
        return None, url.host in self.alias_index

    # -- URL edges
    def _resolve(self):
        self.route_edges = []      # (src, Url, listener)
        self.gateway_edges = []    # (src, GatewayEntry, Url, listener)
        self.leaf_edges = []       # (src, Url, listener)
        self.unresolved = []       # (src, kind, Url) URL names a known host but no listener there
        self.foreign_routes = set()  # hosts with a route to a host outside the given servers
        for srv in self.servers:
            if srv.cluster is not None:
                for url in srv.routes:
                    listener, known = self.lookup(url)
                    if listener is not None:
                        self.route_edges.append((srv, url, listener))
                    elif known:
                        self.unresolved.append((srv, "route", url))
                    else:
                        self.foreign_routes.add(srv.host)
            if srv.gateway is not None:
                for entry in srv.gateway_entries:
                    if entry.name and entry.name == srv.gateway_name:
                        continue  # the server ignores an entry with its own gateway name (never dialed)
                    for url in entry.urls:
                        listener, known = self.lookup(url)
                        if listener is not None:
                            self.gateway_edges.append((srv, entry, url, listener))
                        elif known:
                            self.unresolved.append((srv, "gateway", url))
            for url in srv.leaf_remotes:
                listener, known = self.lookup(url)
                if listener is not None:
                    self.leaf_edges.append((srv, url, listener))
                elif known:
                    self.unresolved.append((srv, "leafnode remote", url))

    # -- clusters: same name OR routed to each other
    def _clusters(self):
        members = [s for s in self.servers if s.cluster is not None or s.gateway is not None]
        parent = dict((s.host, s.host) for s in members)

        def find(x):
            root = x
            while parent[root] != root:
                root = parent[root]
            while parent[x] != root:
                parent[x], x = root, parent[x]
            return root

        def union(a, b):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra

        first_by_name = {}
        for srv in members:
            name = srv.effective_cluster_name
            if name is not None:
                if name in first_by_name:
                    union(first_by_name[name], srv.host)
                else:
                    first_by_name[name] = srv.host
        self.route_peer_edges = []
        for src, url, listener in self.route_edges:
            dst = listener.server
            if listener.kind != "cluster" or dst is src or src.host not in parent or dst.host not in parent:
                continue
            self.route_peer_edges.append((src, url, dst))
            a, b = src.effective_cluster_name, dst.effective_cluster_name
            if not (a and b and a != b):
                # a route between two different configured names is rejected: it does not join the clusters
                # (cluster-name-mismatch reports it)
                union(src.host, dst.host)
        groups = {}
        for srv in members:
            groups.setdefault(find(srv.host), []).append(srv)
        self.clusters = list(groups.values())
        self.cluster_of = {}
        for group in self.clusters:
            for srv in group:
                self.cluster_of[srv.host] = group

    def cluster_label(self, group):
        counts = {}
        for srv in group:
            if srv.effective_cluster_name:
                counts[srv.effective_cluster_name] = counts.get(srv.effective_cluster_name, 0) + 1
        if not counts:
            return "(unnamed:%s)" % group[0].host
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def cluster_summary(self):
        """{cluster name: [hosts]} (an unnamed cluster shows as '(unnamed:<first host>)')."""
        out = {}
        for group in self.clusters:
            label = self.cluster_label(group)
            out.setdefault(label, []).extend(s.host for s in group)
        return out

    def supercluster_summary(self):
        """[[cluster names]] of clusters linked by gateways (each sorted; single clusters included)."""
        out = []
        for group in self.superclusters:
            names = []
            for srv in group:
                label = self.cluster_label(self.cluster_of[srv.host])
                if label not in names:
                    names.append(label)
            out.append(sorted(names))
        return sorted(out)

    # -- super-clusters: clusters linked by gateway entries (by URL or by name)
    def _superclusters(self):
        index = dict((id(g), i) for i, g in enumerate(self.clusters))
        parent = list(range(len(self.clusters)))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        by_name = {}
        for group in self.clusters:
            for srv in group:
                if srv.gateway is not None and srv.gateway_name:
                    by_name.setdefault(srv.gateway_name, index[id(group)])
        for group in self.clusters:
            here = index[id(group)]
            for srv in group:
                for entry in srv.gateway_entries:
                    other = by_name.get(entry.name)
                    if other is not None:
                        parent[find(other)] = find(here)
        for src, dummy_entry, dummy_url, listener in self.gateway_edges:
            dst = self.cluster_of.get(listener.server.host)
            srcg = self.cluster_of.get(src.host)
            if dst is not None and srcg is not None:
                parent[find(index[id(dst)])] = find(index[id(srcg)])
        groups = {}
        for i, group in enumerate(self.clusters):
            groups.setdefault(find(i), []).extend(group)
        self.superclusters = list(groups.values())
        self.gateway_names = by_name


# --------------------------------------------------------------------------------------------
# finding helpers


def _finding(code, message, server, path, value=False, hint=None):
    severity = REGISTRY[code].severity
    position = server.value_pos(path) if value else server.pos(path)
    return Finding.at(code, severity, message, position, path=path, hint=hint, host=server.host)


def _odd_ones(group, key):
    """Split a group by key(server) (None = skip); return (majority value, [servers] holding it, [odd servers]).

    Ties go to the value seen first (input order), so results are deterministic.
    """
    counts = {}
    order = []
    for srv in group:
        value = key(srv)
        if value is None:
            continue
        if value not in counts:
            counts[value] = []
            order.append(value)
        counts[value].append(srv)
    if len(counts) < 2:
        return None, [], []
    best = max(order, key=lambda v: (len(counts[v]), -order.index(v)))
    odd = [srv for v in order if v != best for srv in counts[v]]
    return best, counts[best], odd


def _show(value):
    return '"%s"' % value if isinstance(value, str) else str(value)


# --------------------------------------------------------------------------------------------
# checks


@check("cluster-name-mismatch", ERROR, SCOPE, "Servers connected by routes disagree on the cluster name")
def _check_cluster_name(topo):
    crossing = {}
    neighbours = {}
    for src, url, dst in topo.route_peer_edges:
        a, b = src.effective_cluster_name, dst.effective_cluster_name
        neighbours.setdefault(src.host, {}).setdefault(dst.host, dst)
        neighbours.setdefault(dst.host, {}).setdefault(src.host, src)
        if a and b and a != b:
            crossing.setdefault(src.host, []).append((url, dst))
    odd = set()
    for host, peers in neighbours.items():
        srv = topo.by_host[host]
        name = srv.effective_cluster_name
        if not name:
            continue
        differ = [p for p in peers.values() if p.effective_cluster_name and p.effective_cluster_name != name]
        same = [p for p in peers.values() if p.effective_cluster_name == name]
        if differ and len(differ) > len(same):
            odd.add(host)
            other = differ[0]
            others = sorted(set(p.effective_cluster_name for p in differ))
            yield _finding(
                "cluster-name-mismatch",
                "cluster name %s differs from %s used by its route peers %s (%s: %s); routes between them are rejected"
                % (_show(name), " / ".join(_show(n) for n in others), _names(p.host for p in differ),
                   other.host, _loc(other.pos(other.effective_cluster_name_path))),
                srv, srv.effective_cluster_name_path, value=True,
                hint='nats-server logs "Rejecting connection, cluster name ... does not match" and '
                     '"Cluster Name Conflict"; use one cluster.name for every server of a cluster')
    for host, edges in crossing.items():
        if host in odd:
            continue
        srv = topo.by_host[host]
        for url, dst in edges:
            if dst.host in odd:
                continue
            yield _finding(
                "cluster-name-mismatch",
                "route %s points at %s, a server of cluster %s, but this server is in cluster %s (%s)"
                % (url.shown, dst.where(dst.cluster.path), _show(dst.effective_cluster_name),
                   _show(srv.effective_cluster_name), _loc(srv.pos(srv.effective_cluster_name_path))),
                srv, url.path, value=True,
                hint="the route is rejected with \"Cluster Name Conflict\"; remove it or align the cluster names")


def _wrong_port(topo, code, kind_wanted, what, edges, hint):
    wanted_kind = kind_wanted
    for src, url, listener in edges:
        if callable(wanted_kind):
            kind_wanted = wanted_kind(url)
        if listener.kind == kind_wanted:
            continue
        dst = listener.server
        wanted = [lst for lst in dst.listeners if lst.kind == kind_wanted]
        expect = ("its %s port is %d" % (KIND_LABELS[kind_wanted], wanted[0].port)) if wanted \
            else "it has no %s listener" % KIND_LABELS[kind_wanted]
        yield _finding(
            code,
            "%s %s points at the %s port %d of %s, not at a %s port (%s)"
            % (what, url.shown, listener.label, listener.port, dst.where(listener.path), KIND_LABELS[kind_wanted], expect),
            src, url.path, value=True, hint=hint)


@check("route-url-wrong-port", ERROR, SCOPE, "A route URL points at a known server's non-cluster port (client, gateway, leafnode, ...)")
def _check_route_port(topo):
    return _wrong_port(topo, "route-url-wrong-port", "cluster", "route", topo.route_edges,
                       "a route at a client or gateway port causes a reconnect storm of thousands of connections per second")


@check("gateway-url-wrong-port", ERROR, SCOPE, "A gateway URL points at a known server's non-gateway port (client, cluster, ...)")
def _check_gateway_port(topo):
    edges = [(src, url, listener) for src, dummy, url, listener in topo.gateway_edges]
    return _wrong_port(topo, "gateway-url-wrong-port", "gateway", "gateway URL", edges,
                       'nats-server logs "Attempt to connect to gateway ... using wrong port" and retries every second')


def _leaf_kind(url):
    """Leafnode remotes over ws:// or wss:// go to the hub's websocket listener."""
    return "websocket" if url.scheme in ("ws", "wss") else "leafnode"


@check("leafnode-url-wrong-port", ERROR, SCOPE, "A leafnode remote URL points at a known server's non-leafnode port")
def _check_leaf_port(topo):
    return _wrong_port(topo, "leafnode-url-wrong-port", _leaf_kind, "leafnode remote", topo.leaf_edges,
                       'nats-server logs "attempted to connect to wrong port" and retries every second')


@check("url-no-listener", WARNING, SCOPE, "A route, gateway or leafnode URL names a known server but no listener of it has that port")
def _check_no_listener(topo):
    for srv, what, url in topo.unresolved:
        targets = topo.alias_index.get(url.host, [])
        ports = ", ".join("%s %d" % (lst.label, lst.port) for lst in targets[0].listeners) if targets else ""
        yield _finding(
            "url-no-listener",
            "%s URL %s names %s, which has no listener on port %d (its ports: %s)"
            % (what, url.shown, _names(t.host for t in targets), url.port, ports or "none"),
            srv, url.path, value=True)


@check("gateway-entry-name-mismatch", ERROR, SCOPE, "A gateways[] entry's name differs from the gateway name of the servers its URLs point at")
def _check_gateway_entry_name(topo):
    for src, entry, url, listener in topo.gateway_edges:
        if listener.kind != "gateway":
            continue
        dst = listener.server
        if not entry.name or not dst.gateway_name or entry.name == dst.gateway_name:
            continue
        yield _finding(
            "gateway-entry-name-mismatch",
            "gateway entry %s has URL %s, which points at %s of gateway (cluster) %s; the entry name must be %s"
            % (_show(entry.name), url.shown, dst.where(dst.gateway_name_path), _show(dst.gateway_name), _show(dst.gateway_name)),
            src, entry.name_path, value=True,
            hint='nats-server logs "Failing connection to gateway %s, remote gateway name is %s" and the super-cluster never forms'
                 % (_show(entry.name), _show(dst.gateway_name)))


@check("gateway-entry-unknown-cluster", WARNING, SCOPE, "A gateways[] entry names no cluster of the inventory and none of its URLs resolve")
def _check_gateway_entry_unknown(topo):
    resolved = set()
    for src, entry, url, listener in topo.gateway_edges:
        resolved.add(id(entry))
    for srv in topo.servers:
        if srv.gateway is None:
            continue
        for entry in srv.gateway_entries:
            if not entry.name or entry.name == srv.gateway_name or entry.name in topo.gateway_names:
                continue
            if id(entry) in resolved:
                continue
            known = sorted(topo.gateway_names)
            yield _finding(
                "gateway-entry-unknown-cluster",
                "gateway entry %s matches no gateway of the inventory (known: %s) and its URLs point at no known server"
                % (_show(entry.name), ", ".join(_show(n) for n in known[:8]) or "none"),
                srv, entry.name_path, value=True,
                hint="fine if that cluster is outside this inventory; otherwise fix the name (it must equal the remote gateway name)")


@check("server-name-duplicate", ERROR, SCOPE, "The same server_name is used by two servers of one cluster or super-cluster")
def _check_server_name(topo):
    for group in topo.superclusters:
        seen = {}
        for srv in group:
            if srv.server_name:
                seen.setdefault(srv.server_name, []).append(srv)
        for name, servers in seen.items():
            if len(servers) < 2:
                continue
            first = servers[0]
            for srv in servers[1:]:
                yield _finding(
                    "server-name-duplicate",
                    "server_name %s is also used by %s%s"
                    % (_show(name), first.where(first.server_name_path),
                       (" and %d other server(s)" % (len(servers) - 2)) if len(servers) > 2 else ""),
                    srv, srv.server_name_path, value=True,
                    hint='peers close the connection with "Remote server has a duplicate name"; '
                         'JetStream gets no meta leader. Give every server a unique server_name')


def _majority_check(code, groups, key, describe, path_of, hint, applies=None):
    for group in groups:
        members = [s for s in group if applies is None or applies(s)]
        best, holders, odd = _odd_ones(members, key)
        for srv in odd:
            ref = holders[0]
            yield _finding(
                code,
                "%s here but %s on %s (%s)" % (describe(srv), describe(ref), _names(h.host for h in holders),
                                               ref.where(path_of(ref), value=True)),
                srv, path_of(srv), value=True, hint=hint)


@check("system-account-mismatch", ERROR, SCOPE, "Servers of one cluster or super-cluster use different system accounts")
def _check_system_account(topo):
    return _majority_check(
        "system-account-mismatch", topo.superclusters,
        lambda s: s.system_account,
        lambda s: "system_account is %s" % _show(s.system_account),
        lambda s: s.system_account_path,
        "system traffic does not cross the mismatch; with JetStream no meta leader is elected anywhere")


@check("jetstream-domain-mismatch", ERROR, SCOPE, "JetStream servers of one cluster use different JetStream domains")
def _check_js_domain(topo):
    return _majority_check(
        "jetstream-domain-mismatch", topo.clusters,
        lambda s: s.js_domain or "",
        lambda s: ("JetStream domain is %s" % _show(s.js_domain)) if s.js_domain else "JetStream has no domain",
        lambda s: s.js_domain_path or s.js_path,
        "the odd server gets no meta leader and shows its peers as \"Server name unknown at this time\"",
        applies=lambda s: s.js_enabled)


@check("gateway-block-missing", ERROR, SCOPE, "A cluster member has no gateway block while its peers have one")
def _check_gateway_missing(topo):
    for group in topo.clusters:
        with_gw = [s for s in group if s.gateway is not None]
        if not with_gw:
            continue
        ref = with_gw[0]
        for srv in group:
            if srv.gateway is not None:
                continue
            yield _finding(
                "gateway-block-missing",
                "server has no gateway block but its cluster peers %s have one (%s)"
                % (_names(s.host for s in with_gw), ref.where(ref.gateway_path)),
                srv, srv.cluster_path, hint='nats-server logs "Received information about gateway ..., but gateway is not '
                                            'configured" and this server has no gateway connections')


def _auth_ok(required, user, password):
    """Do (user, password) satisfy a (user, password) requirement? Bcrypt hashes compare by user only."""
    if required is None:
        return True
    if user != required[0]:
        return False
    if required[1].startswith(_BCRYPT):
        return password is not None
    return (password or "") == required[1]


def _route_dial_ok(dialer, target, explicit):
    """Can dialer authenticate a route to target? An explicit route sends its URL's credentials only;
    an implicit (gossiped) one sends the dialer's own cluster authorization."""
    if target.cluster_auth is None:
        return True
    url = explicit.get((dialer.host, target.host))
    if url is not None:
        return url.has_userinfo and _auth_ok(target.cluster_auth, url.user, url.password)
    own = dialer.cluster_auth
    return own is not None and _auth_ok(target.cluster_auth, own[0], own[1])


def _route_auth_issues(topo):
    """(failed explicit edges [(src, url, dst, reverse_ok)], {host: [peers]} pairs failing both ways without explicit routes).

    Computed once per Topology (two checks use it)."""
    cached = getattr(topo, "_route_auth_cache", None)
    if cached is not None:
        return cached
    explicit = {}
    for src, url, dst in topo.route_peer_edges:
        explicit.setdefault((src.host, dst.host), url)
    edges = []
    for src, url, dst in topo.route_peer_edges:
        if explicit.get((src.host, dst.host)) is url and not _route_dial_ok(src, dst, explicit):
            edges.append((src, url, dst, _route_dial_ok(dst, src, explicit)))
    pairs = {}
    for group in topo.clusters:
        members = [s for s in group if s.cluster is not None]
        if not any(s.cluster_auth is not None for s in members):
            continue
        if len(set(s.cluster_auth for s in members)) == 1:
            continue  # the same authorization everywhere: gossiped routes authenticate both ways
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a.cluster_auth is not None and a.cluster_auth == b.cluster_auth:
                    continue
                if (a.host, b.host) in explicit or (b.host, a.host) in explicit:
                    continue  # judged on the explicit route
                if not _route_dial_ok(a, b, explicit) and not _route_dial_ok(b, a, explicit):
                    pairs.setdefault(a.host, []).append(b)
    topo._route_auth_cache = (edges, pairs)  # pylint: disable=protected-access
    return edges, pairs


@check("route-auth-mismatch", ERROR, SCOPE, "Route credentials do not match the peer's cluster authorization in either direction")
def _check_route_auth(topo):
    edges, pairs = _route_auth_issues(topo)
    for src, url, dst, reverse_ok in edges:
        if reverse_ok:
            continue
        why = "carries credentials that do not match" if url.has_userinfo else "has no credentials but needs"
        yield _finding(
            "route-auth-mismatch",
            "route %s %s the cluster authorization of %s, and %s cannot authenticate to this server either"
            % (url.shown, why, dst.where(dst.cluster_auth_path), dst.host),
            src, url.path, value=True,
            hint="put the peer's cluster user and password in the route URL (nats-route://user:pass@host:port); "
                 "nats-server logs \"Authorization Violation\" and no route forms")
    for host, peers in pairs.items():
        srv = topo.by_host[host]
        ref = peers[0]
        yield _finding(
            "route-auth-mismatch",
            "gossiped routes between this server and %s cannot authenticate in either direction: their cluster "
            "authorizations differ (%s)" % (_names(p.host for p in peers), ref.where(ref.cluster_auth_path or ref.cluster_path)),
            srv, srv.cluster_auth_path or srv.cluster_path,
            hint="implicit (gossiped) routes use the server's own cluster credentials; configure the same cluster "
                 "authorization on every member")


@check("route-auth-one-way", WARNING, SCOPE, "A route cannot authenticate to its peer; the route only forms because the peer dials back")
def _check_route_auth_one_way(topo):
    edges = _route_auth_issues(topo)[0]
    for src, url, dst, reverse_ok in edges:
        if not reverse_ok:
            continue
        why = "carries credentials that do not match" if url.has_userinfo else "has no credentials for"
        yield _finding(
            "route-auth-one-way",
            "route %s %s the cluster authorization of %s; the route forms only because %s dials this server"
            % (url.shown, why, dst.where(dst.cluster_auth_path), dst.host),
            src, url.path, value=True,
            hint="put the peer's cluster user and password in the route URL; until then this server logs "
                 "\"authentication error\" / \"Authorization Violation\" for this route")


def _tls_on_some_only(code, label, groups, block, tls, hint):
    """Servers of a group whose TLS setting (attribute ``tls``) differs from the majority's, among those with ``block``."""
    for group in groups:
        members = [s for s in group if getattr(s, block) is not None]
        best, holders, odd = _odd_ones(members, lambda s: "on" if getattr(s, tls) else "off")
        for srv in odd:
            ref = holders[0]
            yield _finding(
                code,
                "%s TLS is %s here but %s on %s (%s)"
                % (label, "on" if getattr(srv, tls) else "off", best, _names(h.host for h in holders),
                   ref.where(getattr(ref, tls) or getattr(ref, block + "_path"))),
                srv, getattr(srv, tls) or getattr(srv, block + "_path"), hint=hint)


@check("route-tls-mismatch", ERROR, SCOPE, "Cluster TLS is configured on some members of a cluster only")
def _check_route_tls(topo):
    return _tls_on_some_only("route-tls-mismatch", "cluster", topo.clusters, "cluster", "cluster_tls_path",
                             'routes fail with "TLS route handshake error"; configure cluster TLS on every member')


@check("gateway-auth-mismatch", ERROR, SCOPE, "Gateway credentials do not match the remote gateway's authorization")
def _check_gateway_auth(topo):
    for src, entry, url, listener in topo.gateway_edges:
        dst = listener.server
        if listener.kind != "gateway" or dst.gateway_auth is None:
            continue
        if url.has_userinfo:
            user, password, where = url.user, url.password, "the credentials of URL %s" % url.shown
        elif src.gateway_auth is not None:
            user, password = src.gateway_auth
            where = "this server's own gateway authorization (used when URL %s has no credentials)" % url.shown
        else:
            user = password = None
            where = "URL %s (no credentials, and no gateway authorization here)" % url.shown
        if _auth_ok(dst.gateway_auth, user, password):
            continue
        yield _finding(
            "gateway-auth-mismatch",
            "%s do not match the gateway authorization of %s" % (where, dst.where(dst.gateway_auth_path)),
            src, url.path, value=True,
            hint="outbound gateways authenticate with the URL's credentials, else with the local gateway authorization")


@check("gateway-tls-mismatch", ERROR, SCOPE, "Gateway TLS is configured on some gateways of a super-cluster only")
def _check_gateway_tls(topo):
    return _tls_on_some_only("gateway-tls-mismatch", "gateway", topo.superclusters, "gateway", "gateway_tls_path",
                             "gateway connections fail the TLS handshake; configure gateway TLS on every server")


@check("pinned-account-missing-on-peer", ERROR, SCOPE, "A pinned cluster account is not defined on a cluster peer")
def _check_pinned_missing(topo):
    for group in topo.clusters:
        members = [s for s in group if s.cluster is not None]
        for srv in members:
            for name, path in srv.pinned:
                if name in ("$G", srv.system_account):
                    continue
                missing = [p for p in members if p is not srv and name not in p.accounts]
                if missing:
                    yield _finding(
                        "pinned-account-missing-on-peer",
                        "pinned account %s is not defined on cluster peer(s) %s (%s)"
                        % (_show(name), _names(p.host for p in missing), missing[0].where(())),
                        srv, path, value=True,
                        hint='the peers log "Unable to lookup account %s: account missing" about once a second' % _show(name))


@check("pinned-accounts-mismatch", WARNING, SCOPE, "Members of a cluster pin different cluster.accounts lists")
def _check_pinned_sets(topo):
    return _majority_check(
        "pinned-accounts-mismatch", topo.clusters,
        lambda s: tuple(sorted(set(p[0] for p in s.pinned))),
        lambda s: "cluster.accounts pins %s" % ("[%s]" % ", ".join(sorted(set(p[0] for p in s.pinned))) if s.pinned else "nothing"),
        lambda s: s.pinned_path or s.cluster_path,
        "pin the same accounts on every member so each has its dedicated route on both sides",
        applies=lambda s: s.cluster is not None)


@check("pool-size-mismatch", WARNING, SCOPE, "Route pooling is disabled (pool_size: -1) on some members of a cluster only")
def _check_pool_size(topo):
    return _majority_check(
        "pool-size-mismatch", topo.clusters,
        lambda s: "off" if s.pool_size < 0 else "on",
        lambda s: "pool_size is %d" % s.pool_size,
        lambda s: s.pool_size_path or s.cluster_path,
        'nats-server logs "Not possible to have a dedicated route for account ... between those servers"',
        applies=lambda s: s.cluster is not None)


@check("leafnode-same-cluster-name", ERROR, SCOPE, "A leafnode remote connects a server to a hub with the same cluster name")
def _check_leaf_name(topo):
    for src, url, listener in topo.leaf_edges:
        dst = listener.server
        if listener.kind != _leaf_kind(url):
            continue
        name = src.leaf_cluster_name
        if name and name == dst.leaf_cluster_name:
            yield _finding(
                "leafnode-same-cluster-name",
                "leafnode remote %s points at %s, whose cluster name %s is the same as this server's (%s)"
                % (url.shown, dst.where(dst.leaf_cluster_name_path or listener.path), _show(name),
                   _loc(src.pos(src.leaf_cluster_name_path))),
                src, url.path, value=True,
                hint='the hub logs "remote leafnode has same cluster name" and the leaf retries every 30s; '
                     'give hub and leaf different cluster names')


@check("gateway-list-asymmetric", WARNING, SCOPE,
       "Gateway lists are not symmetric (cluster A lists B but B does not list A, or members list different gateways)")
def _check_gateway_symmetry(topo):
    listed = {}      # cluster name -> set of names listed by its members
    first = {}       # (cluster name, listed name) -> (server, entry)
    members_of = {}
    for group in topo.clusters:
        for srv in group:
            if srv.gateway is None or not srv.gateway_name:
                continue
            members_of.setdefault(srv.gateway_name, []).append(srv)
            names = listed.setdefault(srv.gateway_name, set())
            for entry in srv.gateway_entries:
                if entry.name and entry.name != srv.gateway_name:
                    names.add(entry.name)
                    first.setdefault((srv.gateway_name, entry.name), (srv, entry))
    for (here, there), (srv, entry) in sorted(first.items(), key=lambda kv: kv[0]):
        if there not in listed or here in listed[there]:
            continue
        peers = members_of[there]
        yield _finding(
            "gateway-list-asymmetric",
            "gateway %s lists gateway %s, but no server of %s (%s) lists %s"
            % (_show(here), _show(there), _show(there), _names(p.host for p in peers), _show(here)),
            srv, entry.name_path, value=True,
            hint="the link only forms from this side (and by gossip); list every gateway on every server")
    for group in topo.clusters:
        members = [s for s in group if s.gateway is not None and s.gateway_name]
        best, holders, odd = _odd_ones(members, lambda s: tuple(sorted(set(
            e.name for e in s.gateway_entries if e.name and e.name != s.gateway_name))))
        for srv in odd:
            ref = holders[0]
            mine = sorted(set(e.name for e in srv.gateway_entries if e.name and e.name != srv.gateway_name))
            yield _finding(
                "gateway-list-asymmetric",
                "gateways list [%s] here but [%s] on cluster peers %s (%s)"
                % (", ".join(mine), ", ".join(best), _names(h.host for h in holders), ref.where(ref.gateway_path)),
                srv, srv.gateway_path,
                hint="give every server of a cluster the same gateways list")


@check("cluster-routes-disconnected", WARNING, SCOPE, "Servers of one cluster are not connected to each other by routes")
def _check_route_reach(topo):
    for group in topo.clusters:
        members = [s for s in group if s.cluster is not None]
        if len(members) < 2 or any(s.host in topo.foreign_routes for s in members):
            continue  # a route to an unknown host may connect the parts: nothing can be said
        parent = dict((s.host, s.host) for s in members)

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for src, url, dst in topo.route_peer_edges:
            if src.host in parent and dst.host in parent:
                ra, rb = find(src.host), find(dst.host)
                if ra != rb:
                    parent[rb] = ra
        parts = {}
        for srv in members:
            parts.setdefault(find(srv.host), []).append(srv)
        if len(parts) < 2:
            continue
        ordered = sorted(parts.values(), key=lambda p: -len(p))
        main = ordered[0]
        for part in ordered[1:]:
            srv = part[0]
            yield _finding(
                "cluster-routes-disconnected",
                "server(s) %s of cluster %s have no route to or from %s (%s); they form a separate cluster"
                % (_names(s.host for s in part), _show(topo.cluster_label(group)), _names(s.host for s in main),
                   main[0].where(main[0].cluster.path)),
                srv, srv.cluster.path if srv.cluster else srv.cluster_path,
                hint="list the route URLs of every peer (or at least one seed of the main group) on every member")


@check("listener-port-conflict", ERROR, SCOPE, "Two servers on the same address listen on the same port")
def _check_port_conflict(topo):
    for (addr, port), listeners in topo.address_claims.items():
        servers = []
        for lst in listeners:
            if lst.server not in servers:
                servers.append(lst.server)
        if len(servers) < 2:
            continue
        first = listeners[0]
        for lst in listeners[1:]:
            if lst.server is first.server:
                continue
            yield _finding(
                "listener-port-conflict",
                "%s listener on %s:%d collides with the %s listener of %s"
                % (lst.label, addr, port, first.label, first.server.where(first.path)),
                lst.server, lst.path,
                hint='the later server fails with "address already in use"')


# --------------------------------------------------------------------------------------------
# versions: members of one (super-)cluster that run different nats-server versions
# (plugin_utils/versions.py; each ParseResult carries the server_version it was parsed for)


def server_version(srv):
    """The nats-server version of a Server (its ParseResult's server_version, default 2.15.1)."""
    return versions.parse_version(getattr(srv.result, "server_version", None))


def _mixed_groups(topo):
    """(Super-)clusters whose members run more than one nats-server version."""
    for group in topo.superclusters:
        if len(set(server_version(s) for s in group)) > 1:
            yield group


def _versioned_keys(result, max_depth=6):
    """{option path (versions.py form): config path} of the table's versioned keys this config sets."""
    out = {}
    stack = [((), result.config)]
    while stack:
        path, node = stack.pop()
        if len(path) > max_depth:
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                sub = path + (key,)
                name = versions.option_path(sub)
                if name in versions.KEYS and sub not in result.used:
                    out.setdefault(name, sub)
                stack.append((sub, value))
        elif isinstance(node, list):
            stack.extend((path + (i,), value) for i, value in enumerate(node))
    return out


def _same(topo, srv, others):
    """'cluster' when every one of others is in srv's cluster, else 'super-cluster' (clusters joined by gateways)."""
    mine = topo.cluster_of.get(srv.host)
    return "cluster" if all(topo.cluster_of.get(o.host) is mine for o in others) else "super-cluster"


def _hosts_versions(servers):
    return ", ".join("%s (%s)" % (s.host, server_version(s)) for s in servers[:_MAX_NAMES]) + (
        " and %d more" % (len(servers) - _MAX_NAMES) if len(servers) > _MAX_NAMES else "")


@check("version-key-skew", WARNING, SCOPE,
       "A server sets an option that the nats-server version of another member of its (super-)cluster does not know")
def _check_version_keys(topo):
    for group in _mixed_groups(topo):
        for srv in group:
            mine = server_version(srv)
            for name, path in sorted(_versioned_keys(srv.result).items()):
                if not versions.key_known(name, mine):
                    continue            # unknown here too: the single-config unknown-field check reports it
                lacking = [o for o in group if o is not srv and not versions.key_known(name, server_version(o))]
                if lacking:
                    yield _finding(
                        "version-key-skew",
                        "%s is known to nats-server %s (this server runs %s) but not to %s of the same %s: "
                        "their configs cannot carry it (unknown field), and this server cannot go back to their version "
                        "with it" % (versions.option_path(path), versions.key_versions(name), mine, _hosts_versions(lacking),
                                     _same(topo, srv, lacking)),
                        srv, path, hint="upgrade %s first, or leave %s out until every member runs a version that knows it"
                        % (_names(o.host for o in lacking), name))


@check("version-upgrade-path", ERROR, SCOPE,
       "Members of one (super-)cluster run versions that skip a required upgrade step (2.15 requires coming from 2.14.7 or later)")
def _check_version_upgrade_path(topo):
    for group in _mixed_groups(topo):
        newest = max(group, key=server_version)
        target = server_version(newest)
        for srv in group:
            problem = versions.upgrade_problem(server_version(srv), target)
            if problem:
                yield _finding(
                    "version-upgrade-path",
                    "%s runs nats-server %s while %s of the same %s runs %s: %s" % (
                        srv.host, server_version(srv), newest.host, _same(topo, srv, [newest]), target, problem),
                    srv, (), hint="upgrade %s to %s or later first (the release notes' upgrade path)"
                    % (srv.host, versions.upgrade_floor(target)))


@check("version-semantics-differ", WARNING, SCOPE,
       "An option value means different things on members of one (super-)cluster that run different nats-server versions")
def _check_version_semantics(topo):
    for entry in versions.DIFFERENCES:
        if entry.trap is None:
            continue
        names, value, before, after = entry.trap
        for group in _mixed_groups(topo):
            users = []
            for srv in group:
                key, found = _find(srv.result.config, names)
                if key is not None and found == value and not isinstance(found, bool):
                    users.append((srv, key))
            meanings = set(entry.holds(server_version(s)) for s, dummy in users)
            if len(meanings) < 2:
                continue
            for srv, key in users:
                here = entry.holds(server_version(srv))
                others = [s for s, dummy in users if entry.holds(server_version(s)) != here]
                yield _finding(
                    "version-semantics-differ",
                    "%s: %s %s on nats-server %s here but %s on %s" % (
                        key, _show(value), after if here else before, server_version(srv),
                        before if here else after, _hosts_versions(others)),
                    srv, (key,), hint="set a value that means the same on every version (%s)" % entry.summary)


# --------------------------------------------------------------------------------------------
# entry points


def build_topology(results_by_host, addresses=None):
    return Topology(results_by_host, addresses)


def validate_topology(results_by_host, addresses=None, disable=(), warnings_as_errors=False):
    """Run every registered topology check over {host: ParseResult}; return [Finding]."""
    topo = Topology(results_by_host or {}, addresses)
    return run_checks(topo, disable=disable, warnings_as_errors=warnings_as_errors)


def run_checks(topo, disable=(), warnings_as_errors=False):
    """Findings of every topology check, policy applied, at most MAX_FINDINGS_PER_CODE per code (the cap of
    single configs: one more finding says how many were left out)."""
    disabled = set(disable or ())
    findings = []
    for entry in checks(SCOPE):
        if entry.code in disabled:
            continue
        try:
            found = list(entry.func(topo) or ())
        except Exception as exc:  # pylint: disable=broad-except
            # a bug in one check must not hide the others' findings (nor become a traceback)
            found = [Finding(INTERNAL_ERROR, ERROR, "topology check %s failed: %s: %s" % (entry.code, type(exc).__name__, exc),
                             hint="disable %s to continue, and report this" % entry.code)]
        findings.extend(found)
    return cap_findings(apply_policy(findings, disabled, warnings_as_errors))


# --------------------------------------------------------------------------------------------
# configs of any form -> findings (shared by the filter and the action plugin)


def _with_host(finding, host):
    return Finding(finding.code, finding.severity, finding.message, finding.file, finding.line, finding.column,
                   finding.path, finding.hint, host)


def to_result(value, filename=None, env=None, loader=None, server_version=None):
    """ParseResult from a ParseResult, config text (str/bytes) or a dict of values (rendered, then parsed).

    Raises NatsConfError when the text does not parse, TypeError for any other kind of value.
    """
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import ParseResult
    if isinstance(value, ParseResult):
        return value
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser
    if isinstance(value, dict):
        from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import render
        value = render(value)
    if not isinstance(value, (str, bytes)):
        raise TypeError("expected config text or a dict of config values, got %s" % type(value).__name__)
    return conf_parser.parse_string(value, filename=filename, env=env, loader=loader, server_version=server_version)


def validate_configs(configs_by_host, addresses=None, disable=(), warnings_as_errors=False, config_checks=True,
                     env=None, loaders=None, filenames=None, server_versions=None):
    """Parse (when needed) and validate every server, then the topology.

    configs_by_host  {host: ParseResult | config text | dict of values}
    addresses        {host: address or [names]} (e.g. ansible_host) so URLs resolve to servers; the first
                     name is the address used for port collisions
    config_checks    also run the single-server checks of each config
    env              {host: {NAME: value}} for $VAR references
    loaders          {host: loader(path) -> bytes} for includes
    filenames        {host: file name} for positions of text values
    server_versions  {host: nats-server version} (plugin_utils/versions.py; default 2.15.1); each config is
                     parsed and checked for its host's version, and members of one (super-)cluster that run
                     different versions are compared (version-* checks). An unsupported version raises
                     versions.VersionError.

    Returns (findings, Topology). A config that does not parse gives one
    ``parse-error`` finding and takes no part in the topology.
    """
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
    disable = checks_engine.check_disable(disable)
    env = env or {}
    loaders = loaders or {}
    filenames = filenames or {}
    server_versions = dict((str(h), versions.parse_version(v)) for h, v in (server_versions or {}).items())
    findings = []
    parsed = {}
    for host, value in configs_by_host.items():
        host = str(host)
        try:
            result = to_result(value, filename=filenames.get(host), env=env.get(host), loader=loaders.get(host),
                               server_version=server_versions.get(host))
        except NatsConfError as exc:
            findings.extend(_with_host(f, host) for f in apply_policy(
                [checks_engine.parse_error_finding(exc)], disable, warnings_as_errors))
            continue
        parsed[host] = result
        if config_checks:
            findings.extend(_with_host(f, host) for f in checks_engine.validate(result, disable, warnings_as_errors))
    topo = Topology(parsed, addresses)
    findings.extend(run_checks(topo, disable=disable, warnings_as_errors=warnings_as_errors))
    return findings, topo


__all__ = ["Topology", "Server", "build_topology", "validate_topology", "validate_configs", "to_result", "run_checks", "norm_host",
           "parse_listen", "redact_url"]
