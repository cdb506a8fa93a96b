# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Phase (a) checks: the option-processing errors `nats-server -t` itself reports.

nats-server prints them with the position of the offending key; we report all
of them at once, quoting its exact text. The key sets below are nats-server
2.15.1's option names per block (keys are case-insensitive, as in the server).
A key that holds a value referenced as a variable (``$name``) is not unknown.
"""

from __future__ import annotations

import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import redact_url
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import (
    SEC, duration_error, go_atoi, go_duration_str, go_type, is_public_key, parse_go_duration, quote, split_host_port,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import grammar
from ansible_collections.natsops.nats.plugins.plugin_utils import versions
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.schema import DURATION, LISTEN, value_check
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.schema import walk as schema_walk

C = "config"


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


@value_check(DURATION)
def _duration_problem(key, value):
    """parseDuration: a duration string, or an integer number of seconds (reported by option-deprecated-duration)."""
    if isinstance(value, str):
        if parse_go_duration(value) is None:
            return ("option-invalid-value", "error parsing %s: %s" % (key, duration_error(value)),
                    'write a duration such as "30s" or "2m"')
    elif not _is_int(value):
        return ("option-wrong-type", "interface conversion: interface {} is %s, not int64" % go_type(value),
                'write a duration string such as "30s"')
    return None


@value_check(LISTEN)
def _listen_problem(key, value):
    err = _listen_error(value)
    return ("listen-invalid", err, "write host:port (e.g. 0.0.0.0:4222) or a port number") if err else None


def _listen_error(value):
    if _is_int(value):
        return None
    if isinstance(value, str):
        try:
            dummy, port = split_host_port(value)
        except ValueError:
            return "could not parse address string %s" % quote(value)
        if go_atoi(port) is None:
            return "could not parse port %s" % quote(port)
        return None
    return "expected port or host:port, got %s" % go_type(value)


def _schema_findings(ctx):
    """(code, message, path, hint) of every schema problem (checks/schema.py)."""
    return [(p.code, p.message, p.path, p.hint) for p in schema_walk(ctx)]


@check("unknown-field", ERROR, C, "an option name nats-server does not know (unless its value is used as a variable)")
def unknown_field(result, ctx):
    for code, msg, path, hint in _schema_findings(ctx):
        if code == "unknown-field":
            yield ctx.finding(code, "%s: %s" % (msg, ctx.where(path)), path, hint=hint)


@check("option-wrong-type", ERROR, C, "an option holds a value of the wrong type (string for a number, ...)")
def wrong_type(result, ctx):
    for code, msg, path, hint in _schema_findings(ctx):
        if code == "option-wrong-type":
            yield ctx.finding(code, "%s: %s" % (msg, ctx.named(path)), path, hint=hint)


@check("option-invalid-value", ERROR, C, "an option value nats-server cannot parse (durations, sizes, limits)")
def invalid_value(result, ctx):
    for code, msg, path, hint in _schema_findings(ctx):
        if code == "option-invalid-value":
            yield ctx.finding(code, "%s: %s" % (msg, ctx.where(path)), path, hint=hint)
    code = "option-invalid-value"
    # limits checked while parsing
    for names in (("max_payload",), ("max_control_line",)):
        p, v = ctx.get((), *names)
        if _is_int(v) and v > 2 ** 31 - 1:
            yield ctx.finding(code, "%s value is too big: %s" % (p[-1], ctx.where(p)), p, hint="use at most 2147483647")
    p, v = ctx.get((), "max_sub_tokens", "max_subscription_tokens")
    if _is_int(v):
        if v > 255:
            yield ctx.finding(code, "%s value is too big: %s" % (p[-1], ctx.where(p)), p, hint="use at most 255")
        elif v <= 0:
            yield ctx.finding(code, "%s value can not be negative: %s" % (p[-1], ctx.where(p)), p,
                              hint="use a value between 1 and 255")
    p, v = ctx.get((), "lame_duck_duration")
    if isinstance(v, str):
        d = parse_go_duration(v)
        if d is None:
            yield ctx.finding(code, "error parsing lame_duck_duration: %s: %s" % (
                duration_error(v), ctx.where(p)), p, hint='write a duration such as "2m"')
        elif d < 30 * SEC:
            yield ctx.finding(code, "invalid lame_duck_duration of %s, minimum is 30 seconds: %s" % (
                go_duration_str(d), ctx.where(p)), p, hint="use at least 30s")
    p, v = ctx.get((), "lame_duck_grace_period")
    if isinstance(v, str):
        d = parse_go_duration(v)
        if d is None:
            yield ctx.finding(code, "error parsing lame_duck_grace_period: %s: %s" % (
                duration_error(v), ctx.where(p)), p, hint='write a duration such as "10s"')
        elif d < 0:
            yield ctx.finding(code, "invalid lame_duck_grace_period, needs to be positive: %s" % ctx.where(p), p,
                              hint="use a positive duration")
    p, v = ctx.get((), "jetstream")
    if isinstance(v, str) and v.lower() not in ("enabled", "enable", "disabled", "disable"):
        yield ctx.finding(code, "Expected 'enabled' or 'disabled' for string value, got '%s': %s" % (v, ctx.where(p)),
                          p, hint="use `jetstream: enabled` or a jetstream { } block")
    jpath, js = ctx.block((), "jetstream")
    tp = ctx.key((), "store_dir", "storedir")
    if js is not None and tp is not None:
        jp = ctx.key(jpath, "store_dir", "storedir", "store")
        if jp is not None:
            yield ctx.finding(code, "Duplicate 'store_dir' configuration: %s and %s" % (ctx.where(tp), ctx.where(jp)),
                              jp, hint="set store_dir only once (in the jetstream block)")
    p, v = ctx.get((), "trusted_keys", "trusted")
    keys = [(p + (i,), k) for i, k in enumerate(v)] if isinstance(v, list) else ([(p, v)] if isinstance(v, str) else [])
    for kp, k in keys:
        if isinstance(k, str) and not is_public_key(k, "O"):
            yield ctx.finding(code, "trust key %s required to be a valid public operator nkey: %s" % (quote(k), ctx.where(kp)),
                              kp, hint="list operator public keys (56 characters starting with 'O')")
    mpath, m = ctx.block((), "mqtt")
    if m is not None:
        p, v = ctx.get(mpath, "max_ack_pending", "max_pending", "max_inflight")
        if _is_int(v) and (v < 0 or v > 0xFFFF):
            yield ctx.finding(code, "invalid value %d, should in [0..%d] range: %s" % (v, 0xFFFF, ctx.where(p)), p,
                              hint="use a value between 0 and 65535")
    lpath, leaf = ctx.block((), "leafnodes", "leaf")
    if leaf is not None:
        p, v = ctx.get(lpath, "min_version", "minimum_version")
        if isinstance(v, str) and v:
            numbers = versions.version_numbers(v)
            if not _SEMVER.match(v):
                yield ctx.finding(code, "invalid leafnode's minimum version: invalid semver: %s" % ctx.named(p), p,
                                  hint='write a version such as "2.10.0" (no leading v)')
            elif numbers and numbers[:2] < (2, 8):
                yield ctx.finding(code, "the minimum version should be at least 2.8.0: %s" % ctx.named(p), p,
                                  hint='use "2.8.0" or later')
        ap, auth = ctx.block(lpath, "authorization")
        p, v = ctx.get(ap, "nkey") if auth is not None else (None, None)
        if isinstance(v, str) and not is_public_key(v, "U"):
            yield ctx.finding(code, "Not a valid public nkey for leafnode authorization: %s" % ctx.where(p), p,
                              hint="nkey is a user public key (56 characters starting with 'U')")
        dummy, remotes = ctx.leaf_remotes()
        for rpath, dummy in remotes:
            cp = ctx.key(rpath, "creds", "credentials")
            np_, seed = ctx.get(rpath, "nkey", "seed")
            if isinstance(seed, str) and not _is_user_seed(seed):
                # the value is a secret: name the key only
                yield ctx.finding(code, "Remote leafnode nkey is not a valid seed: %s" % ctx.where(np_), np_,
                                  hint="nkey is a user seed (58 characters starting with 'SU')")
            elif cp is not None and np_ is not None:
                yield ctx.finding(code, "Remote leafnode can not have both creds and nkey defined: %s and %s" % (
                    ctx.where(cp), ctx.where(np_)), np_, hint="keep either credentials or nkey")
            yield from _remote_proxy(ctx, rpath, code)
    tpath, proxies = ctx.block((), "proxies")
    trusted = ctx.value(tpath, "trusted") if proxies is not None else None
    for i, entry in enumerate(trusted if isinstance(trusted, list) else ()):
        kp, key = ctx.get(tpath + ("trusted", i), "key", "public_key") if isinstance(entry, dict) else (None, None)
        if isinstance(key, str) and not any(is_public_key(key, c) for c in "NCOAUX"):
            yield ctx.finding(code, "invalid proxy key %s: %s" % (quote(key), ctx.where(kp)), kp,
                              hint="a trusted proxy key is an nkey public key")


# nats-server's semVerRe (versionComponents)
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
                     r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")


def _is_user_seed(value):
    """Looks like an nkey user seed (nkeys.DecodeSeed with the user prefix)."""
    return len(value) == 58 and value.startswith("SU") and re.match(r"^[A-Z2-7]+$", value) is not None


def _remote_proxy(ctx, rpath, code):
    """validateLeafNodeProxyOptions, first problem only, at the remote's proxy key."""
    pp, proxy = ctx.block(rpath, "proxy")
    if proxy is None:
        return
    url = ctx.value(pp, "url")
    if not isinstance(url, str) or not url:
        return
    problem = None
    err = go_url_error(url)
    scheme = url.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url) else ""
    timeout = ctx.value(pp, "timeout")
    seconds = parse_go_duration(timeout) if isinstance(timeout, str) else (timeout if _is_int(timeout) else 0)
    user, password = ctx.value(pp, "username"), ctx.value(pp, "password")
    if err:
        problem = "invalid proxy URL: parse %s: %s" % (quote(url), err)
    elif scheme not in ("http", "https"):
        problem = "proxy URL scheme must be http or https, got: %s" % scheme
    elif not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]", url):
        problem = "proxy URL must specify a host"
    elif seconds is not None and seconds < 0:
        problem = "proxy timeout must be >= 0"
    elif bool(isinstance(user, str) and user) != bool(isinstance(password, str) and password):
        problem = "proxy username and password must both be specified or both be empty"
    elif ctx.key(rpath, "tls") is None:
        urls = ctx.value(rpath, "url", "urls")
        for u in [urls] if isinstance(urls, str) else (urls if isinstance(urls, list) else []):
            if isinstance(u, str) and u.strip().lower().startswith("wss://"):
                problem = ("proxy is configured but remote URL %s requires TLS and no TLS configuration is provided"
                           % redact_url(u.strip()))
                break
    if problem:
        yield ctx.finding(code, "%s: %s" % (problem, ctx.where(pp)), pp, hint="a leafnode proxy is an http(s) URL with a host")


