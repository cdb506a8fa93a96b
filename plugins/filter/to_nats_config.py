# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""natsops.nats.to_nats_config: render a dictionary as NATS server configuration text."""

from __future__ import annotations

DOCUMENTATION = r"""
name: to_nats_config
short_description: Render a dictionary as NATS server configuration text
version_added: 0.1.0
author:
  - natsops.nats contributors
description:
  - Turns a dictionary into C(nats-server) configuration text that nats-server 2.15.1 parses back
    to exactly the same values, so its C(nats-server -t) digest equals
    P(natsops.nats.nats_config_digest#filter) of the text.
  - "The output is deterministic: keys in the given order, two-space indentation, C(key: value)
    lines, nested maps as C(key {) ... C(}), lists with one item per line and the closing C(]) on
    its own line (this avoids the server's bug where an integer directly before C(]) swallows it)."
  - Strings are always double-quoted and escaped (C(\t), C(\n), C(\r), C(\"), C(\\), C(\xHH)),
    so values such as V(30s), V(1k), V(true), V($VAR) or V(include) stay strings. Keys are written
    bare only when they are plain names (letters, digits, C(_), C(-), C(.)) other than C(include).
  - Integers must fit in 64 bits; floats are written in plain decimal (the format has no exponent
    syntax); NaN and infinity, V(null), sets and other objects are rejected with an error naming
    the path, for example C(cannot render None at cluster.routes[0]).
  - Datetime objects in UTC (or without a time zone; no microseconds) are written as bare
    datetimes (C(2024-01-01T00:00:00Z)); a string that looks like a datetime stays a string.
  - Variable references (C($NAME)) cannot be produced; a string value V($NAME) is written quoted
    and stays a literal string.
options:
  _input:
    description: The configuration as a dictionary (top level of the config file).
    type: dict
    required: true
seealso:
  - plugin: natsops.nats.nats_config_parse
    plugin_type: filter
  - plugin: natsops.nats.nats_config_digest
    plugin_type: filter
  - module: natsops.nats.nats_config
"""

EXAMPLES = r"""
- name: Write a server config from a dictionary
  ansible.builtin.copy:
    dest: /etc/nats/nats-server.conf
    content: "{{ nats_settings | natsops.nats.to_nats_config }}"
  vars:
    nats_settings:
      server_name: n1
      port: 4222
      max_payload: 1048576
      cluster:
        name: east
        port: 6222
        routes:
          - nats://n2.example.com:6222
          - nats://n3.example.com:6222

- name: Show what a small config looks like
  ansible.builtin.debug:
    msg: "{{ {'port': 4222, 'jetstream': {'store_dir': '/data', 'max_mem': '1G'}} | natsops.nats.to_nats_config }}"
  # port: 4222
  # jetstream {
  #   store_dir: "/data"
  #   max_mem: "1G"
  # }
"""

RETURN = r"""
_value:
  description:
    - The configuration text, ending with a newline (empty for an empty dictionary).
  type: string
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import render, to_plain


def to_nats_config(data):
    """Render ``data`` (a mapping) as NATS conf text."""
    if not isinstance(data, Mapping):
        raise AnsibleFilterError("natsops.nats.to_nats_config: the input must be a dictionary, not %s" % type(data).__name__)
    try:
        return render(to_plain(data))
    except ValueError as exc:
        raise AnsibleFilterError("natsops.nats.to_nats_config: %s" % exc) from None


class FilterModule(object):
    """natsops.nats.to_nats_config"""

    def filters(self):
        return {"to_nats_config": to_nats_config}
