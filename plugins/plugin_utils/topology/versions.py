# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Topology checks for members of one (super-)cluster that run different nats-server versions.

The version facts come from ``plugin_utils/versions.py``; each ``ParseResult`` carries the
``server_version`` it was parsed for. Imported by ``checks.py``, which registers the codes.
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils import versions
from ansible_collections.natsops.nats.plugins.plugin_utils.topology.model import (
    _find,
    _finding,
    _MAX_NAMES,
    _names,
    SCOPE,
    _show,
)


# --------------------------------------------------------------------------------------------
# versions: members of one (super-)cluster that run different nats-server versions
# (plugin_utils/versions.py; each ParseResult carries the server_version it was parsed for)


def server_version(srv):
    """The nats-server version of a Server (its ParseResult's server_version, default 2.15.1)."""
    return versions.parse_version(getattr(srv.result, "server_version", None))


def _mixed_groups(topo):
    """(Super-)clusters whose members run more than one nats-server version."""
    for group in topo.superclusters:
        if len(set(server_version(s) for s in group)) > 1:
            yield group


def _versioned_keys(result, max_depth=6):
    """{option path (versions.py form): config path} of the table's versioned keys this config sets."""
    out = {}
    stack = [((), result.config)]
    while stack:
        path, node = stack.pop()
        if len(path) > max_depth:
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                sub = path + (key,)
                name = versions.option_path(sub)
                if name in versions.KEYS and sub not in result.used:
                    out.setdefault(name, sub)
                stack.append((sub, value))
        elif isinstance(node, list):
            stack.extend((path + (i,), value) for i, value in enumerate(node))
    return out


def _same(topo, srv, others):
    """'cluster' when every one of others is in srv's cluster, else 'super-cluster' (clusters joined by gateways)."""
    mine = topo.cluster_of.get(srv.host)
    return "cluster" if all(topo.cluster_of.get(o.host) is mine for o in others) else "super-cluster"


def _hosts_versions(servers):
    return ", ".join("%s (%s)" % (s.host, server_version(s)) for s in servers[:_MAX_NAMES]) + (
        " and %d more" % (len(servers) - _MAX_NAMES) if len(servers) > _MAX_NAMES else "")


@check("version-key-skew", WARNING, SCOPE,
       "A server sets an option that the nats-server version of another member of its (super-)cluster does not know")
def _check_version_keys(topo):
    for group in _mixed_groups(topo):
        for srv in group:
            mine = server_version(srv)
            for name, path in sorted(_versioned_keys(srv.result).items()):
                if not versions.key_known(name, mine):
                    continue            # unknown here too: the single-config unknown-field check reports it
                lacking = [o for o in group if o is not srv and not versions.key_known(name, server_version(o))]
                if lacking:
                    yield _finding(
                        "version-key-skew",
                        "%s is known to nats-server %s (this server runs %s) but not to %s of the same %s: "
                        "their configs cannot carry it (unknown field), and this server cannot go back to their version "
                        "with it" % (versions.option_path(path), versions.key_versions(name), mine, _hosts_versions(lacking),
                                     _same(topo, srv, lacking)),
                        srv, path, hint="upgrade %s first, or leave %s out until every member runs a version that knows it"
                        % (_names(o.host for o in lacking), name))


@check("version-upgrade-path", ERROR, SCOPE,
       "Members of one (super-)cluster run versions that skip a required upgrade step (2.15 requires coming from 2.14.7 or later)")
def _check_version_upgrade_path(topo):
    for group in _mixed_groups(topo):
        newest = max(group, key=server_version)
        target = server_version(newest)
        for srv in group:
            problem = versions.upgrade_problem(server_version(srv), target)
            if problem:
                yield _finding(
                    "version-upgrade-path",
                    "%s runs nats-server %s while %s of the same %s runs %s: %s" % (
                        srv.host, server_version(srv), newest.host, _same(topo, srv, [newest]), target, problem),
                    srv, (), hint="upgrade %s to %s or later first (the release notes' upgrade path)"
                    % (srv.host, versions.upgrade_floor(target)))


@check("version-semantics-differ", WARNING, SCOPE,
       "An option value means different things on members of one (super-)cluster that run different nats-server versions")
def _check_version_semantics(topo):
    for entry in versions.DIFFERENCES:
        if entry.trap is None:
            continue
        names, value, before, after = entry.trap
        for group in _mixed_groups(topo):
            users = []
            for srv in group:
                key, found = _find(srv.result.config, names)
                if key is not None and found == value and not isinstance(found, bool):
                    users.append((srv, key))
            meanings = set(entry.holds(server_version(s)) for s, dummy in users)
            if len(meanings) < 2:
                continue
            for srv, key in users:
                here = entry.holds(server_version(srv))
                others = [s for s, dummy in users if entry.holds(server_version(s)) != here]
                yield _finding(
                    "version-semantics-differ",
                    "%s: %s %s on nats-server %s here but %s on %s" % (
                        key, _show(value), after if here else before, server_version(srv),
                        before if here else after, _hosts_versions(others)),
                    srv, (key,), hint="set a value that means the same on every version (%s)" % entry.summary)
