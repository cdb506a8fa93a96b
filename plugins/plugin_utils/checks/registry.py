# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one registry of check codes.

Single-config checks (scope ``config``), parser quirk warnings (scope
``parser``) and cross-server checks (scope ``topology``) all register here,
so ``disable`` lists, ``docs/checks.md`` and the tests see one set of codes.

A check function receives a context object (a ParseResult for ``config``
checks, a Topology for ``topology`` checks) and yields Findings.
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING, SEVERITIES

SCOPES = ("parser", "config", "topology", "host")  # host: nats_config host_checks (checks/host.py)


class Check(object):
    __slots__ = ("code", "severity", "scope", "summary", "func")

    def __init__(self, code, severity, scope, summary, func=None):
        if severity not in SEVERITIES:
            raise ValueError("bad severity %r for %s" % (severity, code))
        if scope not in SCOPES:
            raise ValueError("bad scope %r for %s" % (scope, code))
        self.code = code
        self.severity = severity
        self.scope = scope
        self.summary = summary
        self.func = func


REGISTRY = {}


def register(code, severity, scope, summary, func=None):
    """Register a code; usable directly (parser quirks, no function) or as a decorator."""
    if code in REGISTRY:
        raise ValueError("check code %s registered twice" % code)
    entry = Check(code, severity, scope, summary, func)
    REGISTRY[code] = entry
    return entry


def check(code, severity, scope, summary):
    """Decorator: @check("cluster-gateway-name-conflict", ERROR, "config", "...")."""
    def wrap(func):
        register(code, severity, scope, summary, func)
        return func
    return wrap


def checks(scope):
    """Registered checks of a scope that have a function, in registration order."""
    return [c for c in REGISTRY.values() if c.scope == scope and c.func is not None]


def known_codes():
    return sorted(REGISTRY)


__all__ = ["ERROR", "WARNING", "REGISTRY", "Check", "register", "check", "checks", "known_codes"]
