# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# Apache License 2.0 (see LICENSE)
"""Parser for NATS server configuration files, byte-exact with nats-server 2.15.1.

``parse_string`` / ``parse_file`` return a ``conf_model.ParseResult`` or raise
``conf_model.NatsConfError`` whose ``message`` is exactly what ``nats-server -t``
prints after ``nats-server: ``.

Layering (like the server's ``conf`` package): ``conf_lexer.Lexer`` turns the
text into items; this module consumes them with a stack of contexts (maps and
arrays being filled) and ONE global stack of pending keys (spec section 4 --
the global key stack is what makes the key-stack quirks of 4.3 happen), then
resolves variables (section 5) and includes (section 6).

Everything is iterative: nesting depth is limited only by memory.
"""

from __future__ import annotations

# exact type checks (type(x) is dict) are deliberate: hot loops, and str subclasses (GoTime) must not match
# pylint: disable=unidiomatic-typecheck

import bisect
import gc
import hashlib
import os
import re

from collections.abc import Mapping, Set

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Finding, Position, WARNING
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime, NatsConfError, ParseResult
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.lexer import (
    HAS_PYPARSING, PYPARSING_IMPORT_ERROR, Lexer, byte_len, go_lower,
    K_ERROR, K_EOF, K_KEY, K_STRING, K_BOOL, K_INTEGER, K_FLOAT, K_DATETIME, K_ARRAY_START, K_ARRAY_END,
    K_MAP_START, K_MAP_END, K_COMMENT, K_VARIABLE, K_INCLUDE, K_NOTE, K_PAIRS, K_ELEMS,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import registry as checks_registry

__all__ = ["parse_string", "parse_file", "go_join", "go_clean", "go_dir", "MAX_INCLUDE_DEPTH", "MAX_NESTING",
           "IncludeCycleError", "QUIRK_CODES", "HAS_PYPARSING", "PYPARSING_IMPORT_ERROR"]

MAX_INCLUDE_DEPTH = 64
# nats-server refuses documents nested deeper than 10000 levels (when hashing them, spec 9.3);
# far deeper input is cut off here so a hostile file cannot exhaust memory.
MAX_NESTING = 100000
# positions / used paths are recorded down to this depth (ParseResult.pos falls back to the parent)
MAX_POSITION_DEPTH = 256
# at most this many warnings of one code per parse; the rest are counted in a summary warning
MAX_WARNINGS_PER_CODE = 50

# ---------------------------------------------------------------------------
# Parser quirk warnings (scope "parser" in the one registry)
# ---------------------------------------------------------------------------
QUIRK_CODES = {
    "int-before-bracket": "An integer directly before ']' swallows the bracket ([1, 2] gives the string '2]').",
    "size-suffix-not-duration": "An unquoted 1m / 5G style value is a size-suffixed integer (1m = 1,000,000), not a duration.",
    "duplicate-key": "A key is set more than once in the same map; the last assignment silently wins.",
    "dropped-key": "A key silently disappears (unknown size suffix, or a map key without value).",
    "glued-comment": "'#' or '//' glued to a value becomes part of the value instead of starting a comment.",
    "dropped-quote": "A single quote ends a bare string and is dropped.",
    "crlf-block-string": "A ( ... ) block string in a CRLF file can never be closed.",
    "absolute-include": "An absolute include path is joined onto the including file's directory, not used as is.",
}
for _code, _summary in QUIRK_CODES.items():
    if _code not in checks_registry.REGISTRY:
        checks_registry.register(_code, WARNING, "parser", _summary)

_DURATION_KEY = re.compile(r"(interval|deadline|duration|timeout|period|age|window|heartbeat|delay|ttl|expir|wait|time|lifetime)",
                           re.IGNORECASE)
_SIZE_KEY = re.compile(r"(payload|pending|mem|file|store|bytes|size|buf|storage|max_)", re.IGNORECASE)

_INT64_MIN = -(1 << 63)
_UINT64_MAX = (1 << 64) - 1
_SUFFIX_MULT = {
    "": 1,
    "k": 1000, "kb": 1024, "ki": 1024, "kib": 1024,
    "m": 1000 ** 2, "mb": 1024 ** 2, "mi": 1024 ** 2, "mib": 1024 ** 2,
    "g": 1000 ** 3, "gb": 1024 ** 3, "gi": 1024 ** 3, "gib": 1024 ** 3,
    "t": 1000 ** 4, "tb": 1024 ** 4, "ti": 1024 ** 4, "tib": 1024 ** 4,
    "p": 1000 ** 5, "pb": 1024 ** 5, "pi": 1024 ** 5, "pib": 1024 ** 5,
    "e": 1000 ** 6, "eb": 1024 ** 6, "ei": 1024 ** 6, "eib": 1024 ** 6,
}
_DIGIT_OR_DASH = re.compile(u"[\\d-]*")
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DROP = object()
_LF = re.compile("\n")
_tuple_new = tuple.__new__          # marker: a value that is not stored at all (unknown suffix)


class IncludeCycleError(NatsConfError):
    """An include cycle / too deep include chain (the server itself would crash)."""


# ---------------------------------------------------------------------------
# Go path semantics (filepath.Join + Clean, filepath.Dir) -- spec 6.2
# ---------------------------------------------------------------------------
def go_clean(path):
    """Go filepath.Clean (POSIX)."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    out = []
    for seg in path.split("/"):
        if seg == "" or seg == ".":
            continue
        if seg == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(seg)
    res = "/".join(out)
    if rooted:
        return "/" + res
    return res or "."


def go_join(*elems):
    """Go filepath.Join: join the non-empty elements with '/', then Clean (absolute parts are NOT honoured)."""
    parts = [e for e in elems if e != ""]
    if not parts:
        return ""
    return go_clean("/".join(parts))


def go_dir(path):
    """Go filepath.Dir."""
    i = path.rfind("/")
    return go_clean(path[:i + 1])


def _os_error_text(exc):
    """Go's text of an OS error number ('no such file or directory')."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    text = getattr(exc, "strerror", None) or str(exc)
    return text[:1].lower() + text[1:]


def _read_error(path, exc):
    op = "read" if isinstance(exc, IsADirectoryError) else "open"
    return "%s %s: %s" % (op, path, _os_error_text(exc))


def default_loader(path):
    """Read a local file (path relative to the current directory, like the server)."""
    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory", path)
    with open(path, "rb") as f:
        return f.read()


def _clean_message(msg):
    """Messages may carry raw bytes (surrogate escapes): show them as a UTF-8 terminal would."""
    if msg.isascii():
        return msg
    return msg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Sources and positions
# ---------------------------------------------------------------------------
class _Source(object):
    """One parsed text (main file, include, env value) and its line index."""

    __slots__ = ("name", "text", "ascii", "_lfs")

    def __init__(self, name, text):
        self.name = name
        self.text = text
        self.ascii = text.isascii()
        self._lfs = None

    def line_col(self, off):
        """(line, 1-based byte column) of a character offset."""
        lfs = self._lfs
        if lfs is None:
            text = self.text
            lfs = self._lfs = [m.start() for m in _LF.finditer(text)]
        i = bisect.bisect_left(lfs, off)
        ls = lfs[i - 1] + 1 if i else 0
        if self.ascii:
            return i + 1, off - ls + 1
        return i + 1, byte_len(self.text, ls, off) + 1

    def position(self, off):
        line, col = self.line_col(off)
        return _tuple_new(Position, (self.name, line, col))


def _new_meta(src, is_map):
    """Where the entries of one container came from: [source, positions, used keys].

    positions: for a map {key: (key offset, value offset)} -- or (source, key offset,
    value offset) for entries brought in by an include; for a list [value offset].
    used: None or the set of keys whose value was referenced as a variable (5.5)."""
    return [src, {} if is_map else [], None]


def _converter(src):
    """Fast offset -> Position function for one source."""
    text = src.text
    lfs = src._lfs     # pylint: disable=protected-access
    if lfs is None:
        lfs = src._lfs = [m.start() for m in _LF.finditer(text)]   # pylint: disable=protected-access
    name = src.name
    bl = bisect.bisect_left
    tnew = _tuple_new
    if src.ascii:
        def conv(off):
            i = bl(lfs, off)
            return tnew(Position, (name, i + 1, off - (lfs[i - 1] if i else -1)))
    else:
        def conv(off):
            i = bl(lfs, off)
            ls = lfs[i - 1] + 1 if i else 0
            return tnew(Position, (name, i + 1, byte_len(text, ls, off) + 1))
    return conv


def _build_positions(config, metas, root_meta):
    """Walk the final tree (iteratively) -> key_positions, value_positions, used."""
    kp = {}
    vp = {}
    used = set()
    convs = {}

    def conv_for(src):
        c = convs.get(id(src))
        if c is None:
            c = convs[id(src)] = _converter(src)
        return c

    containers = (dict, list)
    stack = [(config, (), root_meta)]
    while stack:
        node, path, meta = stack.pop()
        if meta is not None:
            src, pos, ukeys = meta
            conv = conv_for(src)
        else:
            src = pos = ukeys = conv = None
        deeper = len(path) + 1 < MAX_POSITION_DEPTH
        if type(node) is dict:
            for k, v in node.items():
                p = path + (k,)
                if pos is not None:
                    e = pos.get(k)
                    if e is not None:
                        if len(e) == 2:
                            kp[p] = conv(e[0])
                            vp[p] = conv(e[1])
                        else:
                            c2 = conv_for(e[0])
                            kp[p] = c2(e[1])
                            vp[p] = c2(e[2])
                    if ukeys is not None and k in ukeys:
                        used.add(p)
                if deeper and type(v) in containers:
                    ent = metas.get(id(v))
                    stack.append((v, p, ent[1] if ent is not None and ent[0] is v else None))
        else:
            n = len(pos) if pos is not None else 0
            i = 0
            for v in node:
                p = path + (i,)
                if i < n:
                    kp[p] = vp[p] = conv(pos[i])
                if deeper and type(v) in containers:
                    ent = metas.get(id(v))
                    stack.append((v, p, ent[1] if ent is not None and ent[0] is v else None))
                i += 1
    return kp, vp, used


def _run(parser):
    """Run a top-level parse with the cyclic GC paused (parsing allocates millions of small
    objects that are all kept; generational collections would only re-scan them)."""
    was = gc.isenabled()
    gc.disable()
    try:
        parser.run()
    finally:
        if was:
            gc.enable()


class _Lazy(object):
    """Computes positions / used paths on first access (parsing does not pay for them)."""

    def __init__(self, config, metas, root_meta):
        self._args = (config, metas, root_meta)
        self._res = None

    def get(self):
        if self._res is None:
            was = gc.isenabled()
            gc.disable()
            try:
                self._res = _build_positions(*self._args)
            finally:
                if was:
                    gc.enable()
            self._args = None
        return self._res


class LazyPositions(Mapping):
    """Read-only mapping {path: Position}, built on first access."""

    def __init__(self, lazy, index):
        self._lazy = lazy
        self._index = index

    def _d(self):
        return self._lazy.get()[self._index]

    def __getitem__(self, key):
        return self._d()[tuple(key)]

    def get(self, key, default=None):
        return self._d().get(tuple(key), default)

    def __contains__(self, key):
        return tuple(key) in self._d()

    def __iter__(self):
        return iter(self._d())

    def __len__(self):
        return len(self._d())

    def __repr__(self):
        return "LazyPositions(%r)" % (self._d(),)


class LazyPathSet(Set):
    """Read-only set of paths, built on first access (set operators return plain sets)."""

    @classmethod
    def _from_iterable(cls, it):
        return set(it)

    def __init__(self, lazy):
        self._lazy = lazy

    def _s(self):
        return self._lazy.get()[2]

    def __contains__(self, key):
        return tuple(key) in self._s()

    def __iter__(self):
        return iter(self._s())

    def __len__(self):
        return len(self._s())

    def __repr__(self):
        return "LazyPathSet(%r)" % (self._s(),)


# ---------------------------------------------------------------------------
# Value conversions (spec 3.4 - 3.6)
# ---------------------------------------------------------------------------
def _go_parse_int(numb):
    """Go strconv.ParseInt(s, 10, 64) on bytes: value, or 'range' / 'syntax'."""
    if not numb:
        return "syntax"
    neg = False
    if numb[:1] in (b"+", b"-"):
        neg = numb[:1] == b"-"
        numb = numb[1:]
        if not numb:
            return "syntax"
    n = 0
    cutoff = _UINT64_MAX // 10 + 1
    for c in numb:
        if not 48 <= c <= 57:
            return "syntax"
        if n >= cutoff:
            return "range"
        n = n * 10 + (c - 48)
        if n > _UINT64_MAX:
            return "range"
    if not neg and n >= (1 << 63):
        return "range"
    if neg and n > (1 << 63):
        return "range"
    return -n if neg else n


def convert_integer(val):
    """Integer token -> int (int64 wrap-around), _DROP for unknown suffixes; raises ValueError(message)."""
    if val.isascii():
        i = 0
        while i < len(val) and (val[i] in "0123456789-"):
            i += 1
        numb = val[:i].encode()
        suffix = val[i:].strip().lower()
    else:
        k = len(_DIGIT_OR_DASH.match(val).group(0))     # counted in runes ...
        raw = val.encode("utf-8", "surrogateescape")
        numb = raw[:k]                                     # ... sliced in bytes (server quirk)
        suffix = raw[k:].decode("utf-8", "surrogateescape").strip().lower()
    num = _go_parse_int(numb)
    if num == "range":
        raise ValueError("integer '%s' is out of the range" % val)
    if num == "syntax":
        raise ValueError("expected integer, but got '%s'" % val)
    mult = _SUFFIX_MULT.get(suffix)
    if mult is None:
        return _DROP
    if mult == 1:
        return num
    return ((num * mult + (1 << 63)) % (1 << 64)) - (1 << 63)


def convert_float(val):
    if not val.isascii():
        raise ValueError("expected float, but got '%s'" % val)
    f = float(val)
    if f in (float("inf"), float("-inf")):
        raise ValueError("float '%s' is out of the range" % val)
    return f


def convert_datetime(val):
    ok = val.isascii() and len(val) == 20
    if ok:
        try:
            y, mo, d = int(val[0:4]), int(val[5:7]), int(val[8:10])
            h, mi, s = int(val[11:13]), int(val[14:16]), int(val[17:19])
        except ValueError:
            ok = False
    if ok:
        leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
        ok = 1 <= mo <= 12 and h <= 23 and mi <= 59 and s <= 59 and d >= 1
        if ok:
            dim = 29 if (mo == 2 and leap) else _DAYS[mo - 1]
            ok = d <= dim
    if not ok:
        raise ValueError("expected Zulu formatted DateTime, but got '%s'" % val)
    return GoTime(val)


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------
class _Parser(object):
    def __init__(self, src, fp, base_dir, pedantic, env, loader, env_refs, chain, files, warnings, wcounts=None):
        self.src = src
        self.fp = fp                    # file name used in "config is invalid (F:L:C)"
        self.base_dir = base_dir        # directory includes are joined onto
        self.pedantic = pedantic
        self.env = env
        self.loader = loader
        self.env_refs = env_refs        # env names being resolved (shared with sub-parsers)
        self.chain = chain              # include chain (joined paths) for cycle detection
        self.files = files
        self.warnings = warnings
        self.wcounts = wcounts if wcounts is not None else {}   # warnings per code (shared with includes)
        self.metas = {}
        self.mapping = {}
        self.root_meta = None

    # -- errors / warnings -------------------------------------------------------------
    def _err(self, message, off=None, hint=None, position=None):
        pos = position if position is not None else (self.src.position(off) if off is not None else None)
        if pos is None:
            return NatsConfError(_clean_message(message), self.src.name or None, hint=hint)
        return NatsConfError(_clean_message(message), pos[0] or None, pos[1], pos[2], hint=hint)

    def _allow(self, code):
        """Count a warning; False once MAX_WARNINGS_PER_CODE of this code were recorded."""
        counts = self.wcounts
        n = counts.get(code, 0) + 1
        counts[code] = n
        return n <= MAX_WARNINGS_PER_CODE

    def _warn(self, code, message, off, hint, path=None):
        if self.warnings is None or not self._allow(code):
            return
        pos = self.src.position(off)
        self.warnings.append(Finding(code, WARNING, _clean_message(message), pos[0] or None, pos[1], pos[2],
                                     path=path, hint=hint))

    def _cur_path(self, ctxs, keys, with_key=True):
        path = [c[2] for c in ctxs[1:]]
        if with_key and keys and type(ctxs[-1][0]) is dict:
            path.append(keys[-1][0])
        elif type(ctxs[-1][0]) is list:
            path.append(len(ctxs[-1][0]))
        return tuple(p for p in path if p is not None)

    # -- main loop (spec 4.1) ----------------------------------------------------------
    def run(self):  # noqa: C901
        src = self.src
        text = src.text
        mapping = self.mapping
        metas = self.metas
        root_meta = _new_meta(src, True)
        self.root_meta = root_meta
        # context stack entries: [container, meta, provisional name, offset of '{' / '[']
        ctxs = [[mapping, root_meta, None, 0]]
        ctx = mapping
        meta = root_meta
        pos = root_meta[1]
        ctx_is_map = True
        keys = []                      # ONE global stack of pending (key, key offset) -- 4.1 / 4.3
        prev_kind = None
        prev_val = None
        crlf_hint = False
        warnings = self.warnings
        want_warn = warnings is not None
        lookup = self._lookup

        for it in Lexer(text).items():
            kind = it[0]

            if kind == K_PAIRS:
                # fast path: key + scalar pairs stored straight into the current map
                for key, koff, vkind, raw, voff in it[1]:
                    if vkind == K_STRING:
                        val = raw
                    elif vkind == K_INTEGER:
                        val = int(raw)
                    elif vkind == K_BOOL:
                        val = raw.lower() in ("true", "yes", "on")
                    else:
                        val = lookup(raw, voff, ctxs)
                    if key in ctx:
                        self._dup(key, koff, meta, ctxs, want_warn)
                    ctx[key] = val
                    pos[key] = (koff, voff)
                prev_kind = K_STRING
                continue

            if kind == K_KEY:
                keys.append((it[1], it[2]))
                prev_kind = K_KEY
                prev_val = it[1]
                continue

            if kind == K_ELEMS:
                for vkind, raw, voff in it[1]:
                    if vkind == K_STRING:
                        val = raw
                    elif vkind == K_INTEGER:
                        val = int(raw)
                    elif vkind == K_BOOL:
                        val = raw.lower() in ("true", "yes", "on")
                    else:
                        val = lookup(raw, voff, ctxs)
                    ctx.append(val)
                    pos.append(voff)
                prev_kind = K_STRING
                continue

            # ---- decode scalar values ----------------------------------------------------
            if kind == K_STRING:
                val = it[1]
            elif kind == K_MAP_START or kind == K_ARRAY_START:
                # push a new context; its provisional name is the pending key (or the list index)
                is_map = kind == K_MAP_START
                new = {} if is_map else []
                meta = _new_meta(src, is_map)
                metas[id(new)] = (new, meta)
                if ctx_is_map:
                    pname = keys[-1][0] if keys else None
                else:
                    pname = len(ctx)
                ctxs.append([new, meta, pname, it[2]])
                if len(ctxs) > MAX_NESTING:
                    raise self._err("configuration nested deeper than %d levels (nats-server refuses more than 10000: "
                                    "json: error calling MarshalJSON for type *conf.token: exceeded max depth)"
                                    % MAX_NESTING, it[2])
                ctx = new
                pos = meta[1]
                ctx_is_map = is_map
                prev_kind = kind
                continue
            elif kind == K_MAP_END or kind == K_ARRAY_END:
                entry = ctxs.pop()
                val = entry[0]
                top = ctxs[-1]
                ctx = top[0]
                meta = top[1]
                pos = meta[1]
                ctx_is_map = type(ctx) is dict
                it = (kind, None, entry[3], None)
            elif kind == K_INTEGER:
                tok = it[1]
                if tok.isdigit() and tok.isascii() and len(tok) < 19:
                    val = int(tok)
                else:
                    try:
                        val = convert_integer(tok)
                    except ValueError as e:
                        raise self._err(str(e), it[2])
                    if want_warn:
                        self._int_warnings(tok, val, it[2], ctxs, keys)
                    if val is _DROP:
                        prev_kind = kind
                        continue
            elif kind == K_BOOL:
                val = go_lower(it[1]) in ("true", "yes", "on")
            elif kind == K_VARIABLE:
                val = lookup(it[1], it[2], ctxs)
            elif kind == K_FLOAT:
                try:
                    val = convert_float(it[1])
                except ValueError as e:
                    raise self._err(str(e), it[2])
            elif kind == K_DATETIME:
                try:
                    val = convert_datetime(it[1])
                except ValueError as e:
                    raise self._err(str(e), it[2])
            elif kind == K_COMMENT:
                prev_kind = kind
                continue
            elif kind == K_NOTE:
                if it[1] == "crlf-block-string":
                    crlf_hint = True
                if want_warn:
                    self._note(it, ctxs, keys)
                continue
            elif kind == K_INCLUDE:
                self._include(it, ctx, meta)
                prev_kind = kind
                continue
            elif kind == K_EOF:
                if prev_kind == K_KEY and prev_val != "}":
                    line, col = it[3]
                    raise NatsConfError("config is invalid (%s:%d:%d)" % (self.fp, line, col),
                                        self.fp or None, line, col + (1 if line == 1 else 0))
                break
            elif kind == K_ERROR:
                msg = "Parse error on line %d: '%s'" % (it[3], it[1])
                hint = None
                if crlf_hint and "processing block" in it[1]:
                    hint = ("this file has CRLF line endings: a ( ... ) block string only ends at a line that is "
                            "exactly ')' followed by LF; convert the file to LF line endings")
                raise self._err(msg, it[2], hint=hint)
            else:  # pragma: no cover
                raise NatsConfError("BUG in parser: unknown item %r" % (it,))

            prev_kind = kind
            # ---- store the value (setValue) ------------------------------------------------
            if ctx_is_map:
                if not keys:
                    raise self._err("BUG in parser, keys stack empty", it[2])
                key, koff = keys.pop()
                if key in ctx:
                    self._dup(key, koff, meta, ctxs, want_warn)
                ctx[key] = val
                pos[key] = (koff, it[2])
            else:
                ctx.append(val)
                pos.append(it[2])
        return mapping

    def _dup(self, key, koff, meta, ctxs, want_warn):
        """A key stored again into the same map (4.2): the new token is not 'used'."""
        if meta[2] is not None:
            meta[2].discard(key)
        if want_warn:
            self._dup_warning(key, meta[1].get(key), koff, meta, ctxs)

    # -- variables (spec 5) ------------------------------------------------------------------
    def _lookup(self, name, off, ctxs):
        if name.startswith("2a$"):
            return "$" + name                                   # 3.9 bcrypt literal
        for entry in reversed(ctxs):                             # 5.2: open maps, innermost first
            c = entry[0]
            if type(c) is dict and name in c:
                m = entry[1]                                     # 5.5: the found token is flagged used
                if m[2] is None:
                    m[2] = set()
                m[2].add(name)
                return c[name]
        line = self.src.text.count("\n", 0, off) + 1
        if name in self.env_refs:
            raise self._err("variable reference for '%s' on line %d could not be parsed: variable reference cycle for '%s'"
                            % (name, line, name), off)
        env = self.env
        value = env.get(name) if env is not None else None
        if value is not None:
            if isinstance(value, bytes):
                value = value.decode("utf-8", "surrogateescape")
            self.env_refs.add(name)
            try:
                sub = _Parser(_Source("", "pk=" + value), "", ".", False, env, self.loader, self.env_refs,
                              self.chain, self.files, None)
                try:
                    sub.run()
                except IncludeCycleError:
                    raise
                except NatsConfError as e:
                    raise self._err("variable reference for '%s' on line %d could not be parsed: %s"
                                    % (name, line, e.message), off)
            finally:
                self.env_refs.discard(name)
            if "pk" in sub.mapping:
                return sub.mapping["pk"]
        raise self._err("variable reference for '%s' on line %d can not be found" % (name, line), off)

    # -- includes (spec 6) -------------------------------------------------------------------
    def _include(self, it, ctx, meta):
        path = it[1]
        joined = go_join(self.base_dir, path)
        if path.startswith("/") and self.warnings is not None:
            self._warn("absolute-include",
                       "absolute include path '%s' is joined onto the including file's directory: "
                       "the server reads '%s'" % (path, joined), it[3],
                       "use a path relative to the including file")
        if joined in self.chain:
            chain = self.chain[self.chain.index(joined):] + [joined]
            raise IncludeCycleError("include cycle: " + " -> ".join(chain), self.src.name or None,
                                    *self.src.line_col(it[2]),
                                    hint="nats-server would crash with a stack overflow on this include cycle")
        if len(self.chain) >= MAX_INCLUDE_DEPTH:
            raise IncludeCycleError("include depth limit (%d) exceeded: %s" % (MAX_INCLUDE_DEPTH, " -> ".join(self.chain + [joined])),
                                    self.src.name or None, *self.src.line_col(it[2]))
        prefix = "error parsing include file '%s', " % path
        try:
            data = self.loader(joined)
        except (IOError, OSError) as e:
            msg = _read_error(joined, e)
            if not self.pedantic:
                msg = "error opening config file: " + msg
            raise self._err(prefix + msg, it[2])
        if isinstance(data, bytes):
            text = data.decode("utf-8", "surrogateescape")
            raw = data
        else:
            text = data
            raw = data.encode("utf-8", "surrogateescape")
        self.files.append({"path": joined, "sha256": hashlib.sha256(raw).hexdigest()})
        child = _Parser(_Source(joined, text), joined, go_dir(joined), self.pedantic, self.env, self.loader,
                        self.env_refs, self.chain + [joined], self.files, self.warnings, self.wcounts)
        try:
            child.run()
        except IncludeCycleError:
            raise
        except NatsConfError as e:
            err = NatsConfError(_clean_message(prefix + e.message), e.file, e.line, e.column, e.hint)
            raise err
        # the included keys are stored into the current map context, normal overwrite semantics
        self.metas.update(child.metas)
        csrc, cpos, cused = child.root_meta
        pos = meta[1]
        for k, v in child.mapping.items():
            e = cpos.get(k)
            if e is not None and len(e) == 2:
                e = (csrc, e[0], e[1])
            if k in ctx:
                self._dup(k, None, meta, None, False)
                if self.warnings is not None:
                    self._dup_warning(k, pos.get(k), None, meta, None, where=e)
            ctx[k] = v
            pos[k] = e
            if cused is not None and k in cused:
                if meta[2] is None:
                    meta[2] = set()
                meta[2].add(k)

    # -- warnings ------------------------------------------------------------------------------
    def _posstr(self, meta, e):
        """Text position of a key from a positions entry."""
        if e is None:
            return "?"
        if len(e) == 2:
            return str(meta[0].position(e[0]))
        return str(e[0].position(e[1]))

    def _dup_warning(self, key, old, koff, meta, ctxs, where=None):
        if not self._allow("duplicate-key"):
            return
        if where is not None:
            pos = where[0].position(where[1])
        else:
            pos = self.src.position(koff)
        path = None
        if ctxs is not None:
            path = tuple(c[2] for c in ctxs[1:] if c[2] is not None) + (key,)
        self.warnings.append(Finding(
            "duplicate-key", WARNING,
            _clean_message("duplicate key '%s' (first set at %s): the last value wins and the earlier one is ignored"
                           % (key, self._posstr(meta, old))),
            pos[0] or None, pos[1], pos[2], path=path,
            hint="remove one of the assignments"))

    def _int_warnings(self, tok, val, off, ctxs, keys):
        path = self._cur_path(ctxs, keys)
        if val is _DROP:
            self._warn("dropped-key",
                       "'%s' has an unknown size suffix: the server stores no value at all and the key silently "
                       "disappears (it can even attach to another value)" % tok, off,
                       "use one of k, kb, ki, kib, m, mb, ... or quote the value", path)
            return
        suffix = tok.lstrip("-0123456789")
        if not suffix:
            return
        key = path[-1] if path and isinstance(path[-1], str) else ""
        low = suffix.lower()
        if (key and _DURATION_KEY.search(key)) or (low == "m" and not (key and _SIZE_KEY.search(key))):
            self._warn("size-suffix-not-duration",
                       "'%s' is a size-suffixed integer (%d), not a duration; durations must be quoted "
                       "strings like \"%s\"" % (tok, val, tok.lower()), off,
                       "quote it (\"%s\") if a duration was meant" % tok.lower(), path)

    def _note(self, it, ctxs, keys):
        code = it[1]
        off = it[2]
        path = self._cur_path(ctxs, keys) if ctxs else None
        if code == "int-before-bracket":
            self._warn(code, "integer '%s' directly before ']' swallows the bracket: the server reads the string "
                             "'%s]...' and the array does not end here" % (it[3], it[3]), off,
                       "put a space or a comma before ']' (e.g. '[1, 2 ]')", path)
        elif code == "glued-comment":
            raw = it[3]
            marks = [m for m in ("#", "//") if m in raw]
            if marks == ["//"] and "://" in raw and raw.count("//") == raw.count("://"):
                return          # a URL, not a comment
            self._warn(code, "'%s' glued to the value is not a comment: the server reads the string '%s'"
                       % (marks[0], raw), off, "put a blank before the comment", path)
        elif code == "dropped-quote":
            self._warn(code, "the single quote after '%s' ends the bare string and is dropped: the server reads '%s'"
                       % (it[3], it[3]), off, "quote the whole value ('...' or \"...\")", path)
        elif code == "map-key-without-value":
            k = keys[-1][0] if keys else "?"
            self._warn("dropped-key",
                       "map key '%s' has no value: the map closes and the pending key '%s' takes the map instead of "
                       "its real key" % (k, k), off, "give the key a value or remove it", path)
        elif code == "crlf-block-string":
            self._warn(code, "block string in a CRLF file: the closing ')' line ends with CR and never closes the block",
                       off, "convert the file to LF line endings", path)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def _result(parser, files, warnings):
    for code, n in sorted(parser.wcounts.items()):
        if n > MAX_WARNINGS_PER_CODE:
            warnings.append(Finding(code, WARNING, "%d more '%s' warnings not shown" % (n - MAX_WARNINGS_PER_CODE, code),
                                    parser.src.name or None))
    lazy = _Lazy(parser.mapping, parser.metas, parser.root_meta)
    return ParseResult(parser.mapping, LazyPositions(lazy, 0), LazyPositions(lazy, 1), LazyPathSet(lazy), files, warnings)


def _to_text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", "surrogateescape"), data
    if isinstance(data, bytearray):
        data = bytes(data)
        return data.decode("utf-8", "surrogateescape"), data
    return data, data.encode("utf-8", "surrogateescape")


def parse_string(text, filename=None, base_dir=None, env=None, loader=None):
    """Parse config text (str or bytes).

    filename: shown in messages/positions (the server's ``-c`` argument); includes resolve
    against ``base_dir`` if given, else the directory of filename (``.``).
    env: mapping name -> value for ``$VAR`` lookups (default: empty; pass os.environ explicitly).
    loader: callable(path) -> bytes for includes (default: local files).
    """
    s, raw = _to_text(text)
    fp = filename or ""
    base = base_dir if base_dir is not None else go_dir(fp)
    files = [{"path": filename or "<string>", "sha256": hashlib.sha256(raw).hexdigest()}]
    warnings = []
    chain = [go_clean(filename)] if filename else []
    p = _Parser(_Source(fp, s), fp, base, True, env if env is not None else {}, loader or default_loader, set(),
                chain, files, warnings)
    _run(p)
    return _result(p, files, warnings)


def parse_file(path, env=None, loader=None):
    """Read and parse a config file; read errors give the server's 'open PATH: ...' text."""
    load = loader or default_loader
    try:
        data = load(path)
    except (IOError, OSError) as e:
        raise NatsConfError(_read_error(path, e), path)
    s, raw = _to_text(data)
    files = [{"path": path, "sha256": hashlib.sha256(raw).hexdigest()}]
    warnings = []
    p = _Parser(_Source(path, s), path, go_dir(path), True, env if env is not None else {}, load, set(),
                [go_clean(path)], files, warnings)
    _run(p)
    return _result(p, files, warnings)
