# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""natsops.nats.nats_config_valid: true when a NATS server config has no error finding."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nats_config_valid
short_description: Test whether a NATS server config will start (no error findings)
version_added: 0.1.0
author:
  - natsops.nats contributors
description:
  - True when P(natsops.nats.nats_config_validate#filter) reports no finding of severity V(error) for the
    config, that is when it parses, C(nats-server -t) would accept it, and none of the startup checks fails
    (for example no C(cluster.name)/C(gateway.name) conflict, no websocket without TLS, no port used twice).
  - Warnings do not make it false unless O(warnings_as_errors) is set.
  - Text that does not parse is not valid.
  - Requires the Python library C(pyparsing) on the controller.
positional: _input
options:
  _input:
    description: The configuration text, or a dict of config values (rendered to NATS conf text and then parsed).
    type: raw
    required: true
  env:
    description: Environment variables visible to C($NAME) references, as a dictionary of name to text.
    type: dict
    default: {}
  base_dir:
    description: Directory on the controller that relative C(include) paths are resolved against.
    type: path
  disable:
    description: Check codes to skip. Unknown codes fail with the list of valid codes.
    type: list
    elements: str
    default: []
  warnings_as_errors:
    description: Count warnings as errors.
    type: bool
    default: false
extends_documentation_fragment:
  - natsops.nats.nats_limits
  - natsops.nats.nats_server_version
seealso:
  - plugin: natsops.nats.nats_config_validate
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse to deploy a config that would not start
  ansible.builtin.assert:
    that: conf_text is natsops.nats.nats_config_valid
  vars:
    conf_text: "{{ lookup('ansible.builtin.template', 'nats.conf.j2') }}"

- name: Values can be tested before they are rendered
  ansible.builtin.assert:
    that: >-
      {'port': 4222, 'websocket': {'port': 8080, 'no_tls': true}}
      is natsops.nats.nats_config_valid(disable=['websocket-no-tls'], warnings_as_errors=true)
"""

RETURN = r"""
_value:
  description: V(true) when the config has no error finding.
  type: bool
"""

from ansible_collections.natsops.nats.plugins.filter.nats_config_validate import findings_for


def nats_config_valid(value, env=None, base_dir=None, disable=None, warnings_as_errors=False, max_file_size=None,
                      max_total_size=None, server_version=None):
    """True when the config has no error finding."""
    findings = findings_for("nats_config_valid", value, env, base_dir, disable, warnings_as_errors, max_file_size,
                            max_total_size, server_version)
    return not any(f.severity == "error" for f in findings)


class TestModule(object):
    """natsops.nats.nats_config_valid"""

    def tests(self):
        return {"nats_config_valid": nats_config_valid}