@check("block-wrong-type", ERROR, C,
       "a block (cluster, gateway, leafnodes, users, remotes, exports ...) holds a value that is not a map or list")
def block_wrong_type(result, ctx):
    for code, msg, path, hint in _schema_findings(ctx):
        if code == "block-wrong-type":
            yield ctx.finding(code, "%s: %s" % (msg, ctx.where(path)), path, hint=hint)


@check("listen-invalid", ERROR, C, "a listen/http/https value that is not host:port or a port")
def listen_invalid(result, ctx):
    for code, msg, path, hint in _schema_findings(ctx):
        if code == "listen-invalid":
            yield ctx.finding(code, "%s: %s" % (msg, ctx.where(path)), path, hint=hint)


@check("name-has-spaces", ERROR, C, "server_name, cluster.name or gateway.name contains a space")
def names_spaces(result, ctx):
    for parent, names, what in (((), ("server_name",), "server"), (("cluster",), ("name",), "cluster"),
                                (("gateway",), ("name",), "gateway")):
        if parent:
            bp, blk = ctx.block((), *parent)
            if blk is None:
                continue
        else:
            bp = ()
        p, v = ctx.get(bp, *names)
        if isinstance(v, str) and " " in v and ctx.feature("names-without-spaces"):
            yield ctx.finding("name-has-spaces", "%s name cannot contain spaces: %s" % (what, ctx.named(p)), p,
                              hint="use %s" % quote(v.replace(" ", "_")))


