# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Operator-mode settings as opts.go processConfigFileLine reads them at ``nats-server -t``:
``resolver`` (string and map forms), ``resolver_preload`` (each value must be a valid account JWT),
``resolver_pinned_accounts``, ``operator`` value types and inline operator JWTs, ``trusted`` types and
``system_account`` type.

JWTs are decoded here (header, claims, type) and their ed25519 signature is verified against the
issuer's nkey when the Python library ``cryptography`` is installed (without it, only the shape is
checked). Operator JWT *files* live on the managed host: checks/host.py reads them.
"""

from __future__ import annotations

import base64
import json
import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import go_duration_str, go_type
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import grammar

C = "config"
CODE_RESOLVER = "resolver-invalid"
CODE_OPERATOR = "operator-options-invalid"
RESOLVER_KEYS = ("resolver", "account_resolver", "accounts_resolver")
OPERATOR_KEYS = ("operator", "operators", "roots", "root", "root_operators", "root_operator")
RESOLVER_SHAPE = ('error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type '
                  'state=[FULL|CACHE])')
_MEM = re.compile(r"(?i)(MEM|MEMORY)\s*")
_URL = re.compile(r"(?i)(?:URL)(?:\(\s*\"?([^\s\"]*)\"?\s*\))?\s*")
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
KNOWN_JWT_TYPES = ("operator", "account", "user", "activation", "generic", "authorization_request",
                   "authorization_response")


def _b64(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def nkey_public_bytes(key):
    """The 32 raw bytes of a public nkey (base32, 1 prefix byte, 2 CRC bytes), or None."""
    if not isinstance(key, str) or len(key) != 56 or any(c not in _B32 for c in key):
        return None
    try:
        raw = base64.b32decode(key + "=" * (-len(key) % 8))
    except (ValueError, TypeError):
        return None
    return raw[1:33] if len(raw) == 35 else None


def verify_signature(signing_input, signature, issuer):
    """True/False when cryptography can tell, None when it is not installed."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.exceptions import InvalidSignature
    except ImportError:
        return None
    public = nkey_public_bytes(issuer)
    if public is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, signing_input)
    except (InvalidSignature, ValueError):
        return False
    return True


def decode_jwt(text, kind):
    """(claims, None) of a NATS JWT of the given kind ("account", "operator"), or (None, reason)."""
    parts = text.split(".") if isinstance(text, str) else []
    if len(parts) != 3:
        return None, "expected 3 chunks"
    try:
        header = json.loads(_b64(parts[0]).decode("utf-8"))
        claims = json.loads(_b64(parts[1]).decode("utf-8"))
        signature = _b64(parts[2])
    except (ValueError, UnicodeDecodeError, TypeError):
        return None, "invalid encoding"
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None, "invalid encoding"
    if str(header.get("alg", "")).lower() not in ("ed25519", "ed25519-nkey"):
        return None, 'unexpected "%s" algorithm' % header.get("alg")
    nats = claims.get("nats") if isinstance(claims.get("nats"), dict) else {}
    typ = nats.get("type", claims.get("type", ""))
    if typ != kind:
        if typ in KNOWN_JWT_TYPES:
            return None, "not %s claim" % kind
        return None, 'not supported type "%s"' % typ
    if str(header.get("alg")).lower() == "ed25519":
        # a v1 JWT signs the claims chunk alone
        if verify_signature(parts[1].encode("ascii"), signature, claims.get("iss")) is False:
            return None, "claim failed V1 signature verification"
    elif verify_signature(("%s.%s" % (parts[0], parts[1])).encode("ascii"), signature, claims.get("iss")) is False:
        return None, "claim failed V2 signature verification"
    return claims, None


def resolver_problems(ctx):
    """[(code, message, path)] of the resolver settings."""
    out = []
    path = ctx.key((), *RESOLVER_KEYS)
    if path is not None:
        value = ctx.result.get(path)
        if isinstance(value, str):
            if not _MEM.search(value) and not _URL.search(value):
                out.append((CODE_RESOLVER, RESOLVER_SHAPE, path))
        elif isinstance(value, dict):
            out.extend((CODE_RESOLVER, m, p) for m, p in _resolver_map(ctx, path, value))
    # value types (resolver, resolver_preload, resolver_pinned_accounts, the resolver map's keys, operator,
    # trusted, system_account) are the option schema's findings (checks/schema.py TOP and RESOLVER_MAP)
    ppath, preload = ctx.get((), "resolver_preload")
    if ppath is not None:
        if isinstance(preload, dict):
            for key, jwt in preload.items():
                kpath = ppath + (key,)
                if not isinstance(jwt, str):
                    out.append((CODE_RESOLVER, "preload map value should be a string JWT", kpath))
                elif decode_jwt(jwt, "account")[1] is not None:
                    out.append((CODE_RESOLVER, "invalid account JWT", kpath))
    ppath, pinned = ctx.get((), "resolver_pinned_accounts")
    if ppath is not None:
        if isinstance(pinned, list):
            for i, item in enumerate(pinned):
                if not isinstance(item, str):
                    out.append((CODE_RESOLVER, "error parsing resolver_pinned_accounts: unsupported type in array %s"
                                % go_type(item), ppath + (i,)))
    return out


