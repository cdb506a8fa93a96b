# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Topology checks between servers' configs: names, URLs and ports, gateways, routes, auth and TLS,
pinned accounts, route pooling, leafnodes, reachability and port conflicts.

Every check registers with ``@check(..., SCOPE, ...)`` when this module is imported; ``checks.py``
imports it, so importing ``topology.checks`` registers every code.
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.topology.model import (
    _BCRYPT,
    _finding,
    KIND_LABELS,
    _loc,
    _names,
    _odd_ones,
    SCOPE,
    _show,
)


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
