# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Operator (JWT) mode checks that need the operator JWT's claims.

The operator JWT is read like nats-server does: the value is a file path (relative
paths are tried against the main config file's directory, since the server's working
directory is unknown here) or the JWT itself. When it cannot be read, these checks
stay silent (the server would report `error parsing operator JWT` itself).
Signatures are not verified; only the claims are used.
"""

from __future__ import annotations

import base64
import json
import os
import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import quote
from ansible_collections.natsops.nats.plugins.plugin_utils import versions

C = "config"
_JWT = re.compile(r"(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)")
_OP_KEYS = ("operator", "operators", "roots", "root", "root_operators", "root_operator")


def decode_jwt(text):
    """Claims dict of a (possibly decorated) JWT text, or None."""
    if not isinstance(text, str):
        return None
    m = _JWT.search(text)
    if not m:
        return None
    part = m.group(1).split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        claims = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def _read(ctx, value):
    if not isinstance(value, str):
        return None
    candidates = [value]
    if not os.path.isabs(value) and ctx.result.files:
        main = ctx.result.files[0].get("path") if isinstance(ctx.result.files[0], dict) else None
        if main and main != "<string>":
            candidates.append(os.path.join(os.path.dirname(main), value))
    for path in candidates:
        try:
            if os.path.isfile(path):
                with open(path, "r", encoding="utf-8", errors="replace") as f:
                    return decode_jwt(f.read())
        except OSError:
            continue
    if value.startswith("eyJ"):
        return decode_jwt(value)
    return None


def operators(ctx):
    """(path, [(item path, claims or None)]) of the configured operators."""
    path = ctx.key((), *_OP_KEYS)
    if path is None:
        return None, []
    val = ctx.result.get(path)
    items = [(path + (i,), v) for i, v in enumerate(val)] if isinstance(val, list) else [(path, val)]
    return path, [(p, _read(ctx, v)) for p, v in items]


def _nats(claims):
    n = claims.get("nats") if isinstance(claims, dict) else None
    return n if isinstance(n, dict) else {}


def resolver(ctx):
    """(path, kind) with kind in MEM, URL, DIR, CACHE, OTHER; (None, None) when no resolver is configured."""
    path = ctx.key((), "resolver", "account_resolver", "accounts_resolver")
    if path is None:
        return None, None
    val = ctx.result.get(path)
    if isinstance(val, str):
        if re.search(r"(?i)(MEM|MEMORY)\s*", val):
            return path, "MEM"
        if re.search(r"(?i)URL", val):
            return path, "URL"
        return path, "OTHER"
    if isinstance(val, dict):
        typ = ctx.value(path, "type")
        if isinstance(typ, str) and typ.lower() == "full":
            return path, "DIR"
        if isinstance(typ, str) and typ.lower() == "cache":
            return path, "CACHE"
    return path, "OTHER"


def _system_account(ctx, ops):
    """(name, where) of the effective system account: config, else the first operator's JWT."""
    spath, name = ctx.system_account()
    if name:
        return name, ctx.where(spath)
    if len(ops) == 1 and ops[0][1] is not None:
        sysacc = _nats(ops[0][1]).get("system_account")
        if sysacc:
            return sysacc, "the operator JWT (%s)" % ctx.loc(ops[0][0])
    return None, None


@check("operator-resolver-missing", ERROR, C,
       "one operator, no resolver, and the operator JWT has no account_server_url: the implicit URL resolver fails")
def resolver_missing(result, ctx):
    opath, ops = operators(ctx)
    if opath is None or len(ops) != 1 or resolver(ctx)[0] is not None or ops[0][1] is None:
        return
    url = _nats(ops[0][1]).get("account_server_url") or ""
    if url:
        return
    yield ctx.finding("operator-resolver-missing", 'could not fetch <"/accounts/">: Get "/accounts/": unsupported '
                      'protocol scheme "": %s has no account_server_url and no resolver is configured' % ctx.where(opath),
                      opath, hint="configure a resolver (e.g. `resolver: MEMORY` with resolver_preload, or a full resolver)")


@check("account-resolver-fetch-at-startup", WARNING, C,
       "a URL account resolver (explicit or from the operator JWT) is fetched at startup; unreachable means no start")
def resolver_url(result, ctx):
    opath, ops = operators(ctx)
    if opath is None:
        return
    rpath, kind = resolver(ctx)
    url = None
    if kind == "URL":
        m = re.search(r"(?i)URL\(\s*\"?([^\s\")]*)", ctx.result.get(rpath) or "")
        url = m.group(1) if m else None
        where = rpath
    elif rpath is None and len(ops) == 1 and ops[0][1] is not None:
        base = _nats(ops[0][1]).get("account_server_url")
        url = base + "/accounts" if base else None
        where = opath
    if url:
        yield ctx.finding("account-resolver-fetch-at-startup", "nats-server fetches accounts from %s at startup and "
                          "refuses to start when it cannot (could not fetch <\"%s/\">: ...): %s" % (url, url, ctx.where(where)),
                          where, hint="make sure the account server is reachable from this host before starting")