# ----------------------------------------------------------------- auth ---

def _auth_users(ctx, apath):
    upath, users = ctx.get(apath, "users")
    return upath, users


@check("authorization-conflict", ERROR, C,
       "authorization mixes user/password, token and users (also users in accounts), or repeats a user")
def authorization_conflict(result, ctx):
    code = "authorization-conflict"
    apath, auth = ctx.block((), "authorization")
    acc_users = []
    accs = ctx.accounts()
    for name, path in accs.items():
        up, users = ctx.get(path, "users")
        if isinstance(users, list):
            for i, u in enumerate(users):
                acc_users.extend(ctx._user_names(up + (i,), u))  # pylint: disable=protected-access
    if auth:
        up, user = ctx.get(apath, "user", "username")
        pp, pw = ctx.get(apath, "pass", "password")
        tp, token = ctx.get(apath, "token")
        upath, users = _auth_users(ctx, apath)
        if (user or pw) and token:
            yield ctx.finding(code, "Cannot have a user/pass and token: %s and %s" % (ctx.where(up or pp), ctx.where(tp)),
                              apath, hint="use either user/password or token")
        elif isinstance(users, list) or acc_users:
            where = ctx.where(upath) if upath else "users in accounts"
            if user:
                yield ctx.finding(code, "Can not have a single user/pass and a users array: %s and %s" % (
                    ctx.where(up), where), apath, hint="move the single user into the users list")
            elif token:
                yield ctx.finding(code, "Can not have a token and a users array: %s and %s" % (ctx.where(tp), where),
                                  apath, hint="use either a token or users")
    # duplicate users / nkeys across authorization and accounts
    seen = {}
    all_users = []
    if auth:
        upath, users = _auth_users(ctx, apath)
        if isinstance(users, list):
            for i, u in enumerate(users):
                all_users.extend(ctx._user_names(upath + (i,), u))  # pylint: disable=protected-access
    all_users = acc_users + all_users
    for p, name in all_users:
        if name in seen:
            kind = "nkey" if p[-1].lower() == "nkey" else "user"
            msg = "Duplicate %s %s detected: %s and %s" % (kind, quote(name), ctx.where(seen[name]), ctx.where(p))
            yield ctx.finding(code, msg, p,
                              hint="every user and nkey must be unique across authorization and all accounts")
        else:
            seen[name] = p


