# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-server (topology) checks: what no single-file check can catch.

``validate_topology(results_by_host, addresses=None, disable=(), warnings_as_errors=False)``
takes a mapping of server id (an inventory host) to ``ParseResult`` plus optional
addresses (host -> address or list of names, e.g. ``ansible_host`` plus an FQDN) and returns ``[Finding]``.
``validate_configs`` does the same from configs of any form (text, values or ``ParseResult``).

The package's modules:

- ``model.py``: the ``Topology`` of ``Server`` objects (listeners, URLs, clusters, super-clusters) and
  the helpers findings are built with;
- ``links.py``: the checks of names, URLs and ports, gateways, routes, auth, TLS, pinned accounts,
  route pooling, leafnodes, reachability and port conflicts;
- ``versions.py``: the checks of members that run different nats-server versions;
- ``checks.py`` (this module): the entry points. Importing it imports the two check modules, so every
  topology code is registered.


Every finding has ``host`` set to the primary host, its file position, and a
message that names the other hosts and their positions.
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import (
    ERROR,
    Finding,
    apply_policy,
    cap_findings,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import checks
from ansible_collections.natsops.nats.plugins.plugin_utils import versions
from ansible_collections.natsops.nats.plugins.plugin_utils.topology import links, versions as version_checks  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.topology.model import SCOPE, Topology

INTERNAL_ERROR = "check-internal-error"  # registered by checks_engine (scope config); reused for crashed topology checks


# --------------------------------------------------------------------------------------------
# entry points


def build_topology(results_by_host, addresses=None):
    return Topology(results_by_host, addresses)


def validate_topology(results_by_host, addresses=None, disable=(), warnings_as_errors=False):
    """Run every registered topology check over {host: ParseResult}; return [Finding]."""
    topo = Topology(results_by_host or {}, addresses)
    return run_checks(topo, disable=disable, warnings_as_errors=warnings_as_errors)


def run_checks(topo, disable=(), warnings_as_errors=False):
    """Findings of every topology check, policy applied, at most MAX_FINDINGS_PER_CODE per code (the cap of
    single configs: one more finding says how many were left out)."""
    disabled = set(disable or ())
    findings = []
    for entry in checks(SCOPE):
        if entry.code in disabled:
            continue
        try:
            found = list(entry.func(topo) or ())
        except Exception as exc:  # pylint: disable=broad-except
            # a bug in one check must not hide the others' findings (nor become a traceback)
            found = [Finding(INTERNAL_ERROR, ERROR, "topology check %s failed: %s: %s" % (entry.code, type(exc).__name__, exc),
                             hint="disable %s to continue, and report this" % entry.code)]
        findings.extend(found)
    return cap_findings(apply_policy(findings, disabled, warnings_as_errors))


# --------------------------------------------------------------------------------------------
# configs of any form -> findings (shared by the filter and the action plugin)


def _with_host(finding, host):
    return Finding(finding.code, finding.severity, finding.message, finding.file, finding.line, finding.column,
                   finding.path, finding.hint, host)


def to_result(value, filename=None, env=None, loader=None, server_version=None):
    """ParseResult from a ParseResult, config text (str/bytes) or a dict of values (rendered, then parsed).

    Raises NatsConfError when the text does not parse, TypeError for any other kind of value.
    """
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import ParseResult
    if isinstance(value, ParseResult):
        return value
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser
    if isinstance(value, dict):
        from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import render
        value = render(value)
    if not isinstance(value, (str, bytes)):
        raise TypeError("expected config text or a dict of config values, got %s" % type(value).__name__)
    return conf_parser.parse_string(value, filename=filename, env=env, loader=loader, server_version=server_version)


def validate_configs(configs_by_host, addresses=None, disable=(), warnings_as_errors=False, config_checks=True,
                     env=None, loaders=None, filenames=None, server_versions=None):
    """Parse (when needed) and validate every server, then the topology.

    configs_by_host  {host: ParseResult | config text | dict of values}
    addresses        {host: address or [names]} (e.g. ansible_host) so URLs resolve to servers; the first
                     name is the address used for port collisions
    config_checks    also run the single-server checks of each config
    env              {host: {NAME: value}} for $VAR references
    loaders          {host: loader(path) -> bytes} for includes
    filenames        {host: file name} for positions of text values
    server_versions  {host: nats-server version} (plugin_utils/versions.py; default 2.15.1); each config is
                     parsed and checked for its host's version, and members of one (super-)cluster that run
                     different versions are compared (version-* checks). An unsupported version raises
                     versions.VersionError.

    Returns (findings, Topology). A config that does not parse gives one
    ``parse-error`` finding and takes no part in the topology.
    """
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
    disable = checks_engine.check_disable(disable)
    env = env or {}
    loaders = loaders or {}
    filenames = filenames or {}
    server_versions = dict((str(h), versions.parse_version(v)) for h, v in (server_versions or {}).items())
    findings = []
    parsed = {}
    for host, value in configs_by_host.items():
        host = str(host)
        try:
            result = to_result(value, filename=filenames.get(host), env=env.get(host), loader=loaders.get(host),
                               server_version=server_versions.get(host))
        except NatsConfError as exc:
            findings.extend(_with_host(f, host) for f in apply_policy(
                [checks_engine.parse_error_finding(exc)], disable, warnings_as_errors))
            continue
        parsed[host] = result
        if config_checks:
            findings.extend(_with_host(f, host) for f in checks_engine.validate(result, disable, warnings_as_errors))
    topo = Topology(parsed, addresses)
    findings.extend(run_checks(topo, disable=disable, warnings_as_errors=warnings_as_errors))
    return findings, topo


__all__ = ["build_topology", "validate_topology", "validate_configs", "to_result", "run_checks"]
