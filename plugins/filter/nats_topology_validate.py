# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""natsops.nats.nats_topology_validate filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nats_topology_validate
short_description: Validate a NATS super-cluster across servers (routes, gateways, leafnodes)
version_added: 0.1.0
author:
  - natsops.nats contributors (@natsops)
description:
  - Takes the config of every server (by inventory host) and reports what no single-file check can catch,
    such as cluster members that disagree on the cluster name, a C(gateways) entry whose name is not the
    remote cluster's name, gateway or route URLs that point at the wrong kind of port, a C(server_name)
    used twice in a super-cluster, or system accounts that differ across gateways.
  - Route, gateway and leafnode URLs are resolved to the given servers by host name (the inventory host,
    its address from O(addresses), or the listener's bind address) and port.
  - Returns the findings as a list of dicts; an empty list means no problem was found. It never fails on
    a finding (use the M(natsops.nats.nats_topology) module for that).
  - Secrets never appear in a finding; the user info of a URL (user and password, or a token) is shown as
    C(********) (C(nats://********@host:6222)), like everywhere in the collection.
  - Config text that does not parse gives one C(parse-error) finding for that host, which then takes no
    part in the topology.
  - The filter version of the M(natsops.nats.nats_topology) module. The codes are listed in C(docs/checks.md).
positional: _input, addresses
options:
  _input:
    description:
      - Mapping of server id (usually the inventory host name) to its config.
      - A value is either the config text (as written to the server's config file) or a dict of config values
        (as given to the C(natsops.nats.nats_server) role), which is rendered to text and parsed.
    type: dict
    required: true
  addresses:
    description:
      - Mapping of server id to the address other servers use to reach it (for example C(ansible_host)),
        or to a list of names (for example the address and the FQDN used in route URLs).
      - URLs that name one of these resolve to that server. The first name is the server's address for port collisions.
    type: dict
    default: {}
  disable:
    description:
      - Check codes to skip (for example V(gateway-list-asymmetric)).
    type: list
    elements: str
    default: []
  warnings_as_errors:
    description:
      - Report every warning as an error.
    type: bool
    default: false
  config_checks:
    description:
      - Also run the single-server checks on every config (the findings of the M(natsops.nats.nats_config) module).
    type: bool
    default: false
  server_version:
    description:
      - The C(nats-server) version of every server that O(server_versions) does not list (every 2.10.x, 2.11.x,
        2.12.x, 2.14.x and 2.15.x).
    type: str
    default: 2.15.1
  server_versions:
    description:
      - "Mapping of server id to the C(nats-server) version that server runs, for example V(n1: 2.14.7) and
        V(n2: 2.15.1) during an upgrade."
      - Each config is parsed and checked for its own server's version (see C(docs/versions.md)), and members of
        one (super-)cluster that run different versions are compared (codes C(version-key-skew),
        C(version-upgrade-path) and C(version-semantics-differ)).
      - An unparsable or unsupported version, or a server id that is not in O(_input), is an error.
    type: dict
    default: {}
seealso:
  - module: natsops.nats.nats_topology
  - module: natsops.nats.nats_config
"""

EXAMPLES = r"""
---
- name: Check the rendered configs of all servers of the play before deploying
  ansible.builtin.assert:
    that: problems | selectattr('severity', 'equalto', 'error') | list | length == 0
    fail_msg: "{{ problems | map(attribute='message') | list }}"
  vars:
    configs: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'nats_server_config'))) }}"
    addresses: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'ansible_host'))) }}"
    problems: "{{ configs | natsops.nats.nats_topology_validate(addresses) }}"
  run_once: true

- name: Two servers whose routes connect clusters of different names
  ansible.builtin.debug:
    msg: "{{ configs | natsops.nats.nats_topology_validate | map(attribute='code') | list }}"
  vars:
    configs:
      n1: {server_name: n1, cluster: {name: east, port: 6222, routes: ["nats-route://n2:6222"]}}
      n2: {server_name: n2, cluster: {name: west, port: 6222, routes: ["nats-route://n1:6222"]}}
  # -> ['cluster-name-mismatch', 'cluster-name-mismatch']

- name: A cluster in the middle of an upgrade, each config checked for its own server's version
  ansible.builtin.debug:
    msg: "{{ configs | natsops.nats.nats_topology_validate(server_versions=versions) | map(attribute='code') | list }}"
  vars:
    versions: {n1: 2.14.6, n2: 2.15.1}
    configs:
      n1: {server_name: n1, cluster: {name: east, port: 6222, routes: ["nats-route://n2:6222"]}}
      n2: {server_name: n2, cluster: {name: east, port: 6222, routes: ["nats-route://n1:6222"]}}
  # -> ['version-upgrade-path'] (2.15 requires coming from 2.14.7 or later)
