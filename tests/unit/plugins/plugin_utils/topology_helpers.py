# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the topology tests: ParseResults from dicts, with positions.

When the real parser is available, configs are rendered and parsed (so the
positions are the parser's own); otherwise positions are assigned one line per
key in document order (enough to assert which key a finding points at).
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import ParseResult, Position

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string
    from ansible_collections.natsops.nats.plugins.plugin_utils.render.writer import render
    HAS_PARSER = True
except ImportError:  # parser not landed yet
    HAS_PARSER = False


def _walk(node, path, keys, values, counter, fname):
    if isinstance(node, dict):
        for k, v in node.items():
            counter[0] += 1
            p = path + (k,)
            keys[p] = Position(fname, counter[0], 1)
            values[p] = Position(fname, counter[0], len(k) + 3)
            _walk(v, p, keys, values, counter, fname)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            counter[0] += 1
            p = path + (i,)
            keys[p] = Position(fname, counter[0], 3)
            values[p] = Position(fname, counter[0], 3)
            _walk(v, p, keys, values, counter, fname)


def fake_result(config, fname):
    keys, values = {}, {}
    _walk(config, (), keys, values, [0], fname)
    return ParseResult(config, keys, values, files=[{"path": fname, "sha256": "0" * 64}])


def result(config, fname="x.conf", real=None):
    """ParseResult for config (a dict); real=None uses the parser when present."""
    if real is None:
        real = HAS_PARSER
    if real:
        return parse_string(render(config), filename=fname)
    return fake_result(config, fname)


def results(configs, real=None):
    """{host: dict} -> {host: ParseResult} (file name '<host>.conf')."""
    return dict((h, result(c, "%s.conf" % h, real)) for h, c in configs.items())
