# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The topology model: every server's listeners, URLs and names, resolved to each other.

The model resolves every route URL, gateway URL and leafnode remote URL to a
known server and listener by ``(address, port)``. A server is known under its
id, its address and the specific bind host of each listener. Cluster
membership is the union of "same cluster name" and "connected by a route that
resolves to a known cluster listener" (union-find), so members that disagree on
the cluster name are found through their routes.

The finding helpers at the end are shared by the check modules (``links.py``, ``versions.py``).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote, urlsplit

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Finding
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import redact_url as _redact_url

SCOPE = "topology"

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
