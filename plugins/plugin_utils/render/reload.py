# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which config changes a running nats-server applies on reload (SIGHUP) and which it refuses.

The one place of this knowledge in the collection: ``RULES`` is data, read from the
server's own decision (``diffOptions`` in nats-server ``server/reload.go``) and verified
per release line against the real binaries (tests/integration/targets/nats_reload_table
changes every key below on a running server, sends SIGHUP and reads the verdict).

A refused reload is silent for the service manager: ``systemctl reload`` succeeds, the
server logs ``config reload not supported for ...`` and keeps running the old config.
So every change the table does not know is treated as needing a restart (the server's own
default branch refuses every option it does not list).

``RULES`` entries: ``Rule(path, decision, since, until, change)``

* ``path``: dotted config keys, lower-case, after ``ALIASES`` (``leaf`` -> ``leafnodes``);
* ``decision``: ``reload`` or ``restart``;
* ``since``/``until``: the server versions the entry is true for (``until`` excluded),
  ``None`` for open ends;
* ``change``: ``any`` (the value differs), ``increase`` (a number set in both configs
  grows), ``presence`` (the block is added or removed).

For one changed key the first entry (in table order) whose path, change and version
match decides; a key without an entry takes the decision of its nearest parent entry,
and restart when there is none.
"""

from __future__ import annotations

import collections

from ansible_collections.natsops.nats.plugins.plugin_utils.versions import VersionError, parse_version

RELOAD = "reload"
RESTART = "restart"

Rule = collections.namedtuple("Rule", "path decision since until change")


def _r(path, decision, since=None, until=None, change="any"):
    return Rule(path, decision, since, until, change)


# Config key spellings the server treats as one option (any nesting level).
ALIASES = {
    "js": "jetstream",
    "leaf": "leafnodes",
    "net": "host",
    "max_subs": "max_subscriptions",
    "max_conn": "max_connections",
    "system": "system_account",
    "logfile": "log_file",
    "log_file_max_num": "logfile_max_num",
    "max_mem": "max_memory_store",
    "max_memory": "max_memory_store",
    "max_file": "max_file_store",
    "max_store": "max_file_store",
    "store": "store_dir",
    "storedir": "store_dir",
    "no_sublist_cache": "disable_sublist_cache",
    "monitor_port": "http_port",
}

RULES = (
    # -- what a reload applies, top level ------------------------------------------------
    _r("debug", RELOAD),
    _r("trace", RELOAD),
    _r("trace_verbose", RELOAD),
    _r("logtime", RELOAD),
    _r("logtime_utc", RELOAD),
    _r("log_file", RELOAD),
    _r("syslog", RELOAD),
    _r("remote_syslog", RELOAD),
    _r("tls", RELOAD),
    _r("authorization", RELOAD),
    _r("accounts", RELOAD),
    _r("max_connections", RELOAD),
    _r("pid_file", RELOAD),
    _r("ports_file_dir", RELOAD),
    _r("max_control_line", RELOAD),
    _r("max_payload", RELOAD),
    _r("ping_interval", RELOAD),
    _r("ping_max", RELOAD),
    _r("write_deadline", RELOAD),
    _r("client_advertise", RELOAD),
    _r("connect_error_reports", RELOAD),
    _r("reconnect_error_reports", RELOAD),
    _r("max_traced_msg_len", RELOAD),
    _r("server_tags", RELOAD),
    _r("server_metadata", RELOAD, since="2.12.0"),
    _r("server_metadata", RESTART),  # unknown before 2.12: the server does not start with it
    _r("prof_block_rate", RELOAD),
    _r("no_fast_producer_stall", RELOAD),
    # -- what a reload refuses, top level -----------------------------------------------
    _r("server_name", RESTART),
    _r("listen", RESTART),
    _r("host", RESTART),
    _r("port", RESTART),
    _r("http", RESTART),
    _r("https", RESTART),
    _r("http_port", RESTART),
    _r("https_port", RESTART),
    _r("http_base_path", RESTART),
    _r("prof_port", RESTART),
    _r("max_pending", RESTART),
    _r("max_subscriptions", RESTART),
    _r("max_closed_clients", RESTART),
    _r("lame_duck_duration", RESTART),
    _r("lame_duck_grace_period", RESTART),
    _r("system_account", RESTART),
    _r("no_system_account", RESTART),
    _r("feature_flags", RESTART),
    _r("disable_sublist_cache", RESTART),
    _r("no_header_support", RESTART),
    _r("write_timeout", RESTART),
    _r("no_auth_user", RESTART),
    _r("operator", RESTART),
    _r("resolver", RESTART, change="presence"),
    _r("resolver", RELOAD),
    # -- cluster: everything but the listener reloads (routes, authorization, tls, pool) --
    _r("cluster", RESTART, change="presence"),
    _r("cluster.listen", RESTART),
    _r("cluster.host", RESTART),
    _r("cluster.port", RESTART),
    _r("cluster", RELOAD),
    # -- gateway: only TLS reloads ---------------------------------------------------------
    _r("gateway.tls", RELOAD),
    _r("gateway", RESTART),
    # -- leafnodes: remotes (2.14+), tls and compression reload ----------------------------
    _r("leafnodes", RESTART, change="presence"),
    _r("leafnodes.remotes", RELOAD, since="2.14.0"),
    _r("leafnodes.remotes", RESTART),
    _r("leafnodes.tls", RELOAD),
    _r("leafnodes.compression", RELOAD),
    _r("leafnodes", RESTART),
    # -- jetstream -------------------------------------------------------------------------
    _r("jetstream.store_dir", RESTART),
    _r("jetstream.max_memory_store", RELOAD, since="2.12.7", change="increase"),
    _r("jetstream.max_memory_store", RESTART),
    _r("jetstream.max_file_store", RELOAD, since="2.12.7", change="increase"),
    _r("jetstream.max_file_store", RESTART),
    _r("jetstream.limits", RELOAD, since="2.15.0"),
    _r("jetstream.limits", RESTART),
    _r("jetstream", RESTART),
    # -- websocket and mqtt: tls and the mqtt delivery knobs reload --------------------------
    _r("websocket.tls", RELOAD),
    _r("websocket", RESTART),
    _r("mqtt.tls", RELOAD),
    _r("mqtt.ack_wait", RELOAD),
    _r("mqtt.max_ack_pending", RELOAD),
    _r("mqtt.stream_replicas", RELOAD),
    _r("mqtt.consumer_replicas", RELOAD),
    _r("mqtt.consumer_memory_storage", RELOAD),
    _r("mqtt.consumer_inactive_threshold", RELOAD),
    _r("mqtt", RESTART),
)

_PATHS = frozenset(r.path for r in RULES)
_PREFIXES = frozenset(".".join(r.path.split(".")[:i]) for r in RULES for i in range(1, r.path.count(".") + 1))
_MISSING = object()


def version_tuple(version):
    """'2.14.6' / 'v2.14.6' / 'nats-server: v2.14.6' (``--version``) / '2.15.0-RC.1' -> the collection's
    ServerVersion (``versions.parse_version``, the one version parser); None, '', unparsable or an
    unsupported line -> None (only what reloads on every version reloads)."""
    if version is None:
        return None
    if isinstance(version, tuple):
        return tuple(version)
    text = str(version).strip()
    if not text:
        return None
    try:
        return parse_version(text, reported=True)
    except VersionError:
        return None


def applies(rule, version):
    """Whether ``rule`` holds for ``version`` (a tuple or None = every version)."""
    if version is None:
        return rule.since is None and rule.until is None
    if rule.since is not None and version < version_tuple(rule.since):
        return False
    if rule.until is not None and version >= version_tuple(rule.until):
        return False
    return True


def _key(key):
    key = str(key).lower()
    return ALIASES.get(key, key)


def _norm(value):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out[_key(k)] = _norm(v)
        return out
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    return value


def _jetstream_block(value):
    """`jetstream: enabled` / true -> {}; false / disabled -> missing; a map stays."""
    if value is _MISSING or isinstance(value, dict):
        return value
    if value is True or str(value).lower() in ("enabled", "enable", "true", "yes", "on"):
        return {}
    return _MISSING


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _matches(rule, old, new, version):
    if not applies(rule, version):
        return False
    if rule.change == "presence":
        return (old is _MISSING) != (new is _MISSING)
    if rule.change == "increase":
        o, n = _number(old), _number(new)
        return o is not None and n is not None and n > o
    return True


def _decide(path, old, new, version):
    """(decision, rule or None) for one changed key."""
    probe = path
    while probe:
        for rule in RULES:
            if rule.path == probe and _matches(rule, old if probe == path else 0, new if probe == path else 0, version):
                if probe != path and rule.change != "any":
                    continue
                return rule.decision, rule
        probe = probe.rpartition(".")[0]
    return RESTART, None


def changes(old, new, version=None):
    """Every changed key of ``new`` over ``old`` (parsed config dicts) with its decision.

    Returns ``[(dotted path, decision)]`` sorted by path. ``version`` is the version of the
    running server (string or tuple); ``None`` takes the entries true for every version.
    """
    if isinstance(version, str) or version is None:
        version = version_tuple(version)
    out = []
    _walk(_norm(old or {}), _norm(new or {}), "", version, out)
    return sorted(out)


def _walk(old, new, prefix, version, out):
    for key in sorted(set(old) | set(new)):
        o, n = old.get(key, _MISSING), new.get(key, _MISSING)
        path = prefix + key
        if path == "jetstream":
            o, n = _jetstream_block(o), _jetstream_block(n)
        if o == n:
            continue
        if path in _PREFIXES and isinstance(o, dict) and isinstance(n, dict):
            _walk(o, n, path + ".", version, out)
            continue
        decision, dummy = _decide(path, o, n, version)
        out.append((path, decision))


def restart_reasons(old, new, version=None):
    """The changed keys that a reload would not apply (sorted); empty when a reload is enough.

    ``old`` None means there is no previous config (the server has to be started).
    """
    if old is None:
        return ["(no previous config)"]
    return [path for path, decision in changes(old, new, version) if decision == RESTART]


def credential_changes(old, new):
    """The route/gateway authorization blocks whose credentials differ (``cluster.authorization``,
    ``gateway.authorization``); empty without a previous config.

    Routes and gateways accept one user each: changing it on running servers one at a time makes
    every updated server reject the connections of the servers not yet updated."""
    if old is None:
        return []
    old_l, new_l = _norm(old), _norm(new)
    out = []
    for block in ("cluster", "gateway"):
        ob, nb = old_l.get(block), new_l.get(block)
        if not isinstance(ob, dict) or not isinstance(nb, dict):
            continue
        if ob.get("authorization") != nb.get("authorization"):
            out.append(block + ".authorization")
    return out