@check("route-gateway-authorization-invalid", ERROR, C,
       "cluster/gateway authorization with users, a token or a callout (only a single user/password is allowed)")
def cluster_gateway_auth(result, ctx):
    for blk, label in (("cluster", "Cluster"), ("gateway", "Gateway")):
        bp, b = ctx.block((), blk)
        if b is None:
            continue
        ap, auth = ctx.block(bp, "authorization")
        if auth is None:
            continue
        p = ctx.key(ap, "users")
        if p is not None:
            yield ctx.finding("route-gateway-authorization-invalid", "%s authorization does not allow multiple users: %s"
                              % (label, ctx.where(p)), ap, hint="use a single user and password")
            continue
        p, tok = ctx.get(ap, "token")
        if isinstance(tok, str) and tok:
            yield ctx.finding("route-gateway-authorization-invalid", "%s authorization does not support tokens: %s" % (
                label, ctx.where(p)), ap, hint="use a single user and password")
            continue
        p = ctx.key(ap, "auth_callout", "auth_hook")
        if p is not None:
            yield ctx.finding("route-gateway-authorization-invalid", "%s authorization does not support callouts: %s" % (
                label, ctx.where(p)), ap, hint="use a single user and password")


@check("account-invalid", ERROR, C, "reserved account names, imports/exports naming undefined accounts")
def accounts_invalid(result, ctx):
    code = "account-invalid"
    apath, accs = ctx.get((), "accounts")
    if isinstance(accs, list):
        seen = set()
        for i, n in enumerate(accs):
            if not isinstance(n, str):
                continue
            if n in ("$G",):
                yield ctx.finding(code, "%s is a Reserved Account: %s" % (quote(n), ctx.where(apath + (i,))), apath + (i,),
                                  hint="choose another name")
            elif n in seen:
                yield ctx.finding(code, "Duplicate Account Entry: %s: %s" % (n, ctx.where(apath + (i,))), apath + (i,),
                                  hint="list each account once")
            seen.add(n)
        return
    if not isinstance(accs, dict):
        return
    names = set(accs)
    for name, acc in accs.items():
        p = apath + (name,)
        if p in ctx.result.used:
            continue
        if name == "$G":
            yield ctx.finding(code, "%s is a Reserved Account: %s" % (quote(name), ctx.where(p)), p,
                              hint="choose another name")
            continue
        if not isinstance(acc, dict):
            yield ctx.finding(code, "Expected map entries for accounts: %s" % ctx.where(p), p,
                              hint="write NAME: { users = [...] }")
            continue
        ip, imports = ctx.get(p, "imports")
        if isinstance(imports, list):
            for i, imp in enumerate(imports):
                if not isinstance(imp, dict):
                    continue
                for kind in ("stream", "service"):
                    sp, spec = ctx.block(ip + (i,), kind)
                    if not spec:
                        continue
                    acp, an = ctx.get(sp, "account")
                    if isinstance(an, str) and an not in names:
                        msg = "%s account not defined for %s import: %s" % (quote(an), kind, ctx.where(acp))
                        yield ctx.finding(code, msg, apath,
                                          hint="define account %s or fix the name" % quote(an))
        ep, exports = ctx.get(p, "exports")
        if isinstance(exports, list):
            for i, exp in enumerate(exports):
                if not isinstance(exp, dict):
                    continue
                kind = "stream" if ctx.key(ep + (i,), "stream") else ("service" if ctx.key(ep + (i,), "service") else None)
                lp, allowed = ctx.get(ep + (i,), "accounts")
                if kind and isinstance(allowed, list):
                    for j, an in enumerate(allowed):
                        if isinstance(an, str) and an not in names:
                            yield ctx.finding(code, "%s account not defined for %s export: %s" % (
                                quote(an), kind, ctx.where(lp + (j,))), apath,
                                hint="define account %s or fix the name" % quote(an))