def _resolver_map(ctx, path, value):
    out = []
    typed = {}
    for name, want in (("dir", "string"), ("type", "string"), ("allow_delete", "bool"), ("hard_delete", "bool"),
                       ("limit", "int64"), ("ttl", "string"), ("interval", "string"), ("timeout", "string")):
        if name not in value:   # the server looks these up case-sensitively
            continue
        v = value[name]
        ok = {"string": isinstance(v, str), "bool": isinstance(v, bool),
              "int64": isinstance(v, int) and not isinstance(v, bool)}[want]
        if not ok:
            return out  # the server panics here; the schema reports the interface conversion
        typed[name] = v
    durations = {}
    for name in ("ttl", "interval", "timeout"):
        if name in typed:
            ns, err = grammar.go_duration(typed[name])
            if err:
                out.append((err, path))
                return out
            durations[name] = ns
    kind = typed.get("type", "").upper()
    if kind in ("CACHE", "FULL") and not typed.get("dir"):
        out.append(("dir has no value and needs to point to a directory", path))
    if kind == "CACHE":
        if durations.get("interval"):
            out.append(("CACHE does not accept sync", path))
        if typed.get("allow_delete"):
            out.append(("CACHE does not accept allow_delete", path))
        if "hard_delete" in typed:
            out.append(("CACHE does not accept hard_delete", path))
    elif kind == "FULL":
        if durations.get("ttl"):
            out.append(("FULL does not accept ttl", path))
        if "hard_delete" in typed and not typed.get("allow_delete"):
            out.append(("hard_delete has no effect without delete", path))
    if kind in ("CACHE", "FULL") and "timeout" in durations and durations["timeout"] <= 0:
        out.append(("Fetch timeout %s is too smal" % go_duration_str(durations["timeout"]), path))
    if kind not in ("CACHE", "FULL", "MEM", "MEMORY"):
        out.append((RESOLVER_SHAPE, path))
    return out


def operator_problems(ctx):
    out = []
    path = ctx.key((), *OPERATOR_KEYS)
    if path is not None:
        value = ctx.result.get(path)
        names = []
        if isinstance(value, str):
            names = [value]
        elif isinstance(value, list):
            for item in value:
                if not isinstance(item, str):
                    out.append((CODE_OPERATOR, "error parsing operators: unsupported type *conf.token where string is "
                                "expected", path))
                    break
                names.append(item)
        for name in names:
            # a value that is not a file on the host but starts like a JWT is read inline (files: host checks)
            if name.startswith("eyJ") and "/" not in name:
                reason = decode_jwt(name.strip(), "operator")[1]
                if reason is not None:
                    out.append((CODE_OPERATOR, "error parsing operator JWT: %s" % reason, path))
    tpath, trusted = ctx.get((), "trusted", "trusted_keys")
    if tpath is not None:
        if isinstance(trusted, list):
            for i, item in enumerate(trusted):
                if not isinstance(item, str):
                    out.append((CODE_OPERATOR, "error parsing trusted: unsupported type in array %s" % go_type(item),
                                tpath + (i,)))
    return out


def _emit(ctx, code, problems, hint):
    for c, message, path in problems:
        if c == code:
            yield ctx.finding(code, "%s: %s" % (message, ctx.where(path)), path, hint=hint)


@check(CODE_RESOLVER, ERROR, C, "resolver, resolver_preload or resolver_pinned_accounts settings nats-server refuses "
       "(shape, types, durations, FULL/CACHE options, account JWTs that do not decode or verify)")
def resolver_invalid(result, ctx):
    return _emit(ctx, CODE_RESOLVER, resolver_problems(ctx),
                 'resolver is MEMORY, URL("http://...") or {type: full|cache, dir: "..."}')


@check(CODE_OPERATOR, ERROR, C, "operator or trusted list entries that are not strings, or an inline operator JWT "
       "that does not decode")
def operator_options_invalid(result, ctx):
    return _emit(ctx, CODE_OPERATOR, operator_problems(ctx), "operator is the path of the operator JWT (or the JWT)")
