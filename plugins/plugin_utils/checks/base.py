# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers of the single-config checks (``_nats_checks_*`` modules).

A config check is a function ``func(result, ctx)`` registered with
``checks_registry.check(code, severity, "config", summary)``; ``result`` is the
``ParseResult`` and ``ctx`` a ``Context`` (server defaults plus helpers that
look keys up the way nats-server does: case-insensitive, with aliases).
It yields ``Finding`` objects (use ``ctx.finding``).
"""

from __future__ import annotations

import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Finding, format_path
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import grammar
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
from ansible_collections.natsops.nats.plugins.plugin_utils import versions

NS = 1
US = 1000
MS = 1000 * US
SEC = 1000 * MS
MIN = 60 * SEC
HOUR = 60 * MIN

# Defaults nats-server fills in before validating (setBaselineOptions).
DEFAULTS = {
    "max_pending": 64 * 1024 * 1024,
    "max_payload": 1024 * 1024,
    "lame_duck_duration": 2 * MIN,
    "lame_duck_grace_period": 10 * SEC,
    "client_port": 4222,
    "cluster_pool_size": 3,
}

SYS_ACCOUNT = "$SYS"
GLOBAL_ACCOUNT = "$G"


def parse_go_duration(text):
    """Go time.ParseDuration -> int nanoseconds, or None when invalid (grammar in conf/grammar.py)."""
    return grammar.parse_go_duration(text)


def duration_error(text):
    """Go's time.ParseDuration error text for text, None when it is a valid duration."""
    return grammar.duration_error(text)


def _fmt_frac(value, unit):
    """value (int) / unit as Go prints it: trailing zeros dropped."""
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return ("%d.%0*d" % (whole, digits, frac)).rstrip("0")


def go_duration_str(ns):
    """Go time.Duration.String() of int nanoseconds (e.g. 180s -> '3m0s')."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < SEC:
        if ns < US:
            return "%s%dns" % (sign, ns)
        if ns < MS:
            return u"%s%s\u00b5s" % (sign, _fmt_frac(ns, US))
        return "%s%sms" % (sign, _fmt_frac(ns, MS))
    hours, rest = divmod(ns, HOUR)
    mins, rest = divmod(rest, MIN)
    out = sign
    if hours:
        out += "%dh" % hours
    if hours or mins:
        out += "%dm" % mins
    return out + "%ss" % _fmt_frac(rest, SEC)


def split_host_port(text):
    """Go net.SplitHostPort -> (host, port_str); raises ValueError with Go's reason."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError("address %s: missing ']' in address" % text)
        host = text[1:end]
        rest = text[end + 1:]
        if not rest:
            raise ValueError("address %s: missing port in address" % text)
        if not rest.startswith(":"):
            raise ValueError("address %s: missing port in address" % text)
        port = rest[1:]
        if ":" in port:
            raise ValueError("address %s: too many colons in address" % text)
        return host, port
    idx = text.rfind(":")
    if idx < 0:
        raise ValueError("address %s: missing port in address" % text)
    host, port = text[:idx], text[idx + 1:]
    if ":" in host:
        raise ValueError("address %s: too many colons in address" % text)
    if "[" in host or "]" in host or "]" in port:
        raise ValueError("address %s: unexpected '[' in address" % text)
    return host, port


def go_atoi(text):
    """strconv.Atoi: int or None."""
    if re.match(r"^[+-]?[0-9]+$", text or ""):
        return int(text)
    return None


def go_type(value):
    """The Go type name nats-server's option code sees for a parsed value."""
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, GoTime):
        return "time.Time"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return type(value).__name__


def quote(value):
    """Go %q of a string (good enough for names and URLs)."""
    text = str(value)
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def is_public_key(value, prefix):
    """Looks like an nkey public key of the given kind (A account, O operator, U user, N server)."""
    return isinstance(value, str) and len(value) == 56 and value[:1] == prefix and re.match(r"^[A-Z2-7]+$", value) is not None


