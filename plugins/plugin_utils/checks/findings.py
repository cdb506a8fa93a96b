# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one findings type of natsops.nats.

Every problem the collection reports -- parser quirk warnings, single-config
checks, cross-server topology checks -- is a ``Finding``. Plugins turn them
into plain dicts with ``Finding.to_dict()`` and into text with
``Finding.format()``.
"""

from __future__ import annotations

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


class Position(tuple):
    """(file, line, column) of a key or value; line and column are 1-based."""

    __slots__ = ()

    def __new__(cls, file, line, column):
        return tuple.__new__(cls, (file, line, column))

    @property
    def file(self):
        return self[0]

    @property
    def line(self):
        return self[1]

    @property
    def column(self):
        return self[2]

    def __str__(self):
        return "%s:%d:%d" % (self[0] or "<string>", self[1], self[2])

    def __repr__(self):
        return "Position(%r, %r, %r)" % tuple(self)


def format_path(path):
    """('cluster', 'routes', 0) -> 'cluster.routes[0]'."""
    out = ""
    for seg in path or ():
        if isinstance(seg, int) and not isinstance(seg, bool):
            out += "[%d]" % seg
        else:
            out += ("." if out else "") + str(seg)
    return out


class Finding(object):
    """One problem: a code, a severity, a message, where, and how to fix it."""

    __slots__ = ("code", "severity", "message", "file", "line", "column", "path", "hint", "host", "expected", "observed")

    def __init__(self, code, severity, message, file=None, line=None, column=None, path=None, hint=None, host=None,
                 expected=None, observed=None):
        if severity not in SEVERITIES:
            raise ValueError("severity must be one of %s, not %r" % (", ".join(SEVERITIES), severity))
        self.code = code
        self.severity = severity
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.path = format_path(path) if isinstance(path, (tuple, list)) else path
        self.hint = hint
        self.host = host
        # what the plan says and what a running server reports (live checks only)
        self.expected = expected
        self.observed = observed

    @classmethod
    def at(cls, code, severity, message, position=None, path=None, hint=None, host=None):
        """Build a finding located at a Position (or nowhere when None)."""
        if position is None:
            return cls(code, severity, message, path=path, hint=hint, host=host)
        return cls(code, severity, message, position[0], position[1], position[2], path=path, hint=hint, host=host)

    @property
    def location(self):
        if self.line is None:
            return self.file or ""
        return "%s:%d:%d" % (self.file or "<string>", self.line, self.column or 0)

    def format(self):
        """'file:line:col: message; hint: fix' -- the line shown to users.

        The location is stated once: a message that names its own location in
        parentheses (a check quoting both places of a conflict) drops that copy."""
        text = self.message
        loc = self.location
        if loc:
            own = " (%s)" % loc
            if self.line is not None and own in text:
                text = text.replace(own, "", 1)
            text = "%s: %s" % (loc, text)
        if self.host:
            text = "[%s] %s" % (self.host, text)
        if self.hint:
            text = "%s; hint: %s" % (text, self.hint)
        return text

    def to_dict(self):
        out = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            # text input (module content, filters, topology filter) has no file name: "<string>"
            "file": self.file or ("<string>" if self.line is not None else None),
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "hint": self.hint,
        }
        if self.host is not None:
            out["host"] = self.host
        if self.expected is not None or self.observed is not None:
            out["expected"] = self.expected
            out["observed"] = self.observed
        return out

    @classmethod
    def from_dict(cls, data):
        return cls(data["code"], data["severity"], data["message"], data.get("file"), data.get("line"),
                   data.get("column"), data.get("path"), data.get("hint"), data.get("host"), data.get("expected"),
                   data.get("observed"))

    def __eq__(self, other):
        return isinstance(other, Finding) and self.to_dict() == other.to_dict()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.code, self.message, self.file, self.line, self.column))

    def __repr__(self):
        return "Finding(%r, %r, %r)" % (self.code, self.severity, self.format())


def apply_policy(findings, disable=None, warnings_as_errors=False):
    """Drop disabled codes; optionally promote warnings to errors. Returns a new list."""
    disabled = set(disable or ())
    out = []
    for f in findings:
        if f.code in disabled:
            continue
        if warnings_as_errors and f.severity == WARNING:
            f = Finding(f.code, ERROR, f.message, f.file, f.line, f.column, f.path, f.hint, f.host, f.expected, f.observed)
        out.append(f)
    return out


# at most this many findings of one code are reported; the rest are counted in one summary finding (single configs
# in checks/engine.py, topologies in topology/checks.py: the one cap)
MAX_FINDINGS_PER_CODE = 50


def cap_findings(findings, limit=MAX_FINDINGS_PER_CODE):
    """The first ``limit`` findings of each code (in order), then per code one finding that says how many
    were left out (same code and severity, so a capped error still fails the task)."""
    counts = {}
    out = []
    for f in findings:
        n = counts.get(f.code, 0) + 1
        counts[f.code] = n
        if n <= limit:
            out.append(f)
    for f in findings:
        n = counts.get(f.code, 0)
        if n > limit:
            out.append(Finding(f.code, f.severity, "%d more '%s' findings not shown (%d in total)" % (n - limit, f.code, n),
                               f.file, hint="fix the findings shown first; the rest are of the same kind"))
            counts[f.code] = 0
    return out


def split(findings):
    """(errors, warnings)"""
    errors = [f for f in findings if f.severity == ERROR]
    warnings = [f for f in findings if f.severity == WARNING]
    return errors, warnings