# ----------------------------------------------------------------- urls ---

def go_url_error(url):
    """Why Go's url.Parse rejects url (None when it accepts it)."""
    u = url.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in u):
        return "net/url: invalid control character in URL"
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", u)
    if not m:
        if u[:1].isdigit() or u[:1] in "+-.":
            pass
        if ":" in u.split("/")[0]:
            return "first path segment in URL cannot contain colon"
        return None
    rest = u[m.end():]
    if rest.startswith("//"):
        auth = rest[2:].split("/")[0].split("?")[0].split("#")[0]
        hostport = auth.rsplit("@", 1)[-1]
        if hostport.startswith("["):
            port = hostport.split("]", 1)[1] if "]" in hostport else ""
            port = port[1:] if port.startswith(":") else port
        else:
            port = hostport.rsplit(":", 1)[1] if ":" in hostport else ""
        if port and not port.isdigit():
            return "invalid port %s after host" % quote(":" + port)
    return None


@check("url-invalid", ERROR, C, "a route, gateway or leafnode URL that nats-server cannot parse")
def urls_invalid(result, ctx):
    code = "url-invalid"
    items = []
    cp, dummy = ctx.block((), "cluster")
    if cp is not None:
        rp, routes = ctx.get(cp, "routes")
        if isinstance(routes, list):
            items.extend(("route", rp + (i,), r) for i, r in enumerate(routes) if isinstance(r, str))
    gp, dummy = ctx.block((), "gateway")
    if gp is not None:
        lp, entries = ctx.get(gp, "gateways")
        if isinstance(entries, list):
            for i, e in enumerate(entries):
                if not isinstance(e, dict):
                    continue
                up, url = ctx.get(lp + (i,), "url")
                if isinstance(url, str):
                    items.append(("gateway", up, url))
                up, urls = ctx.get(lp + (i,), "urls")
                if isinstance(urls, list):
                    items.extend(("gateway", up + (j,), x) for j, x in enumerate(urls) if isinstance(x, str))
    dummy, remotes = ctx.leaf_remotes()
    for rpath, dummy in remotes:
        for key in ("url", "urls"):
            up, v = ctx.get(rpath, key)
            if isinstance(v, str):
                items.append(("leafnode", up, v))
            elif isinstance(v, list):
                items.extend(("leafnode", up + (j,), x) for j, x in enumerate(v) if isinstance(x, str))
    for kind, path, url in items:
        if go_url_error(url):
            shown = redact_url(url.strip())        # the server quotes the URL as it is; its user info is a secret
            if "://" in shown:
                hint = "percent-encode '/', '#', '?' and '@' in the user name and password (%2F, %23, %3F, %40); the port is a number"
            else:
                hint = "write a full URL with a scheme, e.g. nats://%s" % shown
            yield ctx.finding(code, "error parsing %s url [%s]: %s" % (kind, quote(shown), ctx.where(path)), path, hint=hint)


@check("option-deprecated-duration", ERROR, C,
       "a duration given as a number of seconds (a warning that makes nats-server -t exit 1; a real start goes on)")
def numeric_durations(result, ctx):
    for parent, names in (((), ("ping_interval",)), ((), ("write_deadline",)), (("cluster",), ("ping_interval",)),
                          (("cluster",), ("write_deadline",)), (("gateway",), ("write_deadline",)),
                          (("leafnodes",), ("reconnect", "reconnect_delay", "reconnect_interval")),
                          (("leafnodes",), ("dial_timeout",)), (("leafnodes",), ("write_deadline",)),
                          (("websocket",), ("ping_interval",)), (("mqtt",), ("ack_wait", "ackwait")),
                          (("mqtt",), ("js_api_timeout", "api_timeout"))):
        bp = ()
        if parent:
            bp, blk = ctx.block((), *parent)
            if blk is None:
                continue
        p, v = ctx.get(bp, *names)
        if _is_int(v):
            field = {"reconnect_delay": "reconnect", "reconnect_interval": "reconnect", "ackwait": "ack_wait",
                     "api_timeout": "js_api_timeout"}.get(p[-1].lower(), p[-1].lower())
            yield ctx.finding("option-deprecated-duration", 'invalid use of field "%s": %s should be converted to a '
                              'duration: %s' % (p[-1], field, ctx.where(p)), p,
                              hint='write "%ds" instead of %d' % (v, v))