class Context(object):
    """Lookup helpers over one ParseResult plus the server's defaults."""

    def __init__(self, result, defaults=None):
        self.result = result
        self.config = result.config if isinstance(result.config, dict) else {}
        self.defaults = dict(DEFAULTS)
        self.defaults.update(defaults or {})
        # the nats-server version the config is checked for (plugin_utils/versions.py)
        self.version = versions.parse_version(getattr(result, "server_version", None))
        self.unknown_keys = versions.unknown_keys(self.version)

    def feature(self, name):
        """True when the version difference ``name`` (plugin_utils/versions.py) holds for this config's version."""
        return versions.feature(name, self.version)

    def key_known(self, path):
        """False when the key at config path ``path`` is unknown to this version (its 2.15.1 schema knows it)."""
        return not self.unknown_keys or versions.option_path(path) not in self.unknown_keys

    # -- lookups ---------------------------------------------------------
    def node(self, path):
        return self.result.get(tuple(path)) if path else self.config

    def key(self, parent, *names):
        """Actual path of the first key of the map at parent matching one of names (case-insensitive)."""
        node = self.node(parent)
        if not isinstance(node, dict):
            return None
        wanted = [n.lower() for n in names]
        found = None
        best = None
        for k in node:
            if not isinstance(k, str):
                continue
            low = k.lower()
            if low in wanted:
                rank = wanted.index(low)
                if best is None or rank < best:
                    best = rank
                    found = tuple(parent) + (k,)
        return found

    def get(self, parent, *names, **kw):
        """(path, value) of the key, or (None, default)."""
        path = self.key(parent, *names)
        if path is None:
            return None, kw.get("default")
        return path, self.result.get(path)

    def value(self, parent, *names, **kw):
        return self.get(parent, *names, **kw)[1]

    def block(self, parent, *names):
        """(path, dict) of a map-valued key, or (None, None)."""
        path, val = self.get(parent, *names)
        if isinstance(val, dict):
            return path, val
        return None, None

    def items(self, parent):
        """[(path, key_lower, value)] of the map at parent."""
        node = self.node(parent)
        if not isinstance(node, dict):
            return []
        return [(tuple(parent) + (k,), k.lower() if isinstance(k, str) else k, v) for k, v in node.items()]

    # -- positions -------------------------------------------------------
    def pos(self, path):
        return self.result.pos(tuple(path)) if path else None

    def loc(self, path):
        """'file:line:col' of a key, or '' when unknown."""
        p = self.pos(path) if path else None
        if p is None:
            return ""
        return "%s:%d:%d" % (p[0] or "<string>", p[1], p[2])

    def where(self, path):
        """'cluster.name (nats.conf:6:3)'."""
        loc = self.loc(path)
        text = format_path(path)
        return "%s (%s)" % (text, loc) if loc else text

    def named(self, path, value=None):
        """'cluster.name "c" (nats.conf:6:3)'."""
        if value is None:
            value = self.result.get(tuple(path))
        loc = self.loc(path)
        text = "%s %s" % (format_path(path), quote(value))
        return "%s (%s)" % (text, loc) if loc else text

    # -- findings --------------------------------------------------------
    def finding(self, code, message, path=None, hint=None, severity=None):
        entry = REGISTRY.get(code)
        sev = severity or (entry.severity if entry else "error")
        return Finding.at(code, sev, message, self.pos(path) if path else None, path=path, hint=hint)

    # -- derived facts ---------------------------------------------------
    def operator_mode(self):
        return self.key((), "operator", "operators", "roots", "root", "root_operators", "root_operator") is not None

    def operator_count(self):
        dummy, val = self.get((), "operator", "operators", "roots", "root", "root_operators", "root_operator")
        if isinstance(val, list):
            return len(val)
        return 1 if val is not None else 0

    def accounts(self):
        """{name: path} of accounts defined in the top-level `accounts` block."""
        path, acc = self.block((), "accounts")
        out = {}
        if acc:
            for k in acc:
                out[k] = path + (k,)
        return out

    def system_account(self):
        """(path, name) of an explicit system_account, or (None, None)."""
        path, val = self.get((), "system_account", "system")
        if isinstance(val, str) and val:
            return path, val
        return None, None

    def no_system_account(self):
        val = self.value((), "no_system_account", "no_system", "no_sys_acc")
        return val is True

    def account_defined(self, name):
        if name in (GLOBAL_ACCOUNT,):
            return True
        if name == SYS_ACCOUNT and not self.no_system_account():
            return True
        return name in self.accounts()

    def users(self):
        """[(path, username_or_nkey)] of users/nkeys in authorization and accounts."""
        out = []
        apath, auth = self.block((), "authorization")
        if auth:
            upath, users = self.get(apath, "users")
            if isinstance(users, list):
                for i, u in enumerate(users):
                    out.extend(self._user_names(upath + (i,), u))
        for name, path in self.accounts().items():
            upath, users = self.get(path, "users")
            if isinstance(users, list):
                for i, u in enumerate(users):
                    out.extend(self._user_names(upath + (i,), u))
        return out

    def _user_names(self, path, user):
        if not isinstance(user, dict):
            return []
        out = []
        p, name = self.get(path, "user", "username")
        if isinstance(name, str):
            out.append((p, name))
        p, nkey = self.get(path, "nkey")
        if isinstance(nkey, str):
            out.append((p, nkey))
        return out

    def has_users_or_nkeys(self):
        return bool(self.users())

    def port_of(self, block_path, default=None):
        """(path, port) a listener block binds: listen's port, or `port`; default when neither."""
        lpath, listen = self.get(block_path, "listen")
        ppath, port = self.get(block_path, "port")
        found = None
        if isinstance(listen, int) and not isinstance(listen, bool):
            found = (lpath, listen)
        elif isinstance(listen, str):
            try:
                dummy, p = split_host_port(listen)
                n = go_atoi(p)
                if n is not None:
                    found = (lpath, n)
            except ValueError:
                pass
        if isinstance(port, int) and not isinstance(port, bool):
            # listen and port: both set the port; the server's map order decides. Prefer port when both.
            if found is None or lpath is None:
                found = (ppath, port)
            else:
                found = (ppath, port) if found[1] == 0 else found
        if found is None and default is not None:
            return None, default
        return found if found else (None, None)

    def host_of(self, block_path):
        lpath, listen = self.get(block_path, "listen")
        if isinstance(listen, str):
            try:
                return split_host_port(listen)[0]
            except ValueError:
                return None
        return self.value(block_path, "host", "net")

    def has_port(self, block_path):
        """True when the block defines a non-zero port (the server then enables the listener)."""
        dummy, port = self.port_of(block_path)
        return port is not None and port != 0

    def cluster_listening(self):
        path, dummy = self.block((), "cluster")
        return path is not None and self.has_port(path)

    def gateway_listening(self):
        path, dummy = self.block((), "gateway")
        return path is not None and self.has_port(path)

    def leaf_listening(self):
        path, dummy = self.block((), "leafnodes", "leaf")
        return path is not None and self.has_port(path)

    def leaf_remotes(self):
        path, dummy = self.block((), "leafnodes", "leaf")
        if path is None:
            return None, []
        rpath, remotes = self.get(path, "remotes")
        if not isinstance(remotes, list):
            return rpath, []
        return rpath, [(rpath + (i,), r) for i, r in enumerate(remotes) if isinstance(r, dict)]

    def jetstream_enabled(self):
        """True when `jetstream` enables JetStream (map without enabled:false, true, 'enabled', ...)."""
        dummy, js = self.get((), "jetstream")
        if js is None:
            return False
        if isinstance(js, bool):
            return js
        if isinstance(js, str):
            return js.lower() in ("enabled", "enable")
        if isinstance(js, dict):
            for k, v in js.items():
                low = k.lower() if isinstance(k, str) else k
                if low in ("enabled", "enable") and isinstance(v, bool):
                    return v
            return True
        return False
