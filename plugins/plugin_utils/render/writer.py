# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render plain Python data as NATS server configuration text.

``render(values)`` turns a mapping into deterministic conf text that nats-server
2.15.1 parses back to exactly the same values (and therefore the same digest):

* keys in the given order, ``key: value`` lines, nested maps as ``key {`` ... ``}``,
  lists as ``[`` ... ``]`` with one item per line and ``]`` on its own line (this avoids
  the server's "integer directly before ``]``" lexer bug);
* keys are written bare only when they are plain identifiers (letters, digits,
  ``_ - .``, not ``include`` in any case); otherwise double quoted, or single quoted
  when they contain a double quote (conf keys have no escapes: a key holding both
  quote characters, or a NUL, cannot be written and is rejected);
* strings are always double quoted, with ``\\t \\n \\r \\" \\\\`` and ``\\xHH`` for other
  control bytes, DEL and raw (invalid UTF-8) bytes kept as ``surrogateescape`` surrogates;
  so ``"1k"``, ``"30s"``, ``"true"``, ``"$var"``, ``"include"`` stay strings;
* ints (int64 range only), floats in plain decimal notation (the format has no
  exponent syntax; ``1e-7`` is written ``0.0000001``; inf/nan are rejected), bools as
  ``true``/``false``, ``GoTime`` datetimes bare (validated);
* anything else (None, sets, objects, out-of-range ints) raises ``ValueError`` naming
  the path, e.g. ``cannot render None at cluster.routes[0]``.

The renderer uses an explicit stack, so nesting depth is not limited by Python's
recursion limit; indentation stops growing after ``MAX_INDENT_LEVELS`` levels to keep
the output linear in size. Note that nats-server refuses (at digest time) documents
nested deeper than 10000 levels; ``render`` does not check that.
"""

from __future__ import annotations

import datetime
import math
import re

from collections.abc import Mapping, Sequence

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import format_path
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime

MAX_INDENT_LEVELS = 64
INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1

_BARE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
_STR_SPECIAL = re.compile('[\x00-\x1f\x7f"\\\\\ud800-\udfff]')
_STR_ESC = {'\t': '\\t', '\n': '\\n', '\r': '\\r', '"': '\\"', '\\': '\\\\'}
_DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z\Z")
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_SURROGATE = re.compile('[\ud800-\udfff]')
_END = object()


class _RenderError(ValueError):
    """Internal: what cannot be rendered (the path is added by render())."""


def _message(what, path):
    where = format_path(path)
    return "cannot render %s at %s" % (what, where) if where else "cannot render %s at the top level" % what


def _esc_char(m):
    c = m.group()
    e = _STR_ESC.get(c)
    if e is not None:
        return e
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:
        return "\\x%02x" % (o - 0xDC00)
    if 0xD800 <= o <= 0xDFFF:
        raise _RenderError("a lone surrogate U+%04X" % o)
    return "\\x%02x" % o


def quote_string(s):
    """Double-quoted conf string for str (or bytes) ``s``; raw bytes become ``\\xHH``."""
    if isinstance(s, (bytes, bytearray)):
        s = bytes(s).decode("utf-8", "surrogateescape")
    return '"' + _STR_SPECIAL.sub(_esc_char, s) + '"'


def _key_text(k):
    if isinstance(k, (bytes, bytearray)):
        k = bytes(k).decode("utf-8", "surrogateescape")
    elif not isinstance(k, str):
        raise _RenderError("a map key of type %s (%r)" % (type(k).__name__, k))
    if _BARE_KEY.match(k) and k.lower() != "include":
        return k
    if "\x00" in k:
        raise _RenderError("a key containing a NUL byte")
    for ch in k:
        o = ord(ch)
        if 0xD800 <= o <= 0xDFFF and not 0xDC80 <= o <= 0xDCFF:
            raise _RenderError("a key with a lone surrogate U+%04X" % o)
    if '"' not in k:
        return '"' + k + '"'
    if "'" not in k:
        return "'" + k + "'"
    raise _RenderError("key %r: conf keys cannot contain both quote characters" % k)


def plain_float(f):
    """Plain decimal text (no exponent) that parses back to exactly float ``f``."""
    if math.isnan(f) or math.isinf(f):
        raise _RenderError("the float %r (nats-server has no inf/nan)" % f)
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    a = abs(f)
    if a == 0:
        return sign + "0.0"
    mant, _sep, exp = repr(a).partition("e")
    ip, _sep, fp = mant.partition(".")
    digits = ip + fp
    point = len(ip) + int(exp or 0)          # decimal point position within `digits`
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    if point <= 0:
        text = "0." + "0" * -point + digits
    elif point >= len(digits):
        text = digits + "0" * (point - len(digits)) + ".0"
    else:
        text = digits[:point] + "." + digits[point:]
    return sign + text


def _check_datetime(s):
    m = _DATETIME.match(s)
    if not m:
        raise _RenderError("the datetime %r (expected YYYY-MM-DDTHH:MM:SSZ)" % str(s))
    year, month, day, hour, minute, second = [int(x) for x in m.groups()]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59:
        raise _RenderError("the invalid datetime %r" % str(s))
    days = 29 if month == 2 and leap else _DAYS[month - 1]
    if not 1 <= day <= days:
        raise _RenderError("the invalid datetime %r" % str(s))
    return str(s)


def scalar_text(v):
    """Conf text of a scalar value (raises _RenderError/ValueError for unsupported ones)."""
    if isinstance(v, str):
        if isinstance(v, GoTime):
            return _check_datetime(v)
        return quote_string(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        if not INT64_MIN <= v <= INT64_MAX:
            raise _RenderError("the integer %d (outside the int64 range)" % v)
        return str(int(v))
    if isinstance(v, float):
        return plain_float(v)
    if isinstance(v, (bytes, bytearray)):
        return quote_string(v)
    if v is None:
        raise _RenderError("None")
    raise _RenderError("a value of type %s" % type(v).__name__)


def _is_list(v):
    return isinstance(v, (list, tuple))


def _keyset(mapping):
    """A set for duplicate detection when distinct keys could share raw bytes (bytes keys,
    surrogate-escaped str keys), else None."""
    for k in mapping:
        if isinstance(k, (bytes, bytearray)) or (isinstance(k, str) and _SURROGATE.search(k)):
            return set()
    return None


def _raw_key(k):
    if isinstance(k, (bytes, bytearray)):
        return bytes(k)
    return k.encode("utf-8", "surrogateescape")


def _display_key(k):
    """Key as readable text for messages (raw/invalid bytes shown as U+FFFD)."""
    if isinstance(k, (bytes, bytearray)):
        return bytes(k).decode("utf-8", "replace")
    if isinstance(k, str) and _SURROGATE.search(k):
        return k.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if not re.search(
            "[\ud800-\udc7f\udd00-\udfff]", k) else k.encode("utf-8", "replace").decode("utf-8")
    return k


def _stack_path(stack):
    return tuple(_display_key(frame[3]) if frame[0] else frame[3] for frame in stack if frame[3] is not None)


def render(values, indent=2):
    """NATS conf text for the mapping ``values`` (see module docstring)."""
    if not isinstance(values, Mapping):
        raise ValueError("cannot render %s at the top level: a mapping is required" % type(values).__name__)
    if not isinstance(indent, int) or isinstance(indent, bool) or indent < 0:
        raise ValueError("indent must be a non-negative integer")
    lines = []
    app = lines.append
    pads = [" " * (indent * n) for n in range(MAX_INDENT_LEVELS + 1)]
    # frame: [is_map, iterator, level, current key/index (None until the first item)]
    stack = [[True, iter(values.items()), 0, None]]
    keysets = [_keyset(values)]
    try:
        while stack:
            frame = stack[-1]
            item = next(frame[1], _END)
            level = frame[2]
            if item is _END:
                stack.pop()
                keysets.pop()
                if stack:
                    app(pads[min(level - 1, MAX_INDENT_LEVELS)] + ("}" if frame[0] else "]"))
                continue
            pad = pads[min(level, MAX_INDENT_LEVELS)]
            if frame[0]:
                k, v = item
                frame[3] = k
                key = _key_text(k)
                seen = keysets[-1]
                if seen is not None:
                    raw = _raw_key(k)
                    if raw in seen:
                        raise _RenderError("a duplicate key (same bytes as an earlier key)")
                    seen.add(raw)
                prefix = pad + key + (" " if isinstance(v, Mapping) else ": ")
            else:
                frame[3] = 0 if frame[3] is None else frame[3] + 1
                v = item
                prefix = pad
            if isinstance(v, Mapping):
                if not v:
                    app(prefix + "{}")
                else:
                    app(prefix + "{")
                    stack.append([True, iter(v.items()), level + 1, None])
                    keysets.append(_keyset(v))
            elif _is_list(v):
                if not v:
                    app(prefix + "[]")
                else:
                    app(prefix + "[")
                    stack.append([False, iter(v), level + 1, None])
                    keysets.append(None)
            else:
                app(prefix + scalar_text(v))
    except _RenderError as exc:
        raise ValueError(_message(str(exc), _stack_path(stack))) from None
    if not lines:
        return ""
    return "\n".join(lines) + "\n"


def _plain_scalar(v):
    """Plain builtin copy of a scalar (str/bytes/int/float subclasses such as Ansible's
    tagged or unsafe text become the base type; GoTime is kept; UTC datetimes become GoTime)."""
    if isinstance(v, str):
        if isinstance(v, GoTime):
            return GoTime(str.__str__(v))
        return str.__str__(v)
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    if isinstance(v, datetime.datetime) and not v.microsecond:
        offset = v.utcoffset()
        if offset is None or not offset:
            return GoTime("%04d-%02d-%02dT%02d:%02d:%02dZ" % (v.year, v.month, v.day, v.hour, v.minute, v.second))
    return v


def to_plain(value):
    """Copy of ``value`` made of builtin types only, without recursion.

    Mappings become ``dict`` (keys made plain too), lists/tuples (and other non-string
    sequences) become ``list``, str/int/float/bytes subclasses (Ansible tagged or unsafe
    values) their base type; ``GoTime`` stays; a ``datetime`` in UTC (or naive) without
    microseconds becomes a ``GoTime``. Anything else is left as is (``render`` names it).
    """
    def convert(v):
        if isinstance(v, Mapping):
            return {}, list(v.items())
        if isinstance(v, (str, bytes, bytearray)) or not isinstance(v, Sequence):
            return _plain_scalar(v), None
        return [], list(v)

    root, todo = convert(value)
    if todo is None:
        return root
    stack = [(root, iter(todo))]
    while stack:
        container, items = stack[-1]
        item = next(items, _END)
        if item is _END:
            stack.pop()
            continue
        if isinstance(container, dict):
            k, v = item
            new, children = convert(v)
            container[_plain_scalar(k)] = new
        else:
            new, children = convert(item)
            container.append(new)
        if children is not None:
            stack.append((new, iter(children)))
    return root
