# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""natsops.nats.nats_config_digest: the digest nats-server -t prints for a config."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nats_config_digest
short_description: The configuration digest that nats-server -t prints
version_added: 0.1.0
author:
  - natsops.nats contributors
description:
  - Parses C(nats-server) configuration text like P(natsops.nats.nats_config_parse#filter) and
    returns the digest C(nats-server -t) 2.15.1 prints for it (C(sha256:) followed by 64 hex digits).
  - The digest covers the parsed values only, so comments, whitespace, quoting, C(include) and
    C($NAME) references do not change it; two texts with the same digest configure the server
    identically.
  - "Syntax errors fail the task with C(file:line:col: message), where the message is the text
    C(nats-server) would print."
  - Documents nested deeper than 10000 levels fail with the server's
    C(exceeded max depth) message.
  - With O(server_version), the digest that version prints (2.11.0 to 2.12.5 leave out keys that are
    referenced as variables; before 2.14.6 invalid UTF-8 is digested differently). nats-server 2.10
    prints no digest, so O(server_version=2.10.x) fails.
  - Requires the Python library C(pyparsing) on the controller.
options:
  _input:
    description: The configuration text.
    type: string
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
extends_documentation_fragment:
  - natsops.nats.nats_limits
  - natsops.nats.nats_server_version
seealso:
  - plugin: natsops.nats.nats_config_parse
    plugin_type: filter
  - plugin: natsops.nats.to_nats_config
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Only restart when the effective configuration changed
  ansible.builtin.set_fact:
    nats_config_changed: >-
      {{ (old_text | natsops.nats.nats_config_digest) != (new_text | natsops.nats.nats_config_digest) }}

- name: Rendering keeps the digest
  ansible.builtin.assert:
    that:
      - (text | natsops.nats.nats_config_digest) == (text | natsops.nats.nats_config_parse | natsops.nats.to_nats_config | natsops.nats.nats_config_digest)
  vars:
    text: "port: 4222\nserver_name: n1\n"
"""

RETURN = r"""
_value:
  description: C(sha256:) followed by 64 lower-case hex digits, exactly as C(nats-server -t) prints it.
  type: string
  sample: sha256:026907a61901a70d388bec18ea8d0ef83e45a9d500d2ad0e69af39bdd52c96e0
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.filter.nats_config_parse import parse_text
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError


def nats_config_digest(text, env=None, base_dir=None, max_file_size=None, max_total_size=None, server_version=None):
    """'sha256:<hex>' of NATS conf ``text`` as nats-server -t prints it."""
    result = parse_text("nats_config_digest", text, env=env, base_dir=base_dir, max_file_size=max_file_size,
                        max_total_size=max_total_size, server_version=server_version)
    try:
        value = result.digest
    except NatsConfError as exc:
        raise AnsibleFilterError("natsops.nats.nats_config_digest: %s" % exc.format()) from None
    if value is None:
        raise AnsibleFilterError("natsops.nats.nats_config_digest: nats-server %s prints no configuration digest "
                                 "(nats-server -t prints one from 2.11.0 on)" % (result.server_version,))
    return value


class FilterModule(object):
    """natsops.nats.nats_config_digest"""

    def filters(self):
        return {"nats_config_digest": nats_config_digest}
