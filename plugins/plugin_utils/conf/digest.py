# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The configuration digest printed by ``nats-server -t`` (v2.15.1).

``digest(values)`` is ``"sha256:" + hex(sha256(go_json(values) + b"\\n"))`` where
``go_json`` reproduces Go's ``encoding/json`` output (as built into nats-server
2.15.1, i.e. backed by json/v2) for the parsed top-level map:

* objects with keys sorted by their raw bytes, no whitespace;
* strings with ``\\" \\\\ \\b \\f \\n \\r \\t``, ``\\u00XX`` for other control bytes,
  HTML-safe ``\\u003c \\u003e \\u0026``, ``\\u2028 \\u2029``, invalid UTF-8 bytes
  replaced one by one by a *raw* U+FFFD, everything else copied raw;
* int64 as decimal, float64 in ECMAScript ``Number.prototype.toString`` style
  (shortest round-trip digits, exponent form below 1e-6 and from 1e21 up, ``-0``);
* booleans; datetimes (``GoTime``) as JSON strings;
* nesting deeper than 10000 levels (top-level map = level 1) is refused with the
  server's exact error text.

Values: ``dict`` (keys ``str`` or ``bytes``), ``list``/``tuple``, ``str`` (raw
bytes that are not valid UTF-8 travel as ``surrogateescape`` surrogates), ``bytes``,
``bool``, ``int``, ``float``, ``GoTime``. The encoder is iterative: any nesting depth
is handled without recursion.
"""

from __future__ import annotations

import codecs
import hashlib
import math
import re

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime, NatsConfError

MAX_DEPTH = 10000
DEPTH_ERROR_PREFIX = "json: error calling MarshalJSON for type *conf.token: "
DEPTH_ERROR_SUFFIX = "exceeded max depth"

# printable ASCII that needs no escaping (excludes " & < > \ and DEL is fine raw)
_PLAIN = re.compile(r'[ !#-%\'-;=?-\[\]-\x7f]*\Z')
_SPECIAL = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029]')
_SURROGATE = re.compile('[\ud800-\udfff]')

_ESC = {
    '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t',
    '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
}
for _c in range(0x20):
    _ESC.setdefault(chr(_c), '\\u%04x' % _c)
del _c

_ERRORS = "natsops_nats_go_fffd"


def _per_byte_fffd(exc):
    """Decode error handler: one U+FFFD per invalid byte (Go's utf8.DecodeRune rule)."""
    if isinstance(exc, UnicodeDecodeError):
        return ("\ufffd", exc.start + 1)
    raise exc


_ERRORS_V1 = "natsops_nats_go_fffd_v1"
_V1_MARK = "\ud800"     # a lone surrogate never comes out of a UTF-8 decode: marks one invalid byte


def _per_byte_mark(exc):
    """Decode error handler for encoding/json v1: one marker per invalid byte (written as the escape \\ufffd)."""
    if isinstance(exc, UnicodeDecodeError):
        return (_V1_MARK, exc.start + 1)
    raise exc


for _name, _handler in ((_ERRORS, _per_byte_fffd), (_ERRORS_V1, _per_byte_mark)):
    try:
        codecs.lookup_error(_name)
    except LookupError:
        codecs.register_error(_name, _handler)
del _name, _handler


def raw_bytes(s):
    """The raw bytes of a key or string value (``surrogateescape`` surrogates become their bytes)."""
    if isinstance(s, bytes):
        return s
    if isinstance(s, bytearray):
        return bytes(s)
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # a surrogate that is not an escaped byte: cannot come from the parser; treat as invalid
        out = bytearray()
        for ch in s:
            o = ord(ch)
            if 0xDC80 <= o <= 0xDCFF:
                out.append(o - 0xDC00)
            elif 0xD800 <= o <= 0xDFFF:
                out += b"\xff"
            else:
                out += ch.encode("utf-8")
        return bytes(out)


def _escape(s):
    return _SPECIAL.sub(lambda m: _ESC[m.group()], s)


def json_string(s, v1=False):
    """JSON text (bytes, with quotes) of a str or bytes value, as Go writes it.

    v1: Go encoding/json v1 (nats-server before 2.14.6) writes an invalid UTF-8 byte as the
    escape ``\\ufffd``; json/v2 writes a raw U+FFFD.
    """
    if isinstance(s, str):
        if _PLAIN.match(s):
            return b'"' + s.encode("ascii") + b'"'
        if _SURROGATE.search(s):
            s = raw_bytes(s).decode("utf-8", _ERRORS_V1 if v1 else _ERRORS)
    else:
        s = bytes(s).decode("utf-8", _ERRORS_V1 if v1 else _ERRORS)
    if v1:
        return b'"' + _escape(s).replace(_V1_MARK, "\\ufffd").encode("utf-8") + b'"'
    return b'"' + _escape(s).encode("utf-8") + b'"'


def json_float(f):
    """ECMAScript-style shortest float text, as Go's encoding/json writes float64."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError("json: unsupported value: %r" % (f,))
    if f == 0:
        return b"-0" if math.copysign(1.0, f) < 0 else b"0"
    sign = "-" if f < 0 else ""
    a = abs(f)
    mant, _sep, exp = repr(a).partition("e")
    ip, _sep, fp = mant.partition(".")
    if fp == "0":
        fp = ""
    digits = ip + fp
    stripped = digits.lstrip("0")
    # position of the decimal point relative to the start of `stripped`
    point = len(ip) + int(exp or 0) - (len(digits) - len(stripped))
    digits = stripped.rstrip("0") or "0"
    if a < 1e-6 or a >= 1e21:
        e = point - 1
        m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        es = ("-%d" % -e) if e < 0 else ("+%02d" % e)
        return (sign + m + "e" + es).encode("ascii")
    if point <= 0:
        text = "0." + "0" * -point + digits
    elif point >= len(digits):
        text = digits + "0" * (point - len(digits))
    else:
        text = digits[:point] + "." + digits[point:]
    return (sign + text).encode("ascii")


def _stack_path(stack):
    path = []
    for frame in stack:
        idx = frame[2] - 1
        if frame[0]:
            key_json = frame[1][idx][0]
            path.append(key_json[1:-2].decode("utf-8", "replace"))
        else:
            path.append(idx)
    return path


def _scalar(v, v1=False):
    if isinstance(v, str):
        if isinstance(v, GoTime):
            return b'"' + str(v).encode("utf-8") + b'"'
        return json_string(v, v1)
    if v is True:
        return b"true"
    if v is False:
        return b"false"
    if isinstance(v, bool):
        return b"true" if v else b"false"
    if isinstance(v, int):
        return str(int(v)).encode("ascii")
    if isinstance(v, float):
        return json_float(v)
    if isinstance(v, (bytes, bytearray)):
        return json_string(v, v1)
    raise TypeError(type(v).__name__)


def _fmt_path(path):
    if not path:
        return "the top level"
    text = ""
    for seg in path:
        if isinstance(seg, int):
            text += "[%d]" % seg
        else:
            seg = seg.decode("utf-8", "replace") if isinstance(seg, bytes) else str(seg)
            text += ("." if text else "") + seg
    return text


def _sorted_keys(d):
    """(raw_key_bytes, key) pairs sorted by raw bytes."""
    pairs = [(raw_bytes(k) if isinstance(k, (str, bytes, bytearray)) else _bad_key(k), k) for k in d]
    pairs.sort(key=lambda p: p[0])
    return pairs


def _bad_key(k):
    raise TypeError("cannot encode map key of type %s" % type(k).__name__)


def _is_map(v):
    return isinstance(v, dict)


def _is_list(v):
    return isinstance(v, (list, tuple))


def _depth_error(values, v1=False):
    """Raise the server's depth error if ``values`` nests deeper than MAX_DEPTH.

    v1 (encoding/json v1, nats-server before 2.14.6): each token's MarshalJSON output is
    re-scanned and refused when it nests deeper than 10000 containers (the top-level map
    not counted), with the scanner's ``invalid character '[' exceeded max depth``.

    nats-server hashes pedantic tokens whose MarshalJSON marshals the wrapped value on
    its own, with the json/v2 limit of 10000 nested containers per marshal call. The first
    token in output order (post-order: innermost first) whose value is 10000 containers
    high fails, and every enclosing token plus the top-level encoder wraps the error once:
    a container at level L (top-level map = level 1) yields L - 1 wrappers. For a single
    deepest chain of depth D that is D - 10000. Verified against nats-server 2.15.1 with
    several multi-chain shapes (see tests/unit/plugins/plugin_utils/test_digest.py).
    """
    # frame: [node, level, child_iterator, height]
    limit = MAX_DEPTH + 1 if v1 else MAX_DEPTH
    stack = [[values, 1, _children(values), 1]]
    while stack:
        frame = stack[-1]
        child = next(frame[2], _END)
        if child is not _END:
            if _is_map(child) or _is_list(child):
                stack.append([child, frame[1] + 1, _children(child), 1])
            continue
        stack.pop()
        height, level = frame[3], frame[1]
        if height >= limit and level >= 2:
            if v1:
                suffix = "invalid character '%s' exceeded max depth" % _deep_char(frame[0], limit)
            else:
                suffix = DEPTH_ERROR_SUFFIX
            raise NatsConfError(DEPTH_ERROR_PREFIX * (level - 1) + suffix)
        if stack and stack[-1][3] < height + 1:
            stack[-1][3] = height + 1
    return None


def _deep_char(node, depth):
    """'{' or '[': the first container (in output order) ``depth`` levels down from node (node = 1)."""
    stack = [(node, 1)]
    while stack:
        v, d = stack.pop()
        if d == depth:
            return "{" if _is_map(v) else "["
        kids = [c for c in _children(v) if _is_map(c) or _is_list(c)]
        stack.extend((c, d + 1) for c in reversed(kids))
    return "["


_END = object()


def _children(v):
    if _is_map(v):
        return iter([v[k] for _raw, k in _sorted_keys(v)])
    return iter(v)


def _map_items(d, v1=False):
    """[(b'"key":', value)] in Go's key order (raw bytes), for a non-empty mapping."""
    keys = list(d)
    if all(k.__class__ is str for k in keys) and not _SURROGATE.search("".join(keys)):
        keys.sort()            # code point order == UTF-8 byte order without surrogates
        items = []
        for k in keys:
            if _PLAIN.match(k):
                items.append((b'"' + k.encode("ascii") + b'":', d[k]))
            else:
                items.append((json_string(k) + b":", d[k]))
        return items
    return [(json_string(raw, v1) + b":", d[k]) for raw, k in _sorted_keys(d)]


def go_json(values, v1=False):
    """Compact Go encoding/json text (bytes, without the final newline) of ``values``.

    v1: invalid UTF-8 and the nesting limit as encoding/json v1 has them (nats-server before
    2.14.6); nats-server 2.15.1 is ``v1=False``.
    """
    out = []
    app = out.append
    max_level = 0
    plain = _PLAIN.match
    # stack frames: [is_map, items, next_index]; items = [(key_json, value)] or the list itself
    stack = []
    v = values
    while True:
        cls = v.__class__
        if cls is str:
            if plain(v):
                app(b'"' + v.encode("ascii") + b'"')
            else:
                app(json_string(v, v1))
        elif cls is int:
            app(str(v).encode("ascii"))
        elif cls is dict or (cls is not list and _is_map(v)):
            level = len(stack) + 1
            if level > max_level:
                max_level = level
            if not v:
                app(b"{}")
            else:
                app(b"{")
                stack.append([True, _map_items(v, v1), 0])
        elif cls is list or _is_list(v):
            level = len(stack) + 1
            if level > max_level:
                max_level = level
            if not v:
                app(b"[]")
            else:
                app(b"[")
                stack.append([False, v, 0])
        else:
            try:
                app(_scalar(v, v1))
            except TypeError:
                raise TypeError("cannot encode %s at %s" % (type(v).__name__, _fmt_path(_stack_path(stack)))) from None
        # advance to the next value
        while stack:
            frame = stack[-1]
            items, idx = frame[1], frame[2]
            if idx >= len(items):
                app(b"}" if frame[0] else b"]")
                stack.pop()
                continue
            frame[2] = idx + 1
            if idx:
                app(b",")
            if frame[0]:
                key_json, v = items[idx]
                app(key_json)
            else:
                v = items[idx]
            break
        else:
            break
    if max_level > MAX_DEPTH:
        _depth_error(values, v1)
    return b"".join(out)


def digest(values, v1=False):
    """``'sha256:<hex>'`` exactly as ``nats-server -t`` prints it for this parsed map."""
    return "sha256:" + hashlib.sha256(go_json(values, v1) + b"\n").hexdigest()


def _without(values, paths):
    """A copy of ``values`` without the keys at ``paths`` (only the maps on those paths are copied)."""
    out = dict(values)
    copied = {(): out}
    for path in sorted(paths, key=len):
        parent = out
        for i, seg in enumerate(path[:-1]):
            node = parent.get(seg) if isinstance(parent, dict) else None
            if not isinstance(node, dict):
                parent = None
                break
            sub = path[:i + 1]
            if sub not in copied:
                node = dict(node)
                parent[seg] = node
                copied[sub] = node
            parent = copied[sub]
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return out


def versioned_digest(values, used=(), server_version=None):
    """The digest ``nats-server -t`` of ``server_version`` prints (see plugin_utils/versions.py), None for 2.10.

    used: paths of the keys referenced as variables (left out by 2.11.0 to 2.12.5).
    """
    from ansible_collections.natsops.nats.plugins.plugin_utils.versions import feature, parse_version
    version = parse_version(server_version)
    if not feature("digest", version):
        return None
    if feature("digest-omits-variables", version):
        paths = [p for p in used if p]
        if paths:
            values = _without(values, paths)
    return digest(values, v1=feature("digest-json-v1", version))
