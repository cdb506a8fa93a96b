# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse result model: plain values plus where every key and value came from.

Produced by ``conf_parser.parse_string`` / ``parse_file``; read by the checks,
the topology model, the plugins and the role.

Paths are tuples of segments: map keys are ``str``, list indexes ``int``;
``("cluster", "routes", 0)`` is the first route. Positions are
``checks_findings.Position(file, line, column)`` with 1-based line and column
(columns count bytes, like the server does).
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Position  # noqa: F401  # re-export  # pylint: disable=unused-import


class NatsConfError(Exception):
    """A config the server would refuse to parse.

    ``message`` is exactly what ``nats-server -t`` prints after ``nats-server: ``.
    ``file``/``line``/``column`` locate it as well as we know (column may be None:
    the server's lexer reports lines only). ``hint`` is an optional fix.
    """

    def __init__(self, message, file=None, line=None, column=None, hint=None):
        Exception.__init__(self, message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    @property
    def location(self):
        if self.line is None:
            return self.file or ""
        if self.column is None:
            return "%s:%d" % (self.file or "<string>", self.line)
        return "%s:%d:%d" % (self.file or "<string>", self.line, self.column)

    def format(self):
        """'file:line:col: message; hint: fix' (``message`` is the server's text, unchanged)."""
        text = self.message
        if self.location:
            text = "%s: %s" % (self.location, text)
        if self.hint:
            text = "%s; hint: %s" % (text, self.hint)
        return text

    def __str__(self):
        return self.format()


class GoTime(str):
    """A datetime value; holds the original ``YYYY-MM-DDTHH:MM:SSZ`` text."""

    __slots__ = ()


class ParseResult(object):
    """What the parser returns.

    config           dict of plain values (dict, list, str, int, float, bool, GoTime)
    key_positions    {path: Position} of each stored key (for list items: the item)
    value_positions  {path: Position} of each stored value
    used             set of paths whose value was referenced as a variable
    files            [{"path": str, "sha256": hex}] main file (or "<string>") first, then includes in read order
    warnings         [Finding] parser quirk warnings
    server_version   the nats-server version it was parsed for (None: plugin_utils.versions.DEFAULT_VERSION)
    """

    def __init__(self, config, key_positions=None, value_positions=None, used=None, files=None, warnings=None,
                 server_version=None):
        self.config = config
        self.server_version = server_version
        self.key_positions = key_positions if key_positions is not None else {}
        self.value_positions = value_positions if value_positions is not None else {}
        self.used = used if used is not None else set()
        self.files = files if files is not None else []
        self.warnings = warnings if warnings is not None else []
        self.marks = frozenset()        # secrets the parser saw that the final values may not hold (env, overwritten)
        self._digest = None
        self._secrets = None

    @property
    def secrets(self):
        """Every secret of this config as text: values at secret paths, URL user info, seeds, env values,
        overwritten secret values (``conf.secrets`` says which). What ``redact`` masks in every output."""
        if self._secrets is None:
            from ansible_collections.natsops.nats.plugins.plugin_utils.conf.secrets import tree_secrets
            found = set(self.marks)
            tree_secrets(self.config, found)
            found.discard("")
            self._secrets = frozenset(found)
        return self._secrets

    @property
    def digest(self):
        """'sha256:<hex>' exactly as ``nats-server -t`` prints it (raises NatsConfError past depth 10000).

        None when ``server_version`` prints no digest (2.10).
        """
        if self._digest is None:
            if self.server_version is None:
                from ansible_collections.natsops.nats.plugins.plugin_utils.conf.digest import digest
                self._digest = digest(self.config)
            else:
                from ansible_collections.natsops.nats.plugins.plugin_utils.conf.digest import versioned_digest
                self._digest = versioned_digest(self.config, self.used, self.server_version) or False
        return self._digest or None

    def get(self, path, default=None):
        """Value at path, or default."""
        node = self.config
        for seg in path:
            try:
                node = node[seg]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def has(self, path):
        marker = object()
        return self.get(path, marker) is not marker

    def pos(self, path):
        """Position of the key at path (falls back to the value's, then the nearest parent's)."""
        path = tuple(path)
        while path:
            p = self.key_positions.get(path) or self.value_positions.get(path)
            if p is not None:
                return p
            path = path[:-1]
        return None

    def value_pos(self, path):
        path = tuple(path)
        return self.value_positions.get(path) or self.pos(path)
