# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Phase (b) checks: configs `nats-server -t` accepts but a real start refuses.

Each check mirrors one startup validation of nats-server 2.15.1
(validateOptions, the rest of NewServer, and the static parts of Start()),
quotes the server's message and adds both locations and a fix.
"""

from __future__ import annotations

import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import redact_url
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import (
    SEC, SYS_ACCOUNT, go_atoi, go_duration_str, is_public_key, parse_go_duration, quote, split_host_port,
)

C = "config"


def _int(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else None


# ---------------------------------------------------------------- names ----

@check("cluster-gateway-name-conflict", ERROR, C,
       "cluster.name and gateway.name are both set and differ")
def cluster_gateway_name_conflict(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    gpath, dummy = ctx.block((), "gateway")
    if cpath is None or gpath is None:
        return
    cn_path, cname = ctx.get(cpath, "name")
    gn_path, gname = ctx.get(gpath, "name")
    if not isinstance(cname, str) or not isinstance(gname, str) or not cname or not gname or cname == gname:
        return
    msg = "cluster name conflicts between cluster and gateway definitions: %s vs %s" % (
        ctx.named(cn_path), ctx.named(gn_path))
    yield ctx.finding("cluster-gateway-name-conflict", msg, cn_path,
                      hint="use one name for both (the gateway name is the cluster's name in the super-cluster)")


@check("gateway-name-adopted-by-cluster", WARNING, C,
       "gateway.name is set and cluster.name is not: the cluster silently takes the gateway's name")
def gateway_name_adopted(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    gpath, dummy = ctx.block((), "gateway")
    if cpath is None or gpath is None or not ctx.cluster_listening():
        return
    dummy, cname = ctx.get(cpath, "name")
    gn_path, gname = ctx.get(gpath, "name")
    if cname or not isinstance(gname, str) or not gname:
        return
    msg = "cluster has no name, so it silently takes the gateway's name: %s" % ctx.named(gn_path)
    yield ctx.finding("gateway-name-adopted-by-cluster", msg, cpath,
                      hint="set cluster.name to %s explicitly" % quote(gname))


@check("cluster-name-unset", WARNING, C,
       "a cluster listener without cluster.name (and no gateway name): the name is generated at random")
def cluster_name_unset(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    if cpath is None or not ctx.cluster_listening():
        return
    if ctx.value(cpath, "name"):
        return
    gpath, dummy = ctx.block((), "gateway")
    if gpath is not None and ctx.value(gpath, "name"):
        return
    if ctx.jetstream_enabled():
        return  # jetstream-cluster-requires-cluster-name reports it as an error
    yield ctx.finding("cluster-name-unset", "cluster has no name: nats-server generates a dynamic one "
                      "(\"Cluster name was dynamically generated, consider setting one\")", cpath,
                      hint="set the same explicit cluster.name on every server of the cluster")


# ------------------------------------------------------------ limits ------

@check("lame-duck-grace-period-too-long", ERROR, C,
       "lame_duck_grace_period is not strictly lower than lame_duck_duration (defaults 10s / 2m)")
def lame_duck(result, ctx):
    dpath, dval = ctx.get((), "lame_duck_duration")
    gpath, gval = ctx.get((), "lame_duck_grace_period")
    if dpath is None and gpath is None:
        return
    dur = ctx.defaults["lame_duck_duration"]
    grace = ctx.defaults["lame_duck_grace_period"]
    if dpath is not None:
        d = parse_go_duration(dval)
        if d is None or d < 30 * SEC:
            return  # phase (a) error
        dur = d
    if gpath is not None:
        g = parse_go_duration(gval)
        if g is None or g < 0:
            return
        grace = g
    if grace == 0:
        grace = ctx.defaults["lame_duck_grace_period"]
    if grace < dur:
        return
    msg = "lame duck grace period (%s) should be strictly lower than lame duck duration (%s)" % (
        go_duration_str(grace), go_duration_str(dur))
    parts = []
    parts.append(ctx.where(gpath) if gpath else "lame_duck_grace_period (default 10s)")
    parts.append(ctx.where(dpath) if dpath else "lame_duck_duration (default 2m)")
    yield ctx.finding("lame-duck-grace-period-too-long", "%s: %s vs %s" % (msg, parts[0], parts[1]),
                      gpath or dpath, hint="make lame_duck_grace_period shorter than lame_duck_duration")


@check("max-payload-exceeds-max-pending", ERROR, C,
       "max_payload is larger than max_pending (default 64MB)")
def max_payload_pending(result, ctx):
    ppath, payload = ctx.get((), "max_payload")
    npath, pending = ctx.get((), "max_pending")
    payload = _int(payload)
    pending = _int(pending)
    if ppath is None and npath is None:
        return
    if payload is None or payload == 0:
        if ppath is not None and payload is None:
            return
        payload = ctx.defaults["max_payload"]
    if payload > 2 ** 31 - 1:
        return
    if pending is None or pending == 0:
        if npath is not None and pending is None:
            return
        pending = ctx.defaults["max_pending"]
    if payload <= pending:
        return
    msg = "max_payload (%d) cannot be higher than max_pending (%d): %s vs %s" % (
        payload, pending, ctx.where(ppath) if ppath else "max_payload (default 1MB)",
        ctx.where(npath) if npath else "max_pending (default 64MB)")
    yield ctx.finding("max-payload-exceeds-max-pending", msg, ppath or npath,
                      hint="raise max_pending to at least max_payload, or lower max_payload")


# ------------------------------------------------------------ operator ----

@check("default-sentinel-without-operators", ERROR, C, "default_sentinel is set without operators")
def default_sentinel(result, ctx):
    path, val = ctx.get((), "default_sentinel")
    if path is None or not val or ctx.operator_mode():
        return
    yield ctx.finding("default-sentinel-without-operators",
                      "default sentinel requires operators and accounts: %s" % ctx.where(path), path,
                      hint="remove default_sentinel or configure an operator")


def _op_path(ctx):
    return ctx.key((), "operator", "operators", "roots", "root", "root_operators", "root_operator")


def _resolver_path(ctx):
    return ctx.key((), "resolver", "account_resolver", "accounts_resolver")


@check("operator-requires-resolver", ERROR, C, "several operators but no account resolver")
def operator_requires_resolver(result, ctx):
    if ctx.operator_count() < 2 or _resolver_path(ctx) is not None:
        return
    op = _op_path(ctx)
    yield ctx.finding("operator-requires-resolver", "operators require an account resolver to be configured: %s"
                      % ctx.where(op), op, hint="add a `resolver` (MEMORY, URL(...) or a full/cache resolver block)")


@check("operator-mode-conflict", ERROR, C,
       "operator mode with options it forbids (accounts, users, trusted_keys, auth_callout, no_auth_user)")
def operator_conflicts(result, ctx):
    if not ctx.operator_mode():
        return
    op = _op_path(ctx)
    code = "operator-mode-conflict"
    apath, acc = ctx.block((), "accounts")
    if acc:
        yield ctx.finding(code, "operators do not allow Accounts to be configured directly: %s with %s" % (
            ctx.where(apath), ctx.where(op)), apath, hint="define accounts as JWTs with nsc, not in `accounts`")
    authp, auth = ctx.block((), "authorization")
    if auth:
        upath, users = ctx.get(authp, "users")
        if isinstance(users, list) and users:
            yield ctx.finding(code, "operators do not allow users to be configured directly: %s with %s" % (
                ctx.where(upath), ctx.where(op)), upath, hint="issue user JWTs instead of listing users")
        cpath, callout = ctx.get(authp, "auth_callout", "auth_hook")
        if cpath is not None:
            yield ctx.finding(code, "operators do not allow authorization callouts to be configured directly: %s with %s"
                              % (ctx.where(cpath), ctx.where(op)), cpath,
                              hint="configure auth callout in the account JWT instead")
    tpath, tk = ctx.get((), "trusted_keys", "trusted")
    if tpath is not None and tk:
        yield ctx.finding(code, "conflicting options for 'TrustedKeys' and 'TrustedOperators': %s with %s" % (
            ctx.where(tpath), ctx.where(op)), tpath, hint="use either trusted_keys or operator, not both")
    npath, nau = ctx.get((), "no_auth_user")
    if isinstance(nau, str) and nau:
        yield ctx.finding(code, "no_auth_user not compatible with Trusted Operator: %s with %s" % (
            ctx.where(npath), ctx.where(op)), npath, hint="remove no_auth_user in operator mode")
    ppath, pinned = ctx.get((), "resolver_pinned_accounts")
    vals = pinned if isinstance(pinned, list) else ([pinned] if isinstance(pinned, str) else [])
    for i, key in enumerate(vals):
        if isinstance(key, str) and not is_public_key(key, "A"):
            p = ppath + (i,) if isinstance(pinned, list) else ppath
            yield ctx.finding(code, "pinned account key %s is not a valid public account nkey: %s" % (
                quote(key), ctx.where(p)), p, hint="list account public keys (56 characters starting with 'A')")


# ------------------------------------------------------------ leafnodes ---

@check("leafnode-account-undefined", ERROR, C,
       "a leafnode authorization/user/remote account names no defined account (non-operator mode)")
def leaf_account_undefined(result, ctx):
    lpath, leaf = ctx.block((), "leafnodes", "leaf")
    if leaf is None or ctx.operator_mode():
        return
    names = set(ctx.accounts())
    names.update(("$G", ""))
    spath, sysacc = ctx.system_account()
    if not sysacc and not ctx.no_system_account():
        names.add(SYS_ACCOUNT)
    defined = ", ".join(sorted(n for n in names if n)) or "none"
    apath, auth = ctx.block(lpath, "authorization")
    refs = []
    if auth:
        p, acc = ctx.get(apath, "account")
        if isinstance(acc, str):
            refs.append((p, acc, "authorization"))
        upath, users = ctx.get(apath, "users")
        if isinstance(users, list):
            for i, u in enumerate(users):
                if isinstance(u, dict):
                    p, acc = ctx.get(upath + (i,), "account")
                    if isinstance(acc, str):
                        refs.append((p, acc, "authorization"))
    dummy, remotes = ctx.leaf_remotes()
    for rpath, dummy in remotes:
        p, acc = ctx.get(rpath, "account", "local")
        if isinstance(acc, str):
            refs.append((p, acc, "remote"))
    for p, acc, kind in refs:
        if acc not in names:
            yield ctx.finding("leafnode-account-undefined", "cannot find local account %s specified in leafnode %s: %s "
                              "(defined: %s)" % (quote(acc), kind, ctx.named(p), defined), p,
                              hint="define the account in `accounts` or use an existing one")


@check("leafnode-operator-mode", ERROR, C, "leafnode settings operator mode forbids (users, non-nkey accounts)")
def leaf_operator(result, ctx):
    lpath, leaf = ctx.block((), "leafnodes", "leaf")
    if leaf is None or not ctx.operator_mode():
        return
    code = "leafnode-operator-mode"
    apath, auth = ctx.block(lpath, "authorization")
    if auth:
        upath, users = ctx.get(apath, "users")
        if isinstance(users, list) and users:
            yield ctx.finding(code, "operator mode does not allow specifying users in leafnode config: %s"
                              % ctx.where(upath), upath, hint="authenticate leafnodes with account JWT credentials")
    dummy, remotes = ctx.leaf_remotes()
    for rpath, dummy in remotes:
        p, acc = ctx.get(rpath, "account", "local")
        if not is_public_key(acc, "A"):
            yield ctx.finding(code, "operator mode requires account nkeys in remotes. Please add an `account` key to each "
                              "remote in your `leafnodes` section, to assign it to an account. Each account value should "
                              "be a 56 character public key, starting with the letter 'A': %s" % ctx.where(p or rpath),
                              p or rpath, hint="set `account` to the account's public key")
    if auth and ctx.leaf_listening():
        p, acc = ctx.get(apath, "account")
        if isinstance(acc, str) and acc and not is_public_key(acc, "A"):
            yield ctx.finding(code, "operator mode and non account nkeys are incompatible: %s" % ctx.named(p), p,
                              hint="use the account's public key")


def _compression_findings(ctx, path, val):
    code = "compression-invalid"
    if isinstance(val, str):
        mode, mpath, rtts, rpath = val, path, None, None
    elif isinstance(val, dict):
        mpath, mode = ctx.get(path, "mode")
        rpath, rtts = ctx.get(path, "rtt_thresholds", "thresholds", "rtts", "rtt")
        if not isinstance(mode, str):
            mode = ""
    else:
        return
    low = mode.lower()
    if low == "":
        return
    if low in ("on", "enabled", "true"):
        low = "s2_auto" if path[0].lower() in ("leafnodes", "leaf") else "s2_fast"
    known = ("not supported", "not_supported", "disabled", "off", "false", "accept", "auto", "s2_auto",
             "fast", "s2_fast", "better", "s2_better", "best", "s2_best")
    if low not in known:
        yield ctx.finding(code, "unsupported compression mode %s: %s" % (quote(mode), ctx.where(mpath)), mpath,
                          hint="use one of off, accept, s2_fast, s2_better, s2_best, s2_auto")
        return
    if low not in ("auto", "s2_auto") or not isinstance(rtts, list) or not rtts:
        return
    durs = []
    for r in rtts:
        d = parse_go_duration(r)
        if d is None:
            return  # phase (a)
        durs.append(d)
    shown = "[%s]" % " ".join(go_duration_str(d) for d in durs)
    acc = []
    for n in durs:
        n = max(n, 0)
        if acc and n != 0 and any(n < v for v in acc):
            yield ctx.finding(code, "RTT threshold values %s should be in ascending order: %s" % (shown, ctx.where(rpath)),
                              rpath, hint="list rtt_thresholds in ascending order")
            return
        acc.append(n)
    while acc and acc[-1] == 0:
        acc.pop()
    if len(acc) > 4:
        yield ctx.finding(code, "compression mode %s should have no more than 4 RTT thresholds: %s: %s" % (
            quote(mode), shown, ctx.where(rpath)), rpath, hint="give at most 4 rtt_thresholds")
    elif not acc:
        yield ctx.finding(code, "compression mode %s requires at least one RTT threshold: %s" % (
            quote(mode), ctx.where(rpath)), rpath, hint="give at least one non-zero rtt_threshold")


@check("compression-invalid", ERROR, C, "cluster/leafnode/remote compression mode unknown or bad rtt_thresholds")
def compression(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    if cpath is not None:
        p, v = ctx.get(cpath, "compression")
        if p is not None:
            yield from _compression_findings(ctx, p, v)
    lpath, dummy = ctx.block((), "leafnodes", "leaf")
    if lpath is not None:
        p, v = ctx.get(lpath, "compression")
        if p is not None:
            yield from _compression_findings(ctx, p, v)
        dummy, remotes = ctx.leaf_remotes()
        for rpath, dummy in remotes:
            p, v = ctx.get(rpath, "compression")
            if p is not None:
                yield from _compression_findings(ctx, p, v)


def _remote_urls(ctx, rpath):
    out = []
    p, url = ctx.get(rpath, "url")
    if isinstance(url, str):
        out.append((p, url))
    p, urls = ctx.get(rpath, "urls")
    if isinstance(urls, list):
        out.extend((p + (i,), u) for i, u in enumerate(urls) if isinstance(u, str))
    elif isinstance(urls, str):
        out.append((p, urls))
    return out


@check("leafnode-remote-url-mix", ERROR, C, "a leafnode remote mixes ws:// / wss:// with other URLs")
def leaf_url_mix(result, ctx):
    dummy, remotes = ctx.leaf_remotes()
    for rpath, dummy in remotes:
        urls = _remote_urls(ctx, rpath)
        if len(urls) < 2:
            continue
        kinds = set(u.strip().lower().startswith(("ws://", "wss://")) for dummy, u in urls)
        if len(kinds) > 1:
            shown = "[%s]" % " ".join(quote(redact_url(u.strip())) for dummy, u in urls)
            yield ctx.finding("leafnode-remote-url-mix", "remote leaf node configuration cannot have a mix of websocket "
                              "and non-websocket urls: %s: %s" % (shown, ctx.where(rpath)), rpath,
                              hint="split websocket and nats URLs into separate remotes")


@check("leafnode-gateway-requires-system-account", ERROR, C,
       "a leafnode listener plus a gateway without an explicit system_account")
def leaf_gateway_sys(result, ctx):
    if not ctx.leaf_listening():
        return
    gpath, gw = ctx.block((), "gateway")
    if gw is None:
        return
    if not ctx.value(gpath, "name") and not ctx.has_port(gpath):
        return
    if ctx.system_account()[1]:
        return
    lpath, dummy = ctx.block((), "leafnodes", "leaf")
    yield ctx.finding("leafnode-gateway-requires-system-account",
                      "leaf nodes and gateways (both being defined) require a system account to also be configured: "
                      "%s and %s" % (ctx.where(lpath), ctx.where(gpath)), lpath,
                      hint="define an account (e.g. SYS) in `accounts` and set `system_account` to it")


# ------------------------------------------------------------ auth --------

def _no_auth_user_findings(ctx, path, name, code):
    users = ctx.users()
    if ctx.operator_mode():
        return  # reported by operator-mode-conflict (top level) below for ws/mqtt too
    if not users:
        yield ctx.finding(code, 'no_auth_user: "%s" present, but users/nkeys are not defined: %s' % (
            name, ctx.where(path)), path, hint="define the user in authorization.users or an account's users")
        return
    if any(n == name for dummy, n in users):
        return
    yield ctx.finding(code, 'no_auth_user: "%s" not present as user or nkey in authorization block or account '
                      'configuration: %s (users: %s)' % (name, ctx.where(path), ", ".join(sorted(set(n for dummy, n in users)))),
                      path, hint="name one of the defined users")


@check("no-auth-user-invalid", ERROR, C, "no_auth_user (top level, websocket or mqtt) names no defined user/nkey")
def no_auth_user(result, ctx):
    code = "no-auth-user-invalid"
    p, v = ctx.get((), "no_auth_user")
    if isinstance(v, str) and v:
        yield from _no_auth_user_findings(ctx, p, v, code)
    for names in (("websocket", "ws"), ("mqtt",)):
        bpath, blk = ctx.block((), *names)
        if blk is None or not ctx.has_port(bpath):
            continue
        p, v = ctx.get(bpath, "no_auth_user")
        if isinstance(v, str) and v:
            if ctx.operator_mode():
                yield ctx.finding(code, "no_auth_user not compatible with Trusted Operator: %s" % ctx.where(p), p,
                                  hint="remove no_auth_user in operator mode")
            else:
                yield from _no_auth_user_findings(ctx, p, v, code)


@check("system-account-undefined", ERROR, C, "system_account names an account that is not defined")
def system_account_undefined(result, ctx):
    if ctx.operator_mode():
        return
    path, name = ctx.system_account()
    if not name or name in ctx.accounts():
        return
    yield ctx.finding("system-account-undefined", "error resolving system account: account missing: %s is not "
                      "defined in `accounts`" % ctx.named(path), path,
                      hint="add `accounts { %s: {} }` (even for \"$SYS\") or remove system_account" % (
                          name if re.match(r"^[A-Za-z0-9_]+$", name) else quote(name)))


@check("auth-callout-account-undefined", WARNING, C,
       "authorization.auth_callout account/auth_users not defined: the server starts and auth callout silently fails")
def auth_callout(result, ctx):
    if ctx.operator_mode():
        return
    apath, auth = ctx.block((), "authorization")
    if not auth:
        return
    cpath, callout = ctx.block(apath, "auth_callout", "auth_hook")
    if not callout:
        return
    p, acc = ctx.get(cpath, "account")
    if isinstance(acc, str) and acc and not ctx.account_defined(acc):
        yield ctx.finding("auth-callout-account-undefined", "auth_callout account %s is not defined; the server starts "
                          "but auth callout does not work" % ctx.named(p), p, hint="define the account in `accounts`")
    upath, users = ctx.get(cpath, "auth_users", "users")
    names = set(n for dummy, n in ctx.users())
    if isinstance(users, list):
        for i, u in enumerate(users):
            if isinstance(u, str) and u not in names:
                yield ctx.finding("auth-callout-account-undefined", "auth_callout auth_users entry %s is not a defined "
                                  "user; the server starts but auth callout does not work" % ctx.named(upath + (i,)),
                                  upath + (i,), hint="define the user in an account's users")


# ------------------------------------------------------------ gateway -----

@check("gateway-incomplete", ERROR, C, "gateway without a name or without a port")
def gateway_incomplete(result, ctx):
    gpath, gw = ctx.block((), "gateway")
    if gw is None:
        return
    npath, name = ctx.get(gpath, "name")
    has_port = ctx.has_port(gpath)
    if not name and not has_port:
        return
    if not name:
        pp, dummy = ctx.port_of(gpath)
        yield ctx.finding("gateway-incomplete", "gateway has no name: %s" % ctx.where(pp or gpath), gpath,
                          hint="set gateway.name (equal to cluster.name)")
    elif not has_port:
        yield ctx.finding("gateway-incomplete", 'gateway %s has no port specified (select -1 for random port): %s' % (
            quote(name), ctx.where(npath)), gpath, hint="add gateway.listen or gateway.port")


@check("gateways-entry-incomplete", ERROR, C, "a gateways entry without name or URL")
def gateways_entries(result, ctx):
    gpath, gw = ctx.block((), "gateway")
    if gw is None or not ctx.value(gpath, "name") or not ctx.has_port(gpath):
        return
    lpath, entries = ctx.get(gpath, "gateways")
    if not isinstance(entries, list):
        return
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            continue
        epath = lpath + (i,)
        name = ctx.value(epath, "name")
        if not name:
            yield ctx.finding("gateways-entry-incomplete", "gateway in the list %d has no name: %s" % (
                i, ctx.where(epath)), epath, hint="give every gateways entry the remote cluster's name")
            continue
        urls = _remote_urls(ctx, epath)
        if not urls:
            yield ctx.finding("gateways-entry-incomplete", "gateway %s has no URL: %s" % (quote(name), ctx.where(epath)),
                              epath, hint="add url or urls pointing at the remote cluster's gateway ports")


@check("gateways-duplicate-entry", WARNING, C,
       "two gateways entries share a name: the last one wins and the first one's URLs are never dialed")
def gateways_dup(result, ctx):
    gpath, gw = ctx.block((), "gateway")
    if gw is None:
        return
    own = ctx.value(gpath, "name")
    lpath, entries = ctx.get(gpath, "gateways")
    if not isinstance(entries, list):
        return
    seen = {}
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            continue
        npath, name = ctx.get(lpath + (i,), "name")
        if not isinstance(name, str) or not name:
            continue
        if name == own:
            continue  # the server keeps it as its own URLs: fine (and common in identical configs)
        if name in seen:
            yield ctx.finding("gateways-duplicate-entry", "duplicate gateways entry %s: the last entry wins and the "
                              "first one %s is never dialed" % (ctx.named(npath), ctx.where(seen[name])), npath,
                              hint="merge the URLs into one entry")
        seen[name] = npath


# ------------------------------------------------------------ cluster -----

@check("cluster-pinned-accounts-invalid", ERROR, C,
       "cluster.accounts (pinned accounts) with negative pool_size or duplicates")
def pinned_accounts(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    if cpath is None:
        return
    apath, accs = ctx.get(cpath, "accounts")
    if not isinstance(accs, list) or not accs:
        return
    names = [a for a in accs if isinstance(a, str)]
    ppath, pool = ctx.get(cpath, "pool_size")
    pool = _int(pool)
    if pool is not None and pool < 0:
        yield ctx.finding("cluster-pinned-accounts-invalid", "pool_size cannot be negative if pinned accounts are "
                          "specified: %s with %s" % (ctx.where(ppath), ctx.where(apath)), ppath,
                          hint="remove pool_size: -1 or the pinned accounts")
        return
    full = list(names)
    if ctx.has_port(cpath) and (pool is None or pool >= 0):
        sysname = ctx.system_account()[1]
        if not sysname and not ctx.no_system_account():
            sysname = SYS_ACCOUNT
        if sysname and sysname not in full:
            full.append(sysname)
    seen = set()
    for i, a in enumerate(names):
        if a in seen:
            yield ctx.finding("cluster-pinned-accounts-invalid", "found duplicate account name %s in pinned accounts "
                              "list [%s]: %s" % (quote(a), " ".join(quote(x) for x in full), ctx.where(apath + (i,))),
                              apath + (i,), hint="list each account once")
            return
        seen.add(a)


@check("cluster-pinned-account-undefined", WARNING, C,
       "cluster.accounts lists an undefined account: peers log 'Unable to lookup account' forever")
def pinned_undefined(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    if cpath is None or ctx.operator_mode():
        return
    apath, accs = ctx.get(cpath, "accounts")
    if not isinstance(accs, list):
        return
    for i, a in enumerate(accs):
        if isinstance(a, str) and not ctx.account_defined(a):
            yield ctx.finding("cluster-pinned-account-undefined", "pinned account %s is not defined: once peers "
                              "connect they log 'Unable to lookup account %s: account missing'" % (
                                  ctx.named(apath + (i,)), quote(a)), apath + (i,), hint="define it in `accounts`")


@check("routes-without-cluster-listener", WARNING, C, "cluster.routes without a cluster listen/port: routes are ignored")
def routes_without_listener(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    if cpath is None:
        return
    rpath, routes = ctx.get(cpath, "routes")
    if not isinstance(routes, list) or not routes or ctx.has_port(cpath):
        return
    yield ctx.finding("routes-without-cluster-listener", "%s are silently ignored: the cluster block has no listen or "
                      "port, so this server never joins the cluster" % ctx.where(rpath), rpath,
                      hint="add cluster.listen (e.g. 0.0.0.0:6222)")


@check("routes-duplicate-url", ERROR, C,
       "the same route, leafnode remote or gateway URL twice in one list (a warning that makes nats-server -t exit 1; "
       "a real start goes on)")
def routes_dup(result, ctx):
    lists = []
    cpath, dummy = ctx.block((), "cluster")
    if cpath is not None:
        lists.append(("route", ctx.key(cpath, "routes")))
    dummy, remotes = ctx.leaf_remotes()
    for rpath, dummy in remotes:
        lists.append(("leafnode", ctx.key(rpath, "url", "urls")))
    gpath, dummy = ctx.block((), "gateway")
    if gpath is not None:
        epath, entries = ctx.get(gpath, "gateways")
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, dict):
                lists.append(("gateway", ctx.key(epath + (i,), "urls")))
    for typ, lpath in lists:
        urls = ctx.result.get(lpath) if lpath is not None else None
        if not isinstance(urls, list):
            continue
        seen = {}
        for i, r in enumerate(urls):
            if not isinstance(r, str):
                continue
            if r in seen:
                yield ctx.finding("routes-duplicate-url", 'invalid use of field %s: Duplicate %s entry detected: %s '
                                  '(first at %s)' % (quote(r), typ, ctx.where(lpath + (i,)), ctx.loc(seen[r])), lpath + (i,),
                                  hint="list each URL once (`nats-server -t` exits 1 on this)")
            else:
                seen[r] = lpath + (i,)


@check("route-url-without-scheme", WARNING, C,
       "a route URL written host:port without a scheme: parsed as scheme 'host', the route never connects")
def route_scheme(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    if cpath is None:
        return
    rpath, routes = ctx.get(cpath, "routes")
    if not isinstance(routes, list):
        return
    for i, r in enumerate(routes):
        if isinstance(r, str) and "://" not in r and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[0-9]+$", r.strip()):
            yield ctx.finding("route-url-without-scheme", "route %s has no scheme: it is read as scheme %s and the "
                              "server logs 'missing port in address' forever" % (ctx.named(rpath + (i,)),
                                                                                 quote(r.split(":")[0])),
                              rpath + (i,), hint="write nats://%s" % r.strip())


@check("cluster-ping-interval-capped", ERROR, C,
       "cluster.ping_interval above 30s: reset to 30s (a warning that makes nats-server -t exit 1; a real start goes on)")
def cluster_ping(result, ctx):
    cpath, dummy = ctx.block((), "cluster")
    if cpath is None:
        return
    p, v = ctx.get(cpath, "ping_interval")
    if isinstance(v, str):
        d = parse_go_duration(v)
    elif _int(v) is not None:
        d = v * SEC
    else:
        return
    if d is not None and d > 30 * SEC:
        yield ctx.finding("cluster-ping-interval-capped", "Cluster 'ping_interval' will reset to 30s which is the max "
                          "for routes: %s" % ctx.where(p), p, hint="use at most 30s (`nats-server -t` exits 1 on this)")


@check("config-empty", ERROR, C, "the config has no values (nats-server -t exits 1 on it, a real start runs defaults)")
def config_empty(result, ctx):
    if isinstance(result.config, dict) and not result.config:
        name = result.files[0]["path"] if result.files else "<string>"
        yield ctx.finding("config-empty", "%s: config has no values or is empty" % name, None,
                          hint="add at least `listen` or `port` (`nats-server -t` exits 1 on this)")


# ------------------------------------------------------------ mqtt --------

@check("mqtt-invalid", ERROR, C, "MQTT settings a real start refuses (server_name, JetStream, auth, timeouts)")
def mqtt(result, ctx):
    mpath, m = ctx.block((), "mqtt")
    if m is None or not ctx.has_port(mpath):
        return
    code = "mqtt-invalid"
    if not ctx.value((), "server_name") and (ctx.cluster_listening() or ctx.gateway_listening()):
        yield ctx.finding(code, "mqtt requires server name to be explicitly set: %s with a cluster or gateway "
                          "listener" % ctx.where(mpath), mpath, hint="set a unique server_name")
    if ctx.has_users_or_nkeys():
        apath, auth = ctx.block(mpath, "authorization", "authentication")
        if auth:
            p, u = ctx.get(apath, "user", "username")
            if isinstance(u, str) and u:
                yield ctx.finding(code, "mqtt authentication username not compatible with presence of users/nkeys: %s"
                                  % ctx.where(p), p, hint="remove mqtt.authorization.user or the users")
            p, t = ctx.get(apath, "token")
            if isinstance(t, str) and t:
                yield ctx.finding(code, "mqtt authentication token not compatible with presence of users/nkeys: %s"
                                  % ctx.where(p), p, hint="remove mqtt.authorization.token or the users")
    for names, msg in ((("ack_wait", "ackwait"), "ack wait must be a positive value"),
                       (("js_api_timeout", "api_timeout"), "JS API timeout must be a positive value")):
        p, v = ctx.get(mpath, *names)
        d = parse_go_duration(v) if isinstance(v, str) else None
        if d is not None and d < 0:
            yield ctx.finding(code, "%s: %s" % (msg, ctx.where(p)), p, hint="use a positive duration")
    dummy, remotes = ctx.leaf_remotes()
    if not (ctx.jetstream_enabled() or ctx.cluster_listening() or ctx.gateway_listening() or ctx.leaf_listening()
            or remotes):
        yield ctx.finding(code, "mqtt requires JetStream to be enabled if running in standalone mode: %s"
                          % ctx.where(mpath), mpath, hint="add `jetstream {}`")


@check("mqtt-consumer-replicas-ignored", ERROR, C,
       "mqtt.consumer_replicas is ignored (a warning that makes nats-server -t exit 1; a real start goes on)")
def mqtt_consumer_replicas(result, ctx):
    mpath, m = ctx.block((), "mqtt")
    if m is None:
        return
    p = ctx.key(mpath, "consumer_replicas")
    if p is not None:
        yield ctx.finding("mqtt-consumer-replicas-ignored", "invalid use of field \"%s\": consumer replicas setting "
                          "ignored in this server version: %s" % (p[-1], ctx.where(p)), p, hint="remove it")


# ------------------------------------------------------------ jetstream ---

_JS_API = "$JS.%s.API.>"


def _valid_subject(subj):
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.options import valid_subject
    return valid_subject(subj)


@check("jetstream-domain-invalid", ERROR, C, "jetstream.domain or default_js_domain invalid")
def js_domain(result, ctx):
    code = "jetstream-domain-invalid"
    jpath, js = ctx.block((), "jetstream")
    if js is not None:
        p, d = ctx.get(jpath, "domain")
        if isinstance(d, str) and d:
            subj = _JS_API % d
            if not _valid_subject(subj):
                yield ctx.finding(code, "invalid domain name: derived %s is not a valid subject: %s" % (
                    quote(subj), ctx.named(p)), p, hint="use a single token without spaces")
            elif any(c in d for c in ".*>"):
                yield ctx.finding(code, "invalid domain name: may not contain ., * or >: %s" % ctx.named(p), p,
                                  hint="use a single token without ., * or >")
    dpath, dd = ctx.block((), "default_js_domain")
    if not dd:
        return
    accounts = ctx.accounts()
    sysname = ctx.system_account()[1] or SYS_ACCOUNT
    for acc, dom in dd.items():
        p = dpath + (acc,)
        if not ctx.operator_mode():
            if acc not in ("$G", "$SYS") and acc not in accounts:
                yield ctx.finding(code, "in non operator mode, `default_js_domain` references non existing account %s: %s"
                                  % (quote(acc), ctx.where(p)), p, hint="define the account or remove the entry")
                continue
            if acc in accounts and isinstance(dom, str) and dom:
                js_acc = ctx.get(accounts[acc], "jetstream")[1]
                if js_acc not in (None, False) and not (isinstance(js_acc, str) and js_acc.lower() in ("disabled", "disable")):
                    yield ctx.finding(code, "default_js_domain contains account name %s with enabled JetStream: %s" % (
                        quote(acc), ctx.where(p)), p, hint="an account with its own JetStream needs no default domain")
                    continue
        elif not is_public_key(acc, "A"):
            yield ctx.finding(code, "default_js_domain contains account name %s, which is not a valid public account "
                              "nkey: %s" % (quote(acc), ctx.where(p)), p, hint="use account public keys")
            continue
        if acc == sysname:
            yield ctx.finding(code, "system account %s can not be in default_js_domain: %s" % (quote(acc), ctx.where(p)),
                              p, hint="remove the system account entry")
            continue
        if isinstance(dom, str) and dom and not _valid_subject(_JS_API % dom):
            yield ctx.finding(code, "default_js_domain contains account %s with invalid domain name %s: %s" % (
                quote(acc), quote(dom), ctx.where(p)), p, hint="use a single token without spaces")


def _js_clustered(ctx):
    return ctx.jetstream_enabled() and ctx.cluster_listening()


@check("jetstream-cluster-requires-server-name", ERROR, C, "clustered JetStream without server_name")
def js_server_name(result, ctx):
    if not _js_clustered(ctx) or ctx.value((), "server_name"):
        return
    jp = ctx.key((), "jetstream")
    cp = ctx.key((), "cluster")
    yield ctx.finding("jetstream-cluster-requires-server-name", "jetstream cluster requires `server_name` to be set: "
                      "%s with %s" % (ctx.where(jp), ctx.where(cp)), jp, hint="set a unique server_name")


@check("jetstream-cluster-requires-cluster-name", ERROR, C, "clustered JetStream without cluster.name or gateway.name")
def js_cluster_name(result, ctx):
    if not _js_clustered(ctx):
        return
    cp, dummy = ctx.block((), "cluster")
    if ctx.value(cp, "name"):
        return
    gp, dummy = ctx.block((), "gateway")
    if gp is not None and ctx.value(gp, "name"):
        return
    jp = ctx.key((), "jetstream")
    yield ctx.finding("jetstream-cluster-requires-cluster-name", "jetstream cluster requires `cluster.name` to be set: "
                      "%s with %s" % (ctx.where(jp), ctx.where(cp)), cp, hint="set cluster.name (same on every server)")


@check("jetstream-cluster-options-invalid", ERROR, C, "clustered JetStream: bad extension_hint or max_outstanding_catchup")
def js_cluster_opts(result, ctx):
    if not _js_clustered(ctx):
        return
    jp, js = ctx.block((), "jetstream")
    if js is None:
        return
    p, hint = ctx.get(jp, "extension_hint")
    if isinstance(hint, str) and hint.lower() not in ("will_extend", "no_extend", ""):
        yield ctx.finding("jetstream-cluster-options-invalid", "expected 'no_extend' for string value, got '%s': %s" % (
            hint.lower(), ctx.where(p)), p, hint="use will_extend or no_extend")
    p, mc = ctx.get(jp, "max_outstanding_catchup")
    if _int(mc) is not None and mc < 0:
        yield ctx.finding("jetstream-cluster-options-invalid", "jetstream max catchup cannot be negative: %s"
                          % ctx.where(p), p, hint="use a positive size")


@check("jetstream-cluster-requires-routes", ERROR, C,
       "clustered JetStream (cluster port or gateway) without routes or a system-account leafnode remote")
def js_routes(result, ctx):
    if not ctx.jetstream_enabled():
        return
    if not (ctx.cluster_listening() or ctx.gateway_listening()):
        return
    cp, dummy = ctx.block((), "cluster")
    if cp is not None:
        dummy, routes = ctx.get(cp, "routes")
        if isinstance(routes, list) and routes and ctx.cluster_listening():
            return
    sysname = ctx.system_account()[1] or SYS_ACCOUNT
    dummy, remotes = ctx.leaf_remotes()
    for rpath, dummy in remotes:
        if ctx.value(rpath, "account", "local") == sysname:
            return
    where = ctx.where(cp) if cp is not None and ctx.cluster_listening() else ctx.where(ctx.key((), "gateway"))
    yield ctx.finding("jetstream-cluster-requires-routes", "Can't start JetStream: JetStream cluster requires configured "
                      "routes or solicited leafnode for the system account: %s" % where,
                      cp if cp is not None else ctx.key((), "gateway"),
                      hint="list the cluster's routes (all members, including this one) in cluster.routes")


@check("jetstream-system-account", ERROR, C, "JetStream enabled on the system account")
def js_system_account(result, ctx):
    if not ctx.jetstream_enabled() or ctx.operator_mode():
        return
    spath, sysname = ctx.system_account()
    accounts = ctx.accounts()
    if not sysname or sysname not in accounts:
        return
    p, js = ctx.get(accounts[sysname], "jetstream")
    if p is None or js is False or (isinstance(js, str) and js.lower() in ("disabled", "disable")):
        return
    if isinstance(js, dict):
        en = ctx.value(p, "enabled", "enable")
        dis = ctx.value(p, "disabled", "disable")
        if en is False or dis is True:
            return
    yield ctx.finding("jetstream-system-account", "Not allowed to enable JetStream on the system account: %s (system "
                      "account set at %s)" % (ctx.where(p), ctx.loc(spath)), p,
                      hint="remove jetstream from the system account; use another account for streams")


@check("jetstream-key-with-tpm", ERROR, C, "jetstream.key together with jetstream.tpm")
def js_key_tpm(result, ctx):
    jp, js = ctx.block((), "jetstream")
    if js is None:
        return
    kp, key = ctx.get(jp, "key", "ek", "encryption_key")
    tp, tpm = ctx.get(jp, "tpm")
    if kp is not None and key and tp is not None:
        yield ctx.finding("jetstream-key-with-tpm", "Can't start JetStream: JetStream encryption key may not be used "
                          "with TPM options: %s with %s" % (ctx.where(kp), ctx.where(tp)), kp,
                          hint="use either jetstream.key or jetstream.tpm")


# ------------------------------------------------------------ websocket ---

_FORBIDDEN_WS_HEADERS = ("host", "content-length", "connection", "upgrade", "nats-no-masking")


@check("websocket-requires-tls", ERROR, C, "websocket without a tls block and without no_tls: true")
def ws_tls(result, ctx):
    wp, ws = ctx.block((), "websocket", "ws")
    if ws is None or not ctx.has_port(wp):
        return
    if ctx.key(wp, "tls") is not None or ctx.value(wp, "no_tls") is True:
        return
    yield ctx.finding("websocket-requires-tls", "websocket requires TLS configuration: %s" % ctx.where(wp), wp,
                      hint="add websocket.tls { cert_file, key_file } or `no_tls: true` (plaintext, not for production)")


@check("websocket-no-tls", WARNING, C, "websocket with no_tls: true (plaintext)")
def ws_no_tls(result, ctx):
    wp, ws = ctx.block((), "websocket", "ws")
    if ws is None or not ctx.has_port(wp):
        return
    p, v = ctx.get(wp, "no_tls")
    if v is True and ctx.key(wp, "tls") is None:
        yield ctx.finding("websocket-no-tls", "Websocket not configured with TLS. DO NOT USE IN PRODUCTION!: %s"
                          % ctx.where(p), p, hint="configure websocket.tls")


def _check_origin(origin):
    """Error text (without prefix) or None, following url.ParseRequestURI + the server's rules."""
    if not (origin.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", origin)):
        return 'unable to parse allowed origin: parse "%s": invalid URI for request' % origin
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", origin)
    scheme = m.group(1).lower() if m else ""
    rest = m.group(2) if m else origin
    if scheme not in ("http", "https"):
        return "unable to parse allowed origin %s: allowed origins must be absolute URLs with http or https scheme" % (
            quote(origin))
    host = ""
    if rest.startswith("//"):
        host = rest[2:].split("/")[0]
        if "@" in host:
            host = host.split("@")[-1]
    if not host:
        return "unable to parse allowed origin %s: host is required" % quote(origin)
    return None


@check("websocket-invalid", ERROR, C,
       "websocket settings a real start refuses (allowed_origins, auth with users, jwt_cookie, headers)")
def ws_invalid(result, ctx):
    wp, ws = ctx.block((), "websocket", "ws")
    if ws is None or not ctx.has_port(wp):
        return
    code = "websocket-invalid"
    op, origins = ctx.get(wp, "allowed_origins", "allowed_origin", "allow_origins", "allow_origin", "origins", "origin")
    if isinstance(origins, str):
        origins = [origins]
        listed = False
    else:
        listed = True
    if isinstance(origins, list) and ctx.feature("websocket-origins-validated"):
        for i, o in enumerate(origins):
            if isinstance(o, str):
                err = _check_origin(o)
                if err:
                    p = op + (i,) if listed else op
                    yield ctx.finding(code, "%s: %s" % (err, ctx.where(p)), p,
                                      hint="use absolute http(s) URLs such as https://example.com")
    if ctx.has_users_or_nkeys():
        apath, auth = ctx.block(wp, "authorization", "authentication")
        if auth:
            p, u = ctx.get(apath, "user", "username")
            if isinstance(u, str) and u:
                yield ctx.finding(code, "websocket authentication username not compatible with presence of users/nkeys: "
                                  "%s" % ctx.where(p), p, hint="remove websocket.authorization.user or the users")
            p, t = ctx.get(apath, "token")
            if isinstance(t, str) and t:
                yield ctx.finding(code, "websocket authentication token not compatible with presence of users/nkeys: %s"
                                  % ctx.where(p), p, hint="remove websocket.authorization.token or the users")
    p, cookie = ctx.get(wp, "jwt_cookie")
    if isinstance(cookie, str) and cookie and not ctx.operator_mode() and ctx.key((), "trusted_keys", "trusted") is None:
        yield ctx.finding(code, "trusted operators or trusted keys configuration is required for JWT authentication "
                          "via cookie %s: %s" % (quote(cookie), ctx.where(p)), p,
                          hint="configure an operator or trusted_keys, or remove jwt_cookie")
    hp, headers = ctx.block(wp, "headers")
    if headers:
        for k in headers:
            low = k.lower()
            if low in _FORBIDDEN_WS_HEADERS:
                yield ctx.finding(code, "websocket: invalid header %s not allowed: %s" % (quote(k), ctx.where(hp + (k,))),
                                  hp + (k,), hint="remove the header")
            elif low.startswith("sec-websocket-"):
                yield ctx.finding(code, 'websocket: invalid header %s, "Sec-WebSocket-" prefix not allowed: %s' % (
                    quote(k), ctx.where(hp + (k,))), hp + (k,), hint="remove the header")


# ------------------------------------------------------------ monitoring --

def _mon_ports(ctx):
    out = {}
    for names, kind in ((("http",), "http"), (("https",), "https"),
                        (("http_port", "monitor_port"), "http"), (("https_port",), "https")):
        p, v = ctx.get((), *names)
        if p is None:
            continue
        port = None
        if _int(v) is not None:
            port = v
        elif isinstance(v, str):
            try:
                port = go_atoi(split_host_port(v)[1])
            except ValueError:
                port = None
        if port:
            out[kind] = (p, port)
    return out


@check("monitoring-invalid", ERROR, C, "http and https both set, or https without a tls block")
def monitoring(result, ctx):
    ports = _mon_ports(ctx)
    if "http" in ports and "https" in ports:
        (hp, h), (sp, s) = ports["http"], ports["https"]
        yield ctx.finding("monitoring-invalid", "Can't start monitoring: can't specify both HTTP (%d) and HTTPs (%d) "
                          "ports: %s and %s" % (h, s, ctx.where(hp), ctx.where(sp)), sp,
                          hint="keep only one of http and https")
    elif "https" in ports:
        tp, tls = ctx.block((), "tls")
        if not tls or ctx.key(tp, "cert_file") is None or ctx.key(tp, "key_file") is None:
            sp = ports["https"][0]
            yield ctx.finding("monitoring-invalid", "Can't start monitoring: TLS cert and key required for HTTPS: %s"
                              % ctx.where(sp), sp, hint="add a top-level tls { cert_file, key_file } or use http")


# ------------------------------------------------------------ advertise ---

_ADVERTISE = (
    (("cluster",), ("cluster_advertise", "advertise"), "Error setting route INFO with Cluster.Advertise value of {v}, err={err}"),
    (("gateway",), ("advertise",), "Error setting gateway INFO with Gateway.Advertise value of {v}, err={err}"),
    (("leafnodes", "leaf"), ("leafnode_advertise", "advertise"),
     "Error setting leafnode INFO with LeafNode.Advertise value of {v}, err={err}"),
    ((), ("client_advertise",), "Error setting server INFO with ClientAdvertise value of {v}, err={err}"),
    (("websocket", "ws"), ("advertise",), "Unable to get websocket connect URLs: {err}"),
)


def _advertise_error(value):
    try:
        host, port = split_host_port(value)
    except ValueError as exc:
        if "missing port" in str(exc):
            return None
        return str(exc)
    port = port.strip()
    if go_atoi(port) is None:
        return 'strconv.Atoi: parsing %s: invalid syntax' % quote(port)
    return None


@check("advertise-invalid", ERROR, C, "an advertise value (client, cluster, gateway, leafnodes, websocket) that is not host[:port] "
       "(a URL, or a non-numeric port)")
def advertise(result, ctx):
    for block, names, fmt in _ADVERTISE:
        if block:
            bp, blk = ctx.block((), *block)
            if blk is None:
                continue
            if block[0] != "cluster" and not ctx.has_port(bp):
                continue
        else:
            bp = ()
        p, v = ctx.get(bp, *names)
        if not isinstance(v, str) or not v:
            continue
        err = _advertise_error(v)
        if err:
            yield ctx.finding("advertise-invalid", fmt.format(v=v, err=err) + ": " + ctx.where(p), p,
                              hint="write host or host:port without a scheme, e.g. %s" % re.sub(r"^[a-z]+://", "", v))


# ------------------------------------------------------------ ports -------

_BIND_ORDER = ("prof_port", "http", "https", "gateway", "websocket", "leafnodes", "mqtt", "client", "cluster")
_BIND_MSG = {
    "client": 'Error listening on port: %s:%d, "listen tcp %s:%d: bind: address already in use"',
    "cluster": "Error listening on router port: %d",
    "gateway": "Error listening on gateway port: %d",
    "leafnodes": "Error listening on leafnode port: %d",
    "websocket": "Unable to listen for websocket connections",
    "mqtt": "Unable to listen for MQTT connections",
    "http": "Can't start monitoring: can't listen to the monitor port",
    "https": "Can't start monitoring: can't listen to the monitor port",
    "prof_port": "error starting profiler",
}


def _norm_host(h):
    if h in (None, "", "0.0.0.0", "::", "[::]"):
        return ""
    if h == "localhost":
        return "127.0.0.1"
    return h


def listeners(ctx):
    """[(kind, path, host, port)] of every listener this config opens (port > 0)."""
    out = []
    top_host = ctx.host_of(())
    lp, port = ctx.port_of((), default=ctx.defaults["client_port"])
    if port is not None and port > 0:
        out.append(("client", lp, top_host, port))
    for kind, names in (("cluster", ("cluster",)), ("gateway", ("gateway",)), ("leafnodes", ("leafnodes", "leaf")),
                        ("websocket", ("websocket", "ws")), ("mqtt", ("mqtt",))):
        bp, blk = ctx.block((), *names)
        if blk is None:
            continue
        pp, port = ctx.port_of(bp)
        if port is not None and port > 0:
            out.append((kind, pp or bp, ctx.host_of(bp), port))
    mon = _mon_ports(ctx)
    for kind in ("http", "https"):
        if kind in mon:
            p, port = mon[kind]
            v = ctx.result.get(p)
            host = top_host
            if isinstance(v, str):
                try:
                    host = split_host_port(v)[0]
                except ValueError:
                    pass
            if port > 0:
                out.append((kind, p, host, port))
    p, prof = ctx.get((), "prof_port")
    if _int(prof) is not None and prof > 0:
        out.append(("prof_port", p, top_host, prof))
    return out


@check("duplicate-listen-port", ERROR, C,
       "two listeners of one config on the same port (nats-server never checks; the later bind fails)")
def duplicate_port(result, ctx):
    ls = listeners(ctx)
    ls.sort(key=lambda item: _BIND_ORDER.index(item[0]))
    for i, (kind, path, host, port) in enumerate(ls):
        for okind, opath, ohost, oport in ls[:i]:
            if port != oport:
                continue
            h1, h2 = _norm_host(host), _norm_host(ohost)
            if h1 and h2 and h1 != h2:
                continue
            if kind == "client":
                shown = host or "0.0.0.0"
                server_msg = _BIND_MSG[kind] % (shown, port, shown, port)
                server_msg = server_msg.split(', "')[0]
            elif "%d" in _BIND_MSG[kind]:
                server_msg = _BIND_MSG[kind] % port
            else:
                server_msg = _BIND_MSG[kind]
            label = "client listener" if kind == "client" else kind
            olabel = "client listener" if okind == "client" else okind
            oloc = ctx.where(opath) if opath else "%s (default port %d)" % (olabel, oport)
            yield ctx.finding("duplicate-listen-port", "%s: %s and %s both use port %d; the %s bind fails with "
                              "'address already in use'" % (server_msg, ctx.where(path) if path else label + " (default)",
                                                            oloc, port, label), path,
                              hint="give every listener its own port")
            break


def _size(value):
    """Storage size as nats-server reads it (int, or '<n>K|M|G|T'), or None."""
    if _int(value) is not None:
        return value
    if isinstance(value, str) and len(value) > 1 and value[-1] in "KMGT" and re.match(r"^[+-]?[0-9]+$", value[:-1]):
        return int(value[:-1]) << {"K": 10, "M": 20, "G": 30, "T": 40}[value[-1]]
    return None


@check("jetstream-account-limits-exceed-server", ERROR, C,
       "standalone JetStream: the accounts' reserved max_mem/max_file add up to more than the server's limit")
def js_account_limits(result, ctx):
    if not ctx.jetstream_enabled() or ctx.cluster_listening() or ctx.operator_mode():
        return
    jp, js = ctx.block((), "jetstream")
    if js is None:
        return
    code = "jetstream-account-limits-exceed-server"
    for server_keys, acc_keys, label, errcode in (
            (("max_memory_store", "max_mem_store", "max_mem"), ("max_memory", "max_mem", "mem", "memory"), "memory", 10028),
            (("max_file_store", "max_file"), ("max_store", "max_file", "max_disk", "store", "disk"), "storage", 10047)):
        sp, limit = ctx.get(jp, *server_keys)
        limit = _size(limit)
        if limit is None or limit <= 0:
            continue  # derived from the host's memory/disk: not decidable here
        total = 0
        parts = []
        for name, apath in sorted(ctx.accounts().items()):
            ajp, ajs = ctx.block(apath, "jetstream")
            if ajs is None:
                continue
            p, v = ctx.get(ajp, *acc_keys)
            v = _size(v)
            if v is not None and v > 0:
                total += v
                parts.append("%s (%s)" % (ctx.where(p), v))
        if total > limit:
            yield ctx.finding(code, "Can't start JetStream: Error enabling jetstream on configured accounts: insufficient "
                              "%s resources available (%d): the accounts reserve %d bytes (%s) but %s allows %d" % (
                                  label, errcode, total, ", ".join(parts), ctx.where(sp), limit), sp,
                              hint="raise jetstream.%s or lower the accounts' limits (-1 means unlimited, no reservation)"
                              % sp[-1])


# ------------------------------------------------------------------ versions ---
# Semantics that flip between nats-server versions (plugin_utils/versions.py).

@check("max-connections-zero", WARNING, C,
       "max_connections: 0 refuses every client from nats-server 2.12.5 on (before: the default limit)")
def max_connections_zero(result, ctx):
    p, v = ctx.get((), "max_connections", "max_conn")
    if v != 0 or isinstance(v, bool) or not ctx.feature("max-connections-zero-refuses"):
        return
    yield ctx.finding("max-connections-zero", "max_connections: 0 refuses every client connection on nats-server %s "
                      "('maximum connections exceeded'; before 2.12.5, 0 meant the default limit): %s" % (
                          ctx.version, ctx.where(p)), p,
                      hint="remove max_connections for the default limit (65536) or set the limit you want")


# ------------------------------------------------------- more start-time rules -----

@check("ocsp-peer-requires-verify", ERROR, C,
       "a client or leafnode tls block verifies peers with OCSP (ocsp_peer) but does not ask for client certificates (verify)")
def ocsp_peer_verify(result, ctx):
    blocks = [ctx.block((), "tls")[0]]
    lpath, dummy = ctx.block((), "leafnodes", "leaf")
    if lpath is not None:
        blocks.append(ctx.block(lpath, "tls")[0])
    for tpath in blocks:
        if tpath is None:
            continue
        pp, peer = ctx.get(tpath, "ocsp_peer")
        verify_peer = peer is True or (isinstance(peer, dict) and ctx.value(pp, "verify") is True)
        if verify_peer and ctx.value(tpath, "verify") is not True:
            yield ctx.finding("ocsp-peer-requires-verify", "OCSP peer verification for client connections requires TLS verify "
                              "(mTLS) to be enabled: %s" % ctx.where(pp), pp, hint="add verify: true to this tls block")


@check("remote-syslog-invalid", ERROR, C, "remote_syslog is not a udp://, tcp:// or unix:// URL (the server exits at start)")
def remote_syslog(result, ctx):
    p, v = ctx.get((), "remote_syslog")
    if not isinstance(v, str) or not v:
        return
    escape = re.search(r"%(?![0-9A-Fa-f]{2})(.{0,2})", v)
    if escape:
        yield ctx.finding("remote-syslog-invalid", "parse %s: invalid URL escape %s: %s" % (
            quote(v), quote("%" + escape.group(1)), ctx.where(p)), p, hint="write remote_syslog as udp://host:514")
        return
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", v)
    scheme = m.group(1).lower() if m else ""
    if scheme not in ("udp", "tcp", "unix"):
        yield ctx.finding("remote-syslog-invalid", "error invalid network type: %s: %s" % (quote(scheme), ctx.where(p)), p,
                          hint="write remote_syslog as udp://host:514, tcp://host:514 or unix:///dev/log")


@check("resolver-without-operator", ERROR, C, "a full or cache account resolver without an operator (no operator key to start it)")
def resolver_without_operator(result, ctx):
    p, res = ctx.get((), "resolver", "account_resolver", "accounts_resolver")
    if not isinstance(res, dict) or not isinstance(res.get("type"), str) or res["type"].upper() not in ("FULL", "CACHE"):
        return
    if ctx.operator_mode() or ctx.key((), "trusted", "trusted_keys") is not None:
        return
    yield ctx.finding("resolver-without-operator", "Could not start resolver: no operator key found: %s" % ctx.where(p), p,
                      hint="set operator: <operator JWT> (or remove the resolver)")