# ------------------------------------------------------------ permissions --

def valid_subject(subject):
    """nats-server's IsValidSubject (the subject grammar in conf/grammar.py)."""
    return grammar.valid_subject(subject)


def _subject_error(subject, allow_queue):
    if valid_subject(subject):
        return None
    if not allow_queue:
        return "subject %s is not a valid subject" % quote(subject)
    parts = subject.split()
    if len(parts) != 2:
        return "subject %s is not a valid subject" % quote(subject)
    if not valid_subject(parts[0]):
        return "subject %s is not a valid subject" % quote(parts[0])
    if not valid_subject(parts[1]):
        return "queue %s is not a valid queue" % quote(parts[1])
    return None


def _permission_blocks(ctx):
    """[path] of every client permissions map (users and default permissions)."""
    out = []

    def users_of(upath):
        users = ctx.result.get(upath)
        if isinstance(users, list):
            for i, u in enumerate(users):
                if isinstance(u, dict):
                    p = ctx.key(upath + (i,), "permission", "permissions", "authorization")
                    if p is not None:
                        out.append(p)
    apath, auth = ctx.block((), "authorization")
    if auth is not None:
        p = ctx.key(apath, "default_permission", "default_permissions", "permissions")
        if p is not None:
            out.append(p)
        up = ctx.key(apath, "users")
        if up is not None:
            users_of(up)
    cpath, cluster = ctx.block((), "cluster")
    if cluster is not None:
        p = ctx.key(cpath, "permissions")
        if p is not None:
            out.append(p)
        p = ctx.key(cpath, "authorization")
        if p is not None and isinstance(ctx.result.get(p), dict):
            p = ctx.key(p, "default_permission", "default_permissions", "permissions")
            if p is not None:
                out.append(p)
    for name, path in ctx.accounts().items():
        if not isinstance(ctx.result.get(path), dict):
            continue
        p = ctx.key(path, "default_permissions")
        if p is not None:
            out.append(p)
        up = ctx.key(path, "users")
        if up is not None:
            users_of(up)
    return out


@check("permissions-invalid", ERROR, C, "a permission subject that is not a valid subject (cluster permissions: no queue subjects, "
       "no response permissions), or unknown connection types")
def permissions_invalid(result, ctx):
    code = "permissions-invalid"
    for ppath in _permission_blocks(ctx):
        if not isinstance(ctx.result.get(ppath), dict):
            continue
        for names, allow_queue in ((("pub", "publish", "import"), False), (("sub", "subscribe", "export"), True)):
            sp, spec = ctx.get(ppath, *names)
            lists = []
            if isinstance(spec, dict):
                for key in ("allow", "deny"):
                    kp, v = ctx.get(sp, key)
                    if kp is not None:
                        lists.append((kp, v))
            elif sp is not None:
                lists.append((sp, spec))
            for lp, v in lists:
                items = [(lp, v)] if isinstance(v, str) else (
                    [(lp + (i,), s) for i, s in enumerate(v)] if isinstance(v, list) else [])
                for ip, s in items:
                    if not isinstance(s, str):
                        yield ctx.finding(code, "Subject in permissions array cannot be cast to string: %s" % ctx.where(ip), ip,
                                          hint="write every subject as a string")
                        break
                    err = _subject_error(s, allow_queue)
                    if err:
                        yield ctx.finding(code, "%s: %s" % (err, ctx.where(ip)), ip,
                                          hint="subjects are dot-separated non-empty tokens; '>' only last")
                        break
    yield from _cluster_permissions(ctx, code)
    # allowed connection types of users
    for upath in _user_paths(ctx):
        cp, cts = ctx.get(upath, "allowed_connection_types", "connection_types", "clients")
        if isinstance(cts, str):
            cts = [cts]
        if not isinstance(cts, list):
            continue
        unknown = [c.upper() for c in cts if isinstance(c, str) and c.upper() not in _CONN_TYPES]
        if unknown:
            shown = " ".join(quote(u) for u in unknown)
            yield ctx.finding(code, "invalid connection types [%s]: %s" % (shown, ctx.where(cp)), cp,
                              hint="use %s" % ", ".join(sorted(_CONN_TYPES)))


def _permission_lists(ctx, ppath):
    """[(direction, allow|deny, path, value)] of a permissions map: import = publish, export = subscribe."""
    out = []
    for names, direction in ((("pub", "publish", "import"), "import"), (("sub", "subscribe", "export"), "export")):
        sp, spec = ctx.get(ppath, *names)
        if isinstance(spec, dict):
            for kind in ("allow", "deny"):
                kp, v = ctx.get(sp, kind)
                if kp is not None:
                    out.append((direction, kind, kp, v))
        elif sp is not None:
            out.append((direction, "allow", sp, spec))
    return out


