# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authorization ``timeout`` values (opts.go parseAuthorization, parseLeafAuthorization) and the
deprecated cluster authorization ``permissions``.

A timeout over 60 seconds and cluster authorization permissions are warnings to nats-server, but
``nats-server -t`` exits 1 on any warning, so for our verdict they are errors.
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.mappings import go_v
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import grammar

C = "config"
CODE_TIMEOUT = "auth-timeout-invalid"
CODE_PERMS = "cluster-authorization-permissions"
HIGH = ("timeout of %s (%.6f seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted "
        "duration; use '1m' instead of 1m, for example")


def authorization_blocks(ctx):
    """[(path of an authorization map, label for the error text)]."""
    out = []
    path, block = ctx.block((), "authorization")
    if block is not None:
        out.append((path, "authorization"))
    for names in (("cluster",), ("gateway",), ("leafnodes", "leaf")):
        bpath, blk = ctx.block((), *names)
        if blk is None:
            continue
        path, block = ctx.block(bpath, "authorization")
        if block is not None:
            out.append((path, "leafnode authorization" if bpath[-1].lower() in ("leafnodes", "leaf") else "authorization"))
    return out


def timeout_problem(label, key, value):
    """(message, is a -t warning) of one authorization timeout value, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None  # the option schema's option-wrong-type ("... 'timeout' wrong type")
    if isinstance(value, str):
        ns, err = grammar.go_duration(value)
        if err:
            return "error parsing %s config, 'timeout' %s" % (label, err), False
        seconds = ns / 1e9
    else:
        seconds = float(value)
    if seconds > 60:
        return 'invalid use of field "%s": %s' % (key, HIGH % (go_v(value), seconds)), True
    return None


@check(CODE_TIMEOUT, ERROR, C, "an authorization/leafnode authorization timeout that is not a duration or number, or is "
       "over 60 seconds (a warning that makes nats-server -t exit 1)")
def auth_timeout(result, ctx):
    for apath, label in authorization_blocks(ctx):
        tpath, value = ctx.get(apath, "timeout")
        if tpath is None:
            continue
        found = timeout_problem(label, tpath[-1], value)
        if found:
            message, high = found
            hint = "keep it under 60 seconds; quote durations (\"2s\")" if high else 'write seconds (2) or a duration ("2s")'
            yield ctx.finding(CODE_TIMEOUT, "%s: %s" % (message, ctx.where(tpath)), tpath, hint=hint)


@check(CODE_PERMS, ERROR, C, "permissions inside cluster.authorization (deprecated: a warning that makes nats-server -t "
       "exit 1)")
def cluster_authorization_permissions(result, ctx):
    cpath, cluster = ctx.block((), "cluster")
    if cluster is None:
        return
    apath, auth = ctx.block(cpath, "authorization")
    if auth is None:
        return
    ppath = ctx.key(apath, "default_permission", "default_permissions", "permissions")
    if ppath is not None:
        yield ctx.finding(CODE_PERMS, 'invalid use of field "%s": setting "permissions" within cluster authorization block is '
                          "deprecated: %s" % (apath[-1], ctx.where(apath)), apath,
                          hint="move them to cluster.permissions")
