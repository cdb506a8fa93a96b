# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""natsops.nats.nats_config_validate: every problem of one NATS server config, before it is deployed."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nats_config_validate
short_description: Find what makes a NATS server config fail at startup (not only what nats-server -t sees)
version_added: 0.1.0
author:
  - natsops.nats contributors
description:
  - Parses a C(nats-server) configuration exactly like nats-server 2.15.1 and runs the semantic checks of
    the collection on it. Returns every finding at once (the server stops at the first).
  - Catches the errors C(nats-server -t) reports (unknown fields, wrong types, bad listen values, ...)
    and the many configs that C(nats-server -t) calls valid but that refuse to start, for example
    a C(cluster.name) that differs from C(gateway.name), clustered JetStream without C(server_name),
    a websocket listener without TLS, two listeners on one port, or an undefined C(system_account).
  - Also warns about configs that start but misbehave (ignored routes, duplicate C(gateways) entries, ...).
  - Each finding is a dict with C(code), C(severity) (V(error) or V(warning)), C(message) (which contains
    the exact text C(nats-server) prints, where it has one), C(file), C(line), C(column), C(path) and C(hint).
    The codes are listed in C(docs/checks.md) of the collection.
  - Text that does not parse gives a single C(parse-error) finding with the server's message and position.
  - Secrets of the config (passwords, tokens, credentials in URLs) never appear in messages.
  - Requires the Python library C(pyparsing) on the controller.
positional: _input
options:
  _input:
    description:
      - The configuration text, or a dict of config values (rendered to NATS conf text and then parsed).
    type: raw
    required: true
  env:
    description:
      - Environment variables visible to C($NAME) references, as a dictionary of name to text.
    type: dict
    default: {}
  base_dir:
    description:
      - Directory on the controller that relative C(include) paths are resolved against.
    type: path
  disable:
    description:
      - Check codes to skip, for example V(cluster-name-unset). Unknown codes fail with the list of valid codes.
    type: list
    elements: str
    default: []
  warnings_as_errors:
    description:
      - Report every warning as an error.
    type: bool
    default: false
extends_documentation_fragment:
  - natsops.nats.nats_limits
  - natsops.nats.nats_server_version
seealso:
  - plugin: natsops.nats.nats_config_valid
    plugin_type: test
  - plugin: natsops.nats.nats_config_parse
    plugin_type: filter
  - plugin: natsops.nats.nats_topology_validate
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Fail early when a config would not start
  ansible.builtin.assert:
    that: findings | selectattr('severity', 'equalto', 'error') | list | length == 0
    fail_msg: "{{ findings | map(attribute='message') | join('\n') }}"
  vars:
    findings: "{{ lookup('ansible.builtin.template', 'nats.conf.j2') | natsops.nats.nats_config_validate }}"

- name: Validate config values before rendering them
  ansible.builtin.debug:
    msg: "{{ {'cluster': {'name': 'east', 'listen': '0.0.0.0:6222'}, 'gateway': {'name': 'west', 'listen': '0.0.0.0:7222'}}
             | natsops.nats.nats_config_validate }}"
  # -> one finding, code cluster-gateway-name-conflict

- name: Ignore a check and treat warnings as errors
  ansible.builtin.set_fact:
    findings: "{{ conf_text | natsops.nats.nats_config_validate(disable=['cluster-name-unset'], warnings_as_errors=true) }}"
"""

RETURN = r"""
_value:
  description: The findings, sorted by file, line and column. An empty list means no problem was found.
  type: list
  elements: dict
  contains:
    code:
      description: Stable check code (see C(docs/checks.md)); usable in O(disable).
      type: str
      sample: cluster-gateway-name-conflict
    severity:
      description: V(error) (the server will not start, or C(nats-server -t) fails) or V(warning).
      type: str
      sample: error
    message:
      description: What is wrong, containing the server's own message where it has one, and the locations involved.
      type: str
      sample: >-
        cluster name conflicts between cluster and gateway definitions: cluster.name "east" (nats.conf:6:3)
        vs gateway.name "west" (nats.conf:2:3)
    file:
      description:
        - File of the primary location. V(<string>) for config text and for a dict (rendered to text first),
          the path for a location in an include file, V(null) for a finding without a location.
      type: str
    line:
      description: 1-based line of the primary location.
      type: int
    column:
      description: 1-based column (in bytes) of the primary location.
      type: int
    path:
      description: Config path of the primary location, for example V(gateway.name) or V(cluster.routes[0]).
      type: str
    hint:
      description: How to fix it.
      type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.filter.nats_config_parse import _check_parser, _env, limits_for, server_version_arg

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import render, to_plain
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - pyparsing missing or broken install
    checks_engine = None
    IMPORT_ERROR = str(exc)


def findings_for(name, value, env=None, base_dir=None, disable=None, warnings_as_errors=False, max_file_size=None,
                 max_total_size=None, server_version=None):
    """[Finding] for config text or values; AnsibleFilterError on bad arguments."""
    _check_parser(name)
    limits = limits_for(name, max_file_size, max_total_size)
    if checks_engine is None:
        raise AnsibleFilterError("natsops.nats.%s: cannot load the collection core: %s" % (name, IMPORT_ERROR))
    if isinstance(value, Mapping):
        try:
            value = render(to_plain(value))
        except (ValueError, TypeError) as exc:
            raise AnsibleFilterError("natsops.nats.%s: cannot render the config values: %s" % (name, exc)) from None
    elif isinstance(value, (bytes, bytearray)):
        value = bytes(value)
    elif isinstance(value, str):
        value = str.__str__(value)
    else:
        raise AnsibleFilterError("natsops.nats.%s: the input must be configuration text or a dict of values, not %s"
                                 % (name, type(value).__name__))
    if base_dir is not None and not isinstance(base_dir, str):
        raise AnsibleFilterError("natsops.nats.%s: base_dir must be a path, not %s" % (name, type(base_dir).__name__))
    if disable is None:
        disable = []
    if isinstance(disable, str) or not isinstance(disable, (list, tuple)):
        raise AnsibleFilterError("natsops.nats.%s: disable must be a list of check codes" % name)
    try:
        dummy, findings = checks_engine.validate_text(value, base_dir=str.__str__(base_dir) if base_dir else None,
                                                      env=_env(name, env), disable=[str(c) for c in disable],
                                                      warnings_as_errors=bool(warnings_as_errors), limits=limits,
                                                      server_version=server_version_arg(name, server_version))
    except ValueError as exc:
        raise AnsibleFilterError("natsops.nats.%s: %s" % (name, exc)) from None
    return findings


def nats_config_validate(value, env=None, base_dir=None, disable=None, warnings_as_errors=False, max_file_size=None,
                         max_total_size=None, server_version=None):
    """List of finding dicts for NATS conf text or config values."""
    return [f.to_dict() for f in findings_for("nats_config_validate", value, env, base_dir, disable, warnings_as_errors,
                                              max_file_size, max_total_size, server_version)]


class FilterModule(object):
    """natsops.nats.nats_config_validate"""

    def filters(self):
        return {"nats_config_validate": nats_config_validate}