def _cluster_permissions(ctx, code):
    """parseCluster's own rules for route permissions: no queue subjects (checkClusterPermissionSubjects, after the
    client rules), no dynamic responses; the server points at cluster's permissions (or authorization) key."""
    cpath, cluster = ctx.block((), "cluster")
    if cluster is None:
        return
    blocks = []
    p = ctx.key(cpath, "permissions")
    if p is not None and isinstance(ctx.result.get(p), dict):
        blocks.append((p, p))
        rp, responses = ctx.get(p, "publish_allow_responses", "allow_responses")
        if responses is True or isinstance(responses, dict):
            yield ctx.finding(code, "Cluster permissions do not support dynamic responses: %s" % ctx.where(rp), p,
                              hint="remove %s: routes do not use response permissions" % rp[-1])
            blocks.pop()
    apath, auth = ctx.block(cpath, "authorization")
    if auth is not None:
        p = ctx.key(apath, "default_permission", "default_permissions", "permissions")
        if p is not None and isinstance(ctx.result.get(p), dict):
            blocks.append((p, apath))
    for ppath, at in blocks:
        done = False
        for direction, kind, lp, v in _permission_lists(ctx, ppath):
            items = [(lp, v)] if isinstance(v, str) else ([(lp + (i,), x) for i, x in enumerate(v)] if isinstance(v, list) else [])
            for ip, subject in items:
                if not isinstance(subject, str) or _subject_error(subject, direction == "export"):
                    done = True  # the client rules' finding (permissions-invalid above) comes first
                    break
                err = _subject_error(subject, False)
                if err:
                    yield ctx.finding(code, "cluster %s %s: %s: %s" % (direction, kind, err, ctx.where(ip)), at,
                                      hint="route permissions take plain subjects, not queue groups")
                    done = True
                    break
            if done:
                break


_CONN_TYPES = ("STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS", "IN_PROCESS")


def _user_paths(ctx):
    out = []
    for parent in [ctx.key((), "authorization")] + list(ctx.accounts().values()):
        if parent is None or not isinstance(ctx.result.get(parent), dict):
            continue
        up, users = ctx.get(parent, "users")
        if isinstance(users, list):
            out.extend(up + (i,) for i, u in enumerate(users) if isinstance(u, dict))
    return out


# ------------------------------------------------------------ leafnodes ----

@check("leafnode-authorization-invalid", ERROR, C,
       "leafnodes.authorization mixes a single user/nkey with a users list, or repeats a user")
def leaf_auth(result, ctx):
    lpath, leaf = ctx.block((), "leafnodes", "leaf")
    if leaf is None:
        return
    apath, auth = ctx.block(lpath, "authorization")
    if auth is None:
        return
    upath, users = ctx.get(apath, "users")
    if not isinstance(users, list) or not users:
        return
    code = "leafnode-authorization-invalid"
    p, user = ctx.get(apath, "user", "username")
    if user:
        yield ctx.finding(code, "can not have a single user/pass and a users array: %s and %s" % (
            ctx.where(p), ctx.where(upath)), apath, hint="move the single user into the users list")
        return
    p, nkey = ctx.get(apath, "nkey")
    if nkey:
        yield ctx.finding(code, "can not have a single nkey and a users array: %s and %s" % (
            ctx.where(p), ctx.where(upath)), apath, hint="use either nkey or users")
        return
    seen = {}
    for i, u in enumerate(users):
        if not isinstance(u, dict):
            continue
        np_, name = ctx.get(upath + (i,), "user", "username")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield ctx.finding(code, "duplicate user %s detected in leafnode authorization: %s and %s" % (
                quote(name), ctx.where(seen[name]), ctx.where(np_)), apath, hint="list each leafnode user once")
            return
        seen[name] = np_


def last_key(ctx, path):
    """Where the server points for an error about a whole map it parsed: the key it read last (Go's map order:
    the only key of a one-key map, our last one otherwise), or the map itself when it is empty."""
    node = ctx.result.get(tuple(path))
    if isinstance(node, dict) and node:
        return tuple(path) + (list(node)[-1],)
    return path


