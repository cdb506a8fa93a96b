# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""natsops.nats.nats_config_parse: parse NATS server configuration text like nats-server 2.15.1."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nats_config_parse
short_description: Parse NATS server configuration text exactly as nats-server 2.15.1 does
version_added: 0.1.0
author:
  - natsops.nats contributors
description:
  - Parses C(nats-server) configuration text into a dictionary with the same values the server
    sees, reproducing its lexer quirks (size suffixes such as C(1k) or C(1m) are integers, C(30s)
    is a string, duplicate keys keep the last value, and so on).
  - C(include) directives are read from the controller's file system, relative to O(base_dir).
  - C($NAME) references are resolved from earlier keys and then from O(env) only (never from the
    controller's environment).
  - "Syntax errors fail the task with C(file:line:col: message), where the message is the text
    C(nats-server) would print."
  - This filter does not run the startup checks; use
    M(natsops.nats.nats_config) for that.
  - Requires the Python library C(pyparsing) on the controller.
options:
  _input:
    description: The configuration text.
    type: string
    required: true
  env:
    description:
      - Environment variables visible to C($NAME) references, as a dictionary of name to text.
      - Values are parsed like config values, as the server does (V(42) becomes an integer).
    type: dict
    default: {}
  base_dir:
    description:
      - Directory on the controller that relative C(include) paths are resolved against.
      - Without it, C(include) paths are resolved against the current directory.
    type: path
extends_documentation_fragment:
  - natsops.nats.nats_limits
  - natsops.nats.nats_server_version
seealso:
  - plugin: natsops.nats.nats_config_digest
    plugin_type: filter
  - plugin: natsops.nats.to_nats_config
    plugin_type: filter
  - module: natsops.nats.nats_config
"""

EXAMPLES = r"""
- name: Read the cluster name from a rendered config
  ansible.builtin.debug:
    msg: "{{ (lookup('ansible.builtin.file', 'nats.conf') | natsops.nats.nats_config_parse).cluster.name }}"

- name: Size suffixes are integers, durations are strings
  ansible.builtin.assert:
    that:
      - parsed.max_payload == 1048576
      - parsed.ping_interval == '30s'
  vars:
    parsed: "{{ 'max_payload: 1MB\nping_interval: 30s\n' | natsops.nats.nats_config_parse }}"

- name: Resolve includes and variables
  ansible.builtin.set_fact:
    nats_values: "{{ conf_text | natsops.nats.nats_config_parse(env={'NATS_PASS': 's3cret'}, base_dir='/srv/nats') }}"
"""

RETURN = r"""
_value:
  description:
    - The parsed configuration (top-level map). Values are strings, integers, floats, booleans,
      lists and dictionaries.
    - Datetime values (bare C(2024-01-01T00:00:00Z) in the text) become timezone-aware UTC
      datetime objects, which P(natsops.nats.to_nats_config#filter) writes back as datetimes;
      the year C(0000) cannot be represented and is returned as a string.
    - Bytes that are not valid UTF-8 (from C(\xHH) escapes) are kept as surrogate escapes.
  type: dict
"""

import datetime
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime, NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import to_plain
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import MAX_RESULT_DEPTH, result_depth, scrub
from ansible_collections.natsops.nats.plugins.plugin_utils.versions import VersionError, parse_version

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser
    HAS_PYPARSING = getattr(conf_parser, "HAS_PYPARSING", True)
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - pyparsing missing or core incomplete
    conf_parser = None
    HAS_PYPARSING = "pyparsing" not in str(exc)
    IMPORT_ERROR = str(exc)


def _check_parser(name):
    if conf_parser is None or not HAS_PYPARSING:
        if not HAS_PYPARSING:
            raise AnsibleFilterError("natsops.nats.%s: the Python library pyparsing is required on the Ansible controller "
                                     "(pip install pyparsing)" % name)
        raise AnsibleFilterError("natsops.nats.%s: cannot load the NATS config parser: %s" % (name, IMPORT_ERROR))


def _env(name, env):
    if env is None:
        return {}
    if not isinstance(env, Mapping):
        raise AnsibleFilterError("natsops.nats.%s: env must be a dictionary of name to text, not %s" % (name, type(env).__name__))
    out = {}
    for key, value in to_plain(env).items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise AnsibleFilterError("natsops.nats.%s: env[%r] must be text, not %s" % (name, str(key), type(value).__name__))
        out[str(key)] = str(value)
    return out


def limits_for(name, max_file_size=None, max_total_size=None):
    """The parser's Limits from the plugin options (None = the defaults), or AnsibleFilterError."""
    if max_file_size is None and max_total_size is None:
        return None
    kw = {}
    for key, value in (("max_file_size", max_file_size), ("max_total_size", max_total_size)):
        if value is not None:
            kw[key] = value
    try:
        return conf_parser.Limits(**kw)
    except ValueError as exc:
        raise AnsibleFilterError("natsops.nats.%s: %s" % (name, exc)) from None


def parse_text(name, text, env=None, base_dir=None, max_file_size=None, max_total_size=None, server_version=None):
    """ParseResult for ``text`` or AnsibleFilterError (shared by nats_config_parse and nats_config_digest)."""
    _check_parser(name)
    limits = limits_for(name, max_file_size, max_total_size)
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text)
    elif isinstance(text, str):
        text = str.__str__(text)
    else:
        raise AnsibleFilterError("natsops.nats.%s: the input must be configuration text, not %s" % (name, type(text).__name__))
    if base_dir is not None:
        if not isinstance(base_dir, str):
            raise AnsibleFilterError("natsops.nats.%s: base_dir must be a path, not %s" % (name, type(base_dir).__name__))
        base_dir = str.__str__(base_dir)
    try:
        return conf_parser.parse_string(text, base_dir=base_dir, env=_env(name, env), limits=limits,
                                        server_version=server_version_arg(name, server_version))
    except NatsConfError as exc:
        marks = set(getattr(exc, "marks", ()))
        marks.update(v for v in (env or {}).values() if isinstance(v, str) and v)
        raise AnsibleFilterError("natsops.nats.%s: %s" % (name, scrub(exc.format(), marks))) from None


def server_version_arg(name, value):
    """The ``server_version`` filter/test argument as a ServerVersion; AnsibleFilterError listing the supported range."""
    try:
        return parse_version(None if value is None else str(value))
    except VersionError as exc:
        raise AnsibleFilterError("natsops.nats.%s: %s" % (name, exc)) from None


def _datetime(text):
    """A GoTime as an aware UTC datetime (what Ansible can store); year 0000 stays text."""
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return str.__str__(text)


def _to_ansible(values):
    """Parsed values as types Ansible can store (datetimes become aware UTC datetimes)."""
    if not isinstance(values, dict):
        return values
    plain = to_plain(values)
    stack = [plain]
    while stack:
        node = stack.pop()
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(pairs):
            if isinstance(value, (dict, list)):
                stack.append(value)
            elif isinstance(value, GoTime):
                node[key] = _datetime(value)
    return plain


def nats_config_parse(text, env=None, base_dir=None, max_file_size=None, max_total_size=None, server_version=None):
    """Parsed values (dict) of NATS conf ``text``."""
    config = parse_text("nats_config_parse", text, env=env, base_dir=base_dir, max_file_size=max_file_size,
                        max_total_size=max_total_size, server_version=server_version).config
    deepest = result_depth(config)
    if deepest > MAX_RESULT_DEPTH:
        raise AnsibleFilterError("natsops.nats.nats_config_parse: the parsed config is nested more than %d levels deep; "
                                 "Ansible cannot template values that deep, so they are not returned "
                                 "(natsops.nats.nats_config_validate and nats_config_digest accept it)" % MAX_RESULT_DEPTH)
    return _to_ansible(config)


class FilterModule(object):
    """natsops.nats.nats_config_parse"""

    def filters(self):
        return {"nats_config_parse": nats_config_parse}
