# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS blocks, as opts.go parseTLS and GenTLSConfig process them at ``nats-server -t``.

Every listener's ``tls`` (client, cluster, gateway and each ``gateways`` entry, leafnodes and each
remote, websocket, mqtt) and ``resolver_tls``. The server stops at the first problem of a block
(in Go's random map order); we report every one. Unknown keys are the option schema's
(``unknown-field``); the files themselves are host checks (``checks/host.py``).
"""

from __future__ import annotations

import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import go_type, quote
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.mappings import go_v
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import grammar

C = "config"
CODE = "tls-invalid"
PREFIX = "error parsing tls config"

# nats-server 2.15.1's cipherMap (`nats-server --help_tls`) and which of them Go calls insecure.
CIPHERS = frozenset((
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_SHA",
))
INSECURE_CIPHERS = frozenset((
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_SHA",
))
CURVES = frozenset(("SecP384r1MLKEM1024", "SecP256r1MLKEM768", "X25519MLKEM768", "X25519", "CurveP256", "CurveP384",
                    "CurveP521"))
TLS_VERSIONS = {"1.0": "TLS 1.0", "1.1": "TLS 1.1", "1.2": None, "1.3": None}
CERT_STORES = ("windowscurrentuser", "windowslocalmachine")
CERT_MATCH_BY = ("issuer", "subject", "thumbprint")
PIN_RE = re.compile(r"^[A-Fa-f0-9]{64}$")
PIN_TAIL = "does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo"

FILE_KEYS = ("cert_file", "key_file", "ca_file")
BOOL_KEYS = ("insecure", "verify", "verify_and_map", "verify_cert_and_check_known_urls", "allow_insecure_cipher_suites")
OCSP_PEER_DURATIONS = ("allowed_clockskew", "ca_timeout", "cache_ttl_when_next_update_unset")
OCSP_PEER_BOOLS = ("verify", "warn_only", "unknown_is_good", "allow_when_ca_unreachable")


def _conv(value, want):
    return "interface conversion: interface {} is %s, not %s" % (go_type(value), want)


def tls_blocks(ctx):
    """[(path of a tls map, client context)] -- client context: parseTLS(tk, true)."""
    out = []

    def add(parent, names, client):
        path, block = ctx.block(parent, *names)
        if block is not None:
            out.append((path, client))

    add((), ("tls",), True)
    add((), ("resolver_tls",), True)
    for names, client in ((("cluster",), False), (("gateway",), False), (("leafnodes", "leaf"), True),
                          (("websocket", "ws"), True), (("mqtt",), True)):
        bpath, blk = ctx.block((), *names)
        if blk is None:
            continue
        add(bpath, ("tls",), client)
        sub = {"gateway": "gateways", "leafnodes": "remotes", "leaf": "remotes"}.get(bpath[-1].lower())
        if sub:
            lpath, items = ctx.get(bpath, sub)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        add(lpath + (i,), ("tls",), client)
    return out


def _ocsp_peer(ppath, peer, out):
    """Errors at the ocsp_peer key: the server prints that position first (then the inner key's)."""
    for key, value in peer.items():
        kpath = ppath
        low = key.lower()
        if low in OCSP_PEER_BOOLS:
            if not isinstance(value, bool):
                out.append(("error parsing tls peer config, unknown field [%s]" % quote(key), kpath))
        elif low in OCSP_PEER_DURATIONS:
            if isinstance(value, str):
                err = grammar.duration_error(value)
                if err:
                    out.append(("error parsing tls peer config, conversion error: %s" % err, kpath))
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                out.append(("error parsing tls peer config, conversion error: unexpected type", kpath))
        else:
            out.append(("error parsing tls peer config, unknown field [%s]" % quote(key), kpath))


def _list_of_names(kpath, value, known, what, out):
    """cipher_suites / curve_preferences -> [names] (None when the list itself is refused)."""
    if not isinstance(value, list):
        return None  # the schema's interface conversion (option-wrong-type)
    if not value:
        out.append(("%s, '%s' cannot be empty" % (PREFIX, kpath[-1].lower()), kpath))
        return None
    names = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            out.append((_conv(item, "string"), kpath + (i,)))
            return None
        if item not in known:
            out.append(("unrecognized %s %s" % (what, item), kpath + (i,)))
            return None
        names.append(item)
    return names


def _certs(kpath, value, out):
    if not isinstance(value, list):
        out.append(("error parsing certificates config: unsupported type map[string]interface {}", kpath))
        return
    for i, pair in enumerate(value):
        ipath = kpath + (i,)
        if not isinstance(pair, dict):
            out.append(("error parsing certificates config: unsupported type %s" % go_type(pair), ipath))
            return
        files = {}
        for key, file_name in pair.items():
            if not isinstance(file_name, str):
                out.append(("error parsing certificates config: unsupported type %s" % go_type(file_name), ipath + (key,)))
                return
            if key not in ("cert_file", "key_file"):
                out.append(("error parsing tls certs config, unknown field %s" % quote(key), ipath + (key,)))
                return
            files[key] = file_name
        if not files.get("cert_file") or not files.get("key_file"):
            # the server points at the pair's key it read last (Go's map order): the only one, or our last
            where = ipath + (list(pair)[-1],) if pair else ipath
            out.append(("error parsing certificates config: both 'cert_file' and 'cert_key' options are required", where))
            return


def _field(kpath, low, value, client, state, out):
    # value types the schema declares (checks/schema.py TLS: cert_file ... cert_match_skip_invalid) are its
    # findings (option-wrong-type / option-invalid-value); this function adds what the values mean
    if low in FILE_KEYS:
        if isinstance(value, str):
            state[low] = value
    elif low in BOOL_KEYS:
        if value is True and low == "verify_cert_and_check_known_urls" and client:
            out.append(("verify_cert_and_check_known_urls not supported in this context", kpath))
        elif isinstance(value, bool) and low == "allow_insecure_cipher_suites":
            state["allow_insecure"] = value
    elif low == "cipher_suites":
        names = _list_of_names(kpath, value, CIPHERS, "cipher", out)
        state["insecure"] = [n for n in names or () if n in INSECURE_CIPHERS]
    elif low == "curve_preferences":
        _list_of_names(kpath, value, CURVES, "curve preference", out)
    elif low == "timeout":
        if isinstance(value, str):
            err = grammar.duration_error(value)
            if err:
                out.append(("%s, 'timeout' %s" % (PREFIX, err), kpath))
    elif low == "pinned_certs":
        if not isinstance(value, list):
            out.append(("%s, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded "
                        "SubjectPublicKeyInfo" % PREFIX, kpath))
            return
        for i, pin in enumerate(value):
            if not isinstance(pin, str):
                out.append((_conv(pin, "string"), kpath + (i,)))
                return
            if not PIN_RE.match(pin.lower()):
                out.append(("%s, 'pinned_certs' key %s %s" % (PREFIX, pin.lower(), PIN_TAIL), kpath + (i,)))
                return
    elif low == "cert_store":
        if isinstance(value, str) and value:
            if value.lower() not in CERT_STORES:
                out.append(("cert store type not implemented", kpath))
            else:
                # a Windows store: nats-server for Linux/macOS refuses it (host-dependent, always so off Windows)
                out.append(("cert_store not compatible with current operating system", kpath))
                state["cert_store"] = value
    elif low == "cert_match_by":
        if isinstance(value, str) and value and value.lower() not in CERT_MATCH_BY:
            out.append(("cert match by type not implemented", kpath))
    elif low == "ca_certs_match":
        if isinstance(value, list) and any(not isinstance(v, str) for v in value):
            out.append(("error parsing ca_cert_match: unsupported type *conf.token where string is expected", kpath))
    elif low in ("handshake_first", "first", "immediate"):
        if isinstance(value, str):
            if value.lower() not in ("true", "on", "false", "off", "auto", "auto_fallback") and \
                    grammar.duration_error(value):
                out.append(("field %s's value %s is invalid" % (quote(kpath[-1]), quote(value)), kpath))
        elif not isinstance(value, bool):
            out.append(("field %s should be a boolean or a string, got %s" % (quote(kpath[-1]), go_type(value)), kpath))
    elif low == "ocsp_peer":
        if isinstance(value, dict):
            _ocsp_peer(kpath, value, out)
        elif not isinstance(value, bool):
            out.append(("error parsing ocsp peer config: unsupported type map[string]interface {}", kpath))
    elif low in ("certs", "certificates"):
        _certs(kpath, value, out)
        state["certs"] = bool(value) if isinstance(value, list) else False
    elif low == "min_version":
        if not isinstance(value, str):
            out.append(("%s: 'min_version' wrong type: %s" % (PREFIX, go_v(value)), kpath))
        elif value not in TLS_VERSIONS:
            out.append(("%s: unknown version: %s" % (PREFIX, value), kpath))
        elif TLS_VERSIONS[value]:
            out.append(("%s: unsupported TLS version: %s" % (PREFIX, TLS_VERSIONS[value]), kpath))


def tls_problems(ctx, path, client):
    """[(message, path)] for one tls map, parseTLS's order first, then GenTLSConfig's."""
    block = ctx.result.get(path)
    out = []
    state = {}
    for key, value in block.items():
        if not isinstance(key, str):
            continue
        _field(path + (key,), key.lower(), value, client, state, out)
    if state.get("certs") and state.get("cert_file"):
        out.append(("%s, cannot combine 'cert_file' option with 'certs' option" % PREFIX, path))
    if state.get("insecure") and not state.get("allow_insecure"):
        out.append(("insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: %s"
                    % ", ".join(state["insecure"]), path))
    cert, key = state.get("cert_file"), state.get("key_file")
    if cert and state.get("cert_store"):
        out.append(("'cert_file' and 'cert_store' may not both be configured", path))
    elif cert and not key:
        out.append(("missing 'key_file' in TLS configuration", path))
    elif key and not cert:
        out.append(("missing 'cert_file' in TLS configuration", path))
    return out


@check(CODE, ERROR, C, "a tls block nats-server refuses: wrong value types, unknown ciphers or curves, min_version, "
       "pinned_certs, insecure ciphers, a certificate without its key")
def tls_invalid(result, ctx):
    for path, client in tls_blocks(ctx):
        for message, where in tls_problems(ctx, path, client):
            yield ctx.finding(CODE, "%s: %s" % (message, ctx.where(where)), where,
                              hint="see `nats-server --help_tls` for ciphers and curves")