@check("leafnode-remote-duplicate", ERROR, C, "two leafnode remotes with the same URLs and local account")
def leaf_remote_dup(result, ctx):
    dummy, remotes = ctx.leaf_remotes()
    seen = {}
    for rpath, dummy in remotes:
        urls = []
        for key in ("url", "urls"):
            v = ctx.value(rpath, key)
            if isinstance(v, str):
                urls.append(v.strip())
            elif isinstance(v, list):
                urls.extend(x.strip() for x in v if isinstance(x, str))
        acc = ctx.value(rpath, "account", "local") or "$G"
        creds = ctx.value(rpath, "creds", "credentials")
        nkey = ctx.value(rpath, "nkey", "seed")
        if not all(isinstance(v, str) or v is None for v in (acc, creds, nkey)):
            continue  # wrong types are reported by option-wrong-type
        optional = ""
        if creds:
            optional = ", credentials=%s" % quote(creds)
        elif nkey:
            optional = ', nkey="[REDACTED]"'
        key = (tuple(urls), acc, creds or "", nkey or "")
        name = "urls=[%s], account=%s%s" % (" ".join(quote(redact_url(u)) for u in urls), quote(acc), optional)
        if key in seen and ctx.feature("leafnode-remote-duplicate-refused"):
            yield ctx.finding("leafnode-remote-duplicate", "duplicate remote %s: %s and %s" % (
                name, ctx.where(seen[key]), ctx.where(rpath)), last_key(ctx, rpath), hint="remove one of the two remotes")
        else:
            seen[key] = rpath


@check("auth-callout-invalid", ERROR, C,
       "authorization.auth_callout without issuer or auth_users, a bad issuer or xkey, or undefined allowed_accounts")
def auth_callout_allowed(result, ctx):
    apath, auth = ctx.block((), "authorization")
    if auth is None:
        return
    cpath, callout = ctx.block(apath, "auth_callout", "auth_hook")
    if callout is None:
        return
    code = "auth-callout-invalid"
    ip, issuer = ctx.get(cpath, "issuer")
    xp, xkey = ctx.get(cpath, "xkey", "key")
    if isinstance(xkey, str) and not is_public_key(xkey, "X"):
        yield ctx.finding(code, "Expected callout xkey to be a valid public xkey, got %s: %s" % (quote(xkey), ctx.where(xp)), xp,
                          hint="xkey is a curve public key (56 characters starting with 'X')")
    if isinstance(issuer, str) and issuer and not is_public_key(issuer, "A"):
        yield ctx.finding(code, "Expected callout user to be a valid public account nkey, got %s: %s" % (
            quote(issuer), ctx.where(ip)), ip, hint="issuer is the public key (A...) of the account signing responses")
    elif not issuer:
        yield ctx.finding(code, "Authorization callouts require an issuer to be specified: %s" % ctx.where(cpath),
                          last_key(ctx, cpath), hint="add issuer: <account public key>")
    elif not ctx.value(cpath, "auth_users", "users"):
        yield ctx.finding(code, "Authorization callouts require authorized users to be specified: %s" % ctx.where(cpath),
                          last_key(ctx, cpath), hint="add auth_users: [the user the callout service connects as]")
    lp, allowed = ctx.get(cpath, "allowed_accounts")
    if not isinstance(allowed, list):
        return
    accounts = ctx.accounts()
    for i, a in enumerate(allowed):
        if isinstance(a, str) and a not in accounts:
            yield ctx.finding("auth-callout-invalid", "auth_callout allowed account %s not found in configured accounts: "
                              "%s" % (quote(a), ctx.where(lp + (i,))), lp + (i,), hint="define the account in `accounts`")


@check("user-invalid", ERROR, C,
       "a users entry without user or nkey, with a bad user nkey, or with an nkey and a username/password")
def user_invalid(result, ctx):
    """parseUsers' checks of each entry (the server points at the entry's last key it read; map order decides)."""
    for upath in _user_paths(ctx):
        entry = ctx.result.get(upath)
        last = upath + (list(entry)[-1],) if entry else upath
        np_, nkey = ctx.get(upath, "nkey")
        dummy, user = ctx.get(upath, "user", "username")
        dummy, password = ctx.get(upath, "pass", "password")
        nkey = nkey if isinstance(nkey, str) else ""
        user = user if isinstance(user, str) else ""
        if not nkey and not user:
            yield ctx.finding("user-invalid", "User entry requires a user: %s" % ctx.where(upath), last,
                              hint="give the entry a user (and password) or an nkey")
        elif nkey and not is_public_key(nkey, "U"):
            yield ctx.finding("user-invalid", "Not a valid public nkey for a user: %s" % ctx.where(np_), last,
                              hint="nkey is a user public key (56 characters starting with 'U')")
        elif nkey and (user or (isinstance(password, str) and password)):
            yield ctx.finding("user-invalid", "Nkey users do not take usernames or passwords: %s" % ctx.where(upath), last,
                              hint="remove user/password from the nkey entry, or drop the nkey")