@check("operator-system-account-invalid", ERROR, C,
       "operator mode: system_account differs from the operator JWT's, is missing for a full/cache resolver, "
       "or is not preloaded for a MEMORY resolver")
def operator_system_account(result, ctx):
    opath, ops = operators(ctx)
    if opath is None:
        return
    code = "operator-system-account-invalid"
    spath, name = ctx.system_account()
    rpath, kind = resolver(ctx)
    known = [c for dummy, c in ops if c is not None]
    if name and known:
        sys_in_jwts = [_nats(c).get("system_account") for c in known]
        jwt_sys = [s for s in sys_in_jwts if s]
        if jwt_sys and name not in sys_in_jwts:
            yield ctx.finding(code, "system_account in config and operator JWT must be identical: %s vs %s in the "
                              "operator JWT (%s)" % (ctx.named(spath), quote(jwt_sys[0]), ctx.loc(opath)), spath,
                              hint="remove system_account (the JWT's is used) or set it to the JWT's account")
            return
    if not name and ops and ops[0][1] is not None and not _nats(ops[0][1]).get("system_account") and kind in ("DIR", "CACHE"):
        yield ctx.finding(code, "using nats based account resolver - the system account needs to be specified in "
                          "configuration or the operator jwt: %s" % ctx.where(rpath), rpath,
                          hint="set system_account to the system account's public key")
        return
    if kind == "MEM":
        sysname, where = _system_account(ctx, ops)
        if sysname:
            ppath, preload = ctx.block((), "resolver_preload")
            if not preload or sysname not in preload:
                yield ctx.finding(code, "error resolving system account: account missing: the MEMORY resolver (%s) has no "
                                  "resolver_preload entry for the system account %s from %s" % (
                                      ctx.loc(rpath), quote(sysname), where), rpath,
                                  hint="add the system account's JWT to resolver_preload")


@check("operator-server-version", ERROR, C, "the operator JWT asserts a newer nats-server version than the one checked for")
def operator_version(result, ctx):
    opath, ops = operators(ctx)
    for p, claims in ops:
        want = _nats(claims).get("assert_server_version")
        if not want:
            continue
        got = versions.version_numbers(str(want))
        if got is None:
            yield ctx.finding("operator-server-version", "operator %s expects version %s got error instead: %s" % (
                claims.get("sub"), want, ctx.where(p)), p, hint="fix assert_server_version in the operator JWT")
            continue
        for i, label in enumerate(("major", "minor", "update")):
            if got[i] > ctx.version[i]:
                yield ctx.finding("operator-server-version", "operator %s expected %s version %d > server %s version %d: "
                                  "%s" % (claims.get("sub"), label, got[i], label, ctx.version[i], ctx.where(p)), p,
                                  hint="upgrade nats-server or lower assert_server_version")
                break
            if got[i] < ctx.version[i]:
                break


@check("resolver-preload-read-only", ERROR, C, "resolver_preload with a read-only (URL) account resolver")
def preload_read_only(result, ctx):
    ppath, preload = ctx.block((), "resolver_preload")
    if not preload:
        return
    opath, ops = operators(ctx)
    rpath, kind = resolver(ctx)
    implicit = rpath is None and len(ops) == 1 and ops[0][1] is not None and _nats(ops[0][1]).get("account_server_url")
    if kind == "URL" or implicit:
        yield ctx.finding("resolver-preload-read-only", "resolver preloads only available for writeable resolver types "
                          "MEM/DIR/CACHE_DIR: %s with %s" % (ctx.where(ppath), ctx.where(rpath or opath)), ppath,
                          hint="use a MEMORY or full resolver, or drop resolver_preload")


@check("default-sentinel-invalid", ERROR, C, "operator mode: default_sentinel is not a bearer user JWT")
def default_sentinel(result, ctx):
    path, val = ctx.get((), "default_sentinel")
    if not val or not ctx.operator_mode():
        return
    claims = decode_jwt(val)
    nats = _nats(claims)
    if not claims or nats.get("type") != "user":
        yield ctx.finding("default-sentinel-invalid", "default sentinel JWT not valid: %s" % ctx.where(path), path,
                          hint="use a user JWT issued with --bearer")
        return
    if nats.get("bearer_token"):
        return
    perms_empty = not any(nats.get(k) for k in ("pub", "sub", "resp"))
    if nats.get("issuer_account") and perms_empty:
        return  # looks like a scoped user; checked at runtime
    yield ctx.finding("default-sentinel-invalid", "default sentinel must be a bearer token: %s" % ctx.where(path), path,
                      hint="issue the sentinel user with --bearer")