"""

RETURN = r"""
_value:
  description:
    - The findings, errors and warnings, in check order. Empty when nothing was found.
  type: list
  elements: dict
  contains:
    code:
      description: Stable check code, for example V(cluster-name-mismatch).
      type: str
    severity:
      description: V(error) or V(warning).
      type: str
    message:
      description: What is wrong; names every host involved and the position of the other side. Never contains secrets.
      type: str
    host:
      description: The server id (inventory host) the finding is about.
      type: str
    file:
      description:
        - File of the position. V(<string>) for config text and dicts, like the other plugins of the collection;
          V(null) for a finding without a location.
      type: str
    line:
      description: 1-based line in the config of O(_input[host]) (for dicts, in their rendered text).
      type: int
    column:
      description: 1-based column (bytes).
      type: int
    path:
      description: Config path of the key, for example C(cluster.routes[0]).
      type: str
    hint:
      description: How to fix it, and what nats-server logs when the problem is deployed.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.topology.checks import validate_configs
    from ansible_collections.natsops.nats.plugins.plugin_utils.versions import VersionError, parse_version
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - broken install
    validate_configs = None
    IMPORT_ERROR = exc


def _parsed_or_none(text):
    """The ParseResult of config text (for its secrets), or None when it does not parse."""
    try:
        from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string
        return parse_string(text)
    except Exception:  # pylint: disable=broad-except
        return None


def _scrub_all(findings, configs):
    """Dicts of the findings with any secret value of the configs masked."""
    try:
        from ansible_collections.natsops.nats.plugins.plugin_utils.redact import scrub_finding, secret_values
    except ImportError:
        return [f.to_dict() for f in findings]
    secrets = set()
    for value in configs.values():
        if isinstance(value, (str, bytes)):
            value = _parsed_or_none(value)
        config = getattr(value, "config", value)
        if isinstance(config, dict):
            secrets.update(secret_values(config, getattr(value, "marks", ())))
    out = []
    for f in findings:
        d = f.to_dict()
        d["host"] = f.host
        out.append(scrub_finding(d, secrets))
    return out


def _versions(configs, server_version, server_versions):
    """{host: version text} for validate_configs: server_versions[host], else server_version."""
    if server_versions is not None and not isinstance(server_versions, dict):
        raise AnsibleFilterError("natsops.nats.nats_topology_validate: server_versions must be a dict of host -> version, not %s"
                                 % type(server_versions).__name__)
    given = dict((to_text(h), v) for h, v in (server_versions or {}).items())
    unknown = sorted(h for h in given if h not in configs)
    if unknown:
        raise AnsibleFilterError("natsops.nats.nats_topology_validate: server_versions: %s %s not among the configs (%s)" % (
            ", ".join(unknown), "is" if len(unknown) == 1 else "are", ", ".join(configs)))
    out = {}
    for host in configs:
        value, source = given.get(host), "server_versions[%s]: " % host
        if value is None:
            value, source = server_version, ""
        try:
            out[host] = parse_version(None if value is None else to_text(value))
        except VersionError as exc:
            raise AnsibleFilterError("natsops.nats.nats_topology_validate: %s%s" % (source, exc)) from None
    return out


def nats_topology_validate(configs_by_host, addresses=None, disable=None, warnings_as_errors=False, config_checks=False,
                           server_version=None, server_versions=None):
    if validate_configs is None:
        raise AnsibleFilterError("natsops.nats.nats_topology_validate: cannot load the collection core: %s" % IMPORT_ERROR)
    if not isinstance(configs_by_host, dict):
        raise AnsibleFilterError("natsops.nats.nats_topology_validate: expected a dict of host -> config, got %s"
                                 % type(configs_by_host).__name__)
    if addresses is not None and not isinstance(addresses, dict):
        raise AnsibleFilterError("natsops.nats.nats_topology_validate: addresses must be a dict of host -> address")
    configs = {}
    for host, value in configs_by_host.items():
        if isinstance(value, dict):
            configs[to_text(host)] = value
        elif isinstance(value, (str, bytes)):
            configs[to_text(host)] = to_text(value)
        else:
            raise AnsibleFilterError("natsops.nats.nats_topology_validate: the config of %s must be text or a dict, not %s"
                                     % (host, type(value).__name__))
    addrs = {}
    for host, value in (addresses or {}).items():
        if isinstance(value, (list, tuple)):
            addrs[to_text(host)] = [to_text(v) for v in value if v is not None]
        elif value is not None:
            addrs[to_text(host)] = to_text(value)
    versions = _versions(configs, server_version, server_versions)
    try:
        findings, dummy = validate_configs(configs, addresses=addrs, disable=list(disable or ()),
                                           warnings_as_errors=bool(warnings_as_errors), config_checks=bool(config_checks),
                                           server_versions=versions)
    except (ValueError, TypeError) as exc:
        raise AnsibleFilterError("natsops.nats.nats_topology_validate: %s" % to_text(exc))
    return _scrub_all(findings, configs)


class FilterModule(object):

    def filters(self):
        return {"nats_topology_validate": nats_topology_validate}
