# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
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
import errno
import gc
import hashlib
import os
import re
import stat

from collections.abc import Mapping, Set

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Finding, Position, WARNING
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime, NatsConfError, ParseResult
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.lexer import (
    HAS_PYPARSING, PYPARSING_IMPORT_ERROR, Lexer, byte_len, go_lower,
    K_ERROR, K_EOF, K_KEY, K_STRING, K_BOOL, K_INTEGER, K_FLOAT, K_DATETIME, K_ARRAY_START, K_ARRAY_END,
    K_MAP_START, K_MAP_END, K_COMMENT, K_VARIABLE, K_INCLUDE, K_NOTE, K_PAIRS, K_ELEMS,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import registry as checks_registry
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.secrets import REDACTED, is_secret_key, is_secret_path, tree_secrets
from ansible_collections.natsops.nats.plugins.plugin_utils.versions import DEFAULT_VERSION, feature, parse_version

__all__ = ["parse_string", "parse_file", "read_config_file", "load_bounded", "default_loader", "Limits", "DEFAULT_LIMITS",
           "NotARegularFile", "FileTooLarge", "go_join", "go_clean", "go_dir", "MAX_INCLUDE_DEPTH", "MAX_NESTING",
           "IncludeCycleError", "ServerCrashError", "QUIRK_CODES", "HAS_PYPARSING", "PYPARSING_IMPORT_ERROR"]

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


class BudgetError(IncludeCycleError):
    """Variable / env expansion beyond the work budget: reported as is, not wrapped per reference."""


class ServerCrashError(NatsConfError):
    """A config this nats-server version crashes on (the message says how)."""


def _version(server_version):
    """None for the default version (the fast, unversioned path), else the parsed ServerVersion."""
    if server_version is None:
        return None
    version = parse_version(server_version)
    return None if str(version) == DEFAULT_VERSION else version


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


# ---------------------------------------------------------------------------
# Resource limits (hostile input must neither hang nor exhaust the controller)
# ---------------------------------------------------------------------------
MiB = 1024 * 1024


class Limits(object):
    """Caps for one parse: bytes per file, bytes per config tree (main file + includes), and the
    expansion budget (values reached through variable / env references, env values parsed)."""

    __slots__ = ("max_file_size", "max_total_size", "max_expansion")

    def __init__(self, max_file_size=16 * MiB, max_total_size=64 * MiB, max_expansion=100000):
        for name, value in (("max_file_size", max_file_size), ("max_total_size", max_total_size),
                            ("max_expansion", max_expansion)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError("%s must be a positive integer, not %r" % (name, value))
        self.max_file_size = max_file_size
        self.max_total_size = max_total_size
        self.max_expansion = max_expansion


DEFAULT_LIMITS = Limits()

_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class NotARegularFile(OSError):
    """The path is a FIFO, a device or a socket: reading it could block forever or never end."""

    def __init__(self, path, kind):
        OSError.__init__(self, errno.EINVAL, "not a regular file but %s; nats-server would block or read it "
                                             "without end, natsops.nats refuses it" % kind, path)


class FileTooLarge(OSError):
    """The file is larger than the per-file or per-tree cap."""

    def __init__(self, path, size, cap, what):
        OSError.__init__(self, errno.EFBIG, "file is too large (%s bytes; the %s is %d bytes)"
                         % ("more than %d" % cap if size is None else "%d" % size, what, cap), path)


def file_kind(mode):
    """None for a regular file or a directory, else what the file is ('a named pipe (FIFO)', ...)."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    for test, kind in _FILE_KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def default_loader(path, max_bytes=None):
    """Read a local file (path relative to the current directory, like the server).

    Only regular files are read: the file is opened non-blocking (a FIFO cannot block the open) and
    checked with fstat before one byte is read; a directory gives IsADirectoryError, a FIFO, device or
    socket NotARegularFile, a file larger than ``max_bytes`` FileTooLarge -- before reading it."""
    kind = file_kind(os.stat(path).st_mode)     # a socket cannot even be opened: name it before trying
    if kind is not None:
        raise NotARegularFile(path, kind)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", path)
        kind = file_kind(st.st_mode)
        if kind is not None:
            raise NotARegularFile(path, kind)
        if max_bytes is not None and st.st_size > max_bytes:
            raise FileTooLarge(path, st.st_size, max_bytes, "limit")
        want = st.st_size + 1 if max_bytes is None else min(st.st_size, max_bytes) + 1
        chunks = []
        got = 0
        while True:
            chunk = os.read(fd, max(want - got, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if max_bytes is not None and got > max_bytes:     # the file grew while we read it
                raise FileTooLarge(path, None, max_bytes, "limit")
        return b"".join(chunks)
    finally:
        os.close(fd)


default_loader.bounded = True


def load_bounded(loader, path, max_bytes, what="per-file limit"):
    """loader(path) with the size cap checked before reading where the loader can (``loader.bounded``),
    and after reading otherwise; raises OSError (FileTooLarge, NotARegularFile, ...)."""
    if getattr(loader, "bounded", False):
        try:
            data = loader(path, max_bytes=max_bytes)
        except OSError as exc:
            if exc.errno != errno.EFBIG:        # FileTooLarge of this module or of the remote loader
                raise
            raise FileTooLarge(path, _size_of(exc), max_bytes, what) from None
    else:
        data = loader(path)
    if data is not None and len(data) > max_bytes:
        raise FileTooLarge(path, len(data), max_bytes, what)
    return data


def _size_of(exc):
    m = re.search(r"\((\d+) bytes", str(exc.strerror))
    return int(m.group(1)) if m else None


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
_QUOTED = re.compile(r"'[^']*'")


def _parent_name(ctxs):
    """Name of the nearest enclosing map key (for keys that are secret only in some blocks)."""
    for entry in reversed(ctxs):
        if isinstance(entry[2], str):
            return entry[2]
    return None


def _mark(marks, value):
    """Add every scalar in value to marks, as text (iterative)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is dict:
            stack.extend(v.values())
        elif type(v) is list:
            stack.extend(v)
        elif isinstance(v, str):
            if v:
                marks.add(str(v))
        elif v is not None and not isinstance(v, bool):
            marks.add(str(v))


class _Need(Exception):
    """Raised by a lookup inside a deep env resolution: resolve env variable ``name`` first, then retry."""

    def __init__(self, name, line):
        Exception.__init__(self, name)
        self.name = name
        self.line = line


# env resolutions nest as Python calls up to this depth; deeper chains are driven by an explicit stack
_ENV_CALL_DEPTH = 16


class _Shared(object):
    """State shared by the parsers of one config tree (main file, includes, env values)."""

    __slots__ = ("limits", "env_refs", "env_memo", "drivers", "work", "total", "weights", "marks")

    def __init__(self, limits):
        self.limits = limits or DEFAULT_LIMITS
        self.env_refs = set()       # env names being resolved (cycle detection)
        self.env_memo = {}          # env name -> (value,) or () when the value stores nothing
        self.drivers = 0            # nested env resolutions running as Python calls
        self.work = 0               # expansion work done (values reached through references, env parses)
        self.total = 0              # bytes of files read
        self.weights = {}           # id(container) -> (container, number of values in it, expanded)
        self.marks = set()          # secrets seen while reading: env values, overwritten secret values

    def spend(self, amount, parser, off):
        self.work += amount
        if self.work > self.limits.max_expansion:
            raise parser._err(      # pylint: disable=protected-access
                "variable expansion exceeds the budget of %d values (variables and env references that reference "
                "each other multiply): nats-server expands every reference in full and would run for a very long "
                "time or run out of memory on this config" % self.limits.max_expansion, off,
                hint="reference a large value fewer times, or raise the expansion budget if this is intended", cls=BudgetError)

    def weight(self, value):
        """Number of values in value, references expanded (iterative, memoised per container)."""
        if type(value) is not dict and type(value) is not list:
            return 1
        memo = self.weights
        hit = memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        stack = [(value, False)]
        while stack:
            node, done = stack.pop()
            hit = memo.get(id(node))
            if hit is not None and hit[0] is node:
                continue
            children = node.values() if type(node) is dict else node
            if done:
                n = 1
                for c in children:
                    if type(c) is dict or type(c) is list:
                        n += memo[id(c)][1]
                    else:
                        n += 1
                memo[id(node)] = (node, n)
                continue
            stack.append((node, True))
            for c in children:
                if type(c) is dict or type(c) is list:
                    h = memo.get(id(c))
                    if h is None or h[0] is not c:
                        stack.append((c, False))
        return memo[id(value)][1]


class _Parser(object):
    version = None                      # ServerVersion being parsed for (None: the default, 2.15.1)

    def __init__(self, src, fp, base_dir, pedantic, env, loader, shared, chain, files, warnings, wcounts=None):
        self.src = src
        self.fp = fp                    # file name used in "config is invalid (F:L:C)"
        self.base_dir = base_dir        # directory includes are joined onto
        self.pedantic = pedantic
        self.env = env
        self.loader = loader
        self.shared = shared
        self.env_refs = shared.env_refs  # env names being resolved (shared with sub-parsers)
        self.chain = chain              # include chain (joined paths) for cycle detection
        self.files = files
        self.warnings = warnings
        self.wcounts = wcounts if wcounts is not None else {}   # warnings per code (shared with includes)
        self.metas = {}
        self.mapping = {}
        self.root_meta = None
        self.from_env = False           # an env value: its text is a secret, never quoted in messages

    # -- errors / warnings -------------------------------------------------------------
    def _err(self, message, off=None, hint=None, position=None, cls=NatsConfError):
        pos = position if position is not None else (self.src.position(off) if off is not None else None)
        if pos is None:
            return cls(_clean_message(message), self.src.name or None, hint=hint)
        return cls(_clean_message(message), pos[0] or None, pos[1], pos[2], hint=hint)

    def _crash(self, message, off, hint):
        err = self._err(message, off, hint)
        return ServerCrashError(err.message, err.file, err.line, err.column, err.hint)

    def _allow(self, code):
        """Count a warning; False once MAX_WARNINGS_PER_CODE of this code were recorded."""
        counts = self.wcounts
        n = counts.get(code, 0) + 1
        counts[code] = n
        return n <= MAX_WARNINGS_PER_CODE

    def _warn(self, code, message, off, hint, path=None, tokens=()):
        """A quirk warning; ``tokens`` are the pieces of the value it quotes (masked at a secret path)."""
        if self.warnings is None or not self._allow(code):
            return
        if tokens and path and is_secret_path(path):
            for t in sorted((str(t) for t in tokens if t not in (None, "")), key=len, reverse=True):
                message = message.replace(t, REDACTED)
                hint = hint.replace(t, REDACTED) if hint else hint
        pos = self.src.position(off)
        self.warnings.append(Finding(code, WARNING, _clean_message(message), pos[0] or None, pos[1], pos[2],
                                     path=path, hint=hint))

    def _secret_here(self, ctxs, keys):
        """Whether the value being read sits at a secret path."""
        return bool(ctxs) and is_secret_path(self._cur_path(ctxs, keys))

    def _mask(self, message, token, ctxs, keys):
        """message with the token replaced when the value is a secret (secret path, env value)."""
        if token and (self.from_env or self._secret_here(ctxs, keys)):
            return message.replace(token, REDACTED)
        return message

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

        for it in Lexer(text, self.version).items():
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
                        if is_secret_path(self._cur_path(ctxs, keys, with_key=False) + (key,)):
                            _mark(self.shared.marks, val)   # the variable's own value ('PW = ab') is that secret too
                    if key in ctx:
                        self._dup(key, koff, meta, ctxs, want_warn, ctx)
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
                        if self._secret_here(ctxs, keys):
                            _mark(self.shared.marks, val)
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
                        raise self._err(self._mask(str(e), tok, ctxs, keys), it[2])
                    if want_warn:
                        self._int_warnings(tok, val, it[2], ctxs, keys)
                    if val is _DROP:
                        prev_kind = kind
                        continue
            elif kind == K_BOOL:
                val = go_lower(it[1]) in ("true", "yes", "on")
            elif kind == K_VARIABLE:
                val = lookup(it[1], it[2], ctxs)
                if self._secret_here(ctxs, keys):
                    _mark(self.shared.marks, val)       # the variable's own value is that secret too
            elif kind == K_FLOAT:
                try:
                    val = convert_float(it[1])
                except ValueError as e:
                    raise self._err(self._mask(str(e), it[1], ctxs, keys), it[2])
            elif kind == K_DATETIME:
                try:
                    val = convert_datetime(it[1])
                except ValueError as e:
                    raise self._err(self._mask(str(e), it[1], ctxs, keys), it[2])
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
                text = it[1]
                if self.from_env or self._secret_here(ctxs, keys):
                    text = _QUOTED.sub("'" + REDACTED + "'", text)      # the pieces of a secret it quotes
                msg = "Parse error on line %d: '%s'" % (it[3], text)
                hint = None
                off = it[2]
                if crlf_hint and "processing block" in it[1]:
                    hint = ("this file has CRLF line endings: a ( ... ) block string only ends at a line that is "
                            "exactly ')' followed by LF; convert the file to LF line endings")
                elif it[1].startswith("Unexpected EOF processing map") and len(ctxs) > 1:
                    # the server names the line where the file ended; point at the '{' that is not closed
                    off = ctxs[-1][3]
                    name = ctxs[-1][2]
                    hint = ("this '{' is never closed: add the missing '}'" if not isinstance(name, str)
                            else "the '{' of '%s' is never closed: add the missing '}'" % name)
                raise self._err(msg, off, hint=hint)
            else:  # pragma: no cover
                raise NatsConfError("BUG in parser: unknown item %r" % (it,))

            prev_kind = kind
            # ---- store the value (setValue) ------------------------------------------------
            if ctx_is_map:
                if not keys:
                    raise self._err("BUG in parser, keys stack empty", it[2])
                key, koff = keys.pop()
                if key in ctx:
                    self._dup(key, koff, meta, ctxs, want_warn, ctx)
                ctx[key] = val
                pos[key] = (koff, it[2])
            else:
                ctx.append(val)
                pos.append(it[2])
        return mapping

    def _dup(self, key, koff, meta, ctxs, want_warn, ctx=None):
        """A key stored again into the same map (4.2): the new token is not 'used'.

        The overwritten value of a secret key stays a secret (it may be quoted in a warning)."""
        if ctx is not None and is_secret_key(key) or (ctxs and is_secret_key(key, _parent_name(ctxs))):
            _mark(self.shared.marks, ctx.get(key) if ctx is not None else None)
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
                value = c[name]
                if type(value) is dict or type(value) is list:
                    self.shared.spend(self.shared.weight(value), self, off)
                return value
        line = self.src.text.count("\n", 0, off) + 1
        if name in self.env_refs:
            if self.version is not None and not feature("env-cycle-reported", self.version):
                raise self._crash("environment variable reference cycle for '%s': nats-server %s crashes on it "
                                  "(fatal error: stack overflow)" % (name, self.version), off,
                                  "break the cycle; nats-server 2.12.4 and later report it as an error")
            raise self._err("variable reference for '%s' on line %d could not be parsed: variable reference cycle for '%s'"
                            % (name, line, name), off)
        env = self.env
        value = env.get(name) if env is not None else None
        if value is not None:
            shared = self.shared
            hit = shared.env_memo.get(name)
            if hit is None:
                if shared.drivers >= _ENV_CALL_DEPTH:
                    raise _Need(name, line)                      # the innermost resolution resolves it first
                shared.drivers += 1
                try:
                    hit = self._resolve_env(name, off)
                except NatsConfError as e:
                    if isinstance(e, BudgetError) and not self.from_env:
                        raise self._err(e.message, off, hint=e.hint, cls=BudgetError)   # where the config referenced it
                    if isinstance(e, IncludeCycleError):
                        raise
                    if isinstance(e, ServerCrashError):
                        raise self._crash(e.message, off, e.hint)     # where the config referenced it
                    raise self._err("variable reference for '%s' on line %d could not be parsed: %s"
                                    % (name, line, e.message), off)
                finally:
                    shared.drivers -= 1
            if hit:
                shared.spend(shared.weight(hit[0]), self, off)
                return hit[0]
        raise self._err("variable reference for '%s' on line %d can not be found" % (name, line), off,
                        hint="define %s earlier in the config, or give its value in the env option: env: {%s: ...}" % (name, name))

    def _resolve_env(self, name, off):
        """Parse env value ``name`` (as ``pk=<value>``) -> (value,) or () when it stores nothing.

        The env values it references are resolved first, with an explicit stack (a chain of any depth
        needs no Python recursion); every result is memoised for the whole parse (a value is the same
        wherever it is referenced). A failure raises NatsConfError whose message is what the server
        prints after 'variable reference for NAME on line N could not be parsed: '."""
        shared = self.shared
        memo = shared.env_memo
        refs = shared.env_refs
        work = [[name, None]]           # frames: [env name, the _Need it waits for]
        refs.add(name)
        try:
            while work:
                frame = work[-1]
                n = frame[0]
                value = self.env[n]
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "surrogateescape")
                shared.spend(1 + len(value) // 64, self, off)
                if value:
                    shared.marks.add(value)                     # an env value is a secret, parsed or not
                sub = _Parser(_Source("", "pk=" + value), "", ".", False, self.env, self.loader, shared,
                              self.chain, self.files, None)
                sub.from_env = True
                sub.version = self.version
                try:
                    sub.run()
                except _Need as need:
                    frame[1] = need
                    work.append([need.name, None])
                    refs.add(need.name)
                    continue
                except IncludeCycleError:
                    raise
                except ServerCrashError as e:
                    raise self._crash(e.message, off, e.hint)     # reported where the outermost reference is
                except NatsConfError as e:
                    msg = e.message
                    work.pop()
                    refs.discard(n)
                    while work:
                        below = work.pop()
                        refs.discard(below[0])
                        msg = "variable reference for '%s' on line %d could not be parsed: %s" % (
                            below[1].name, below[1].line, msg)
                    raise NatsConfError(msg)
                memo[n] = (sub.mapping["pk"],) if "pk" in sub.mapping else ()
                _mark(shared.marks, sub.mapping.get("pk"))       # values from env are secrets
                work.pop()
                refs.discard(n)
            return memo[name]
        finally:
            for frame in work:
                refs.discard(frame[0])

    # -- includes (spec 6) -------------------------------------------------------------------
    def _load(self, path):
        """Read an include within the per-file cap and what is left of the per-tree cap."""
        shared = self.shared
        limits = shared.limits
        left = limits.max_total_size - shared.total
        if left < limits.max_file_size:
            data = load_bounded(self.loader, path, max(left, 0), "limit for the whole config tree (main file and includes)")
        else:
            data = load_bounded(self.loader, path, limits.max_file_size)
        shared.total += len(data)
        return data

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
            data = self._load(joined)
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
                        self.shared, self.chain + [joined], self.files, self.warnings, self.wcounts)
        child.version = self.version
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
                self._dup(k, None, meta, None, False, ctx)
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
                       "use one of k, kb, ki, kib, m, mb, ... or quote the value", path, (tok,))
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
                       "quote it (\"%s\") if a duration was meant" % tok.lower(), path, (tok, tok.lower(), val))

    def _note(self, it, ctxs, keys):
        code = it[1]
        off = it[2]
        path = self._cur_path(ctxs, keys) if ctxs else None
        if code == "int-before-bracket":
            self._warn(code, "integer '%s' directly before ']' swallows the bracket: the server reads the string "
                             "'%s]...' and the array does not end here" % (it[3], it[3]), off,
                       "put a space or a comma before ']' (e.g. '[1, 2 ]')", path, (it[3],))
        elif code == "glued-comment":
            raw = it[3]
            marks = [m for m in ("#", "//") if m in raw]
            if marks == ["//"] and "://" in raw and raw.count("//") == raw.count("://"):
                return          # a URL, not a comment
            self._warn(code, "'%s' glued to the value is not a comment: the server reads the string '%s'"
                       % (marks[0], raw), off, "put a blank before the comment", path, (raw,))
        elif code == "dropped-quote":
            self._warn(code, "the single quote after '%s' ends the bare string and is dropped: the server reads '%s'"
                       % (it[3], it[3]), off, "quote the whole value ('...' or \"...\")", path, (it[3],))
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
    version = parser.version
    for code, n in sorted(parser.wcounts.items()):
        if n > MAX_WARNINGS_PER_CODE:
            warnings.append(Finding(code, WARNING, "%d more '%s' warnings not shown" % (n - MAX_WARNINGS_PER_CODE, code),
                                    parser.src.name or None))
    lazy = _Lazy(parser.mapping, parser.metas, parser.root_meta)
    result = ParseResult(parser.mapping, LazyPositions(lazy, 0), LazyPositions(lazy, 1), LazyPathSet(lazy), files, warnings,
                         version)
    result.marks = frozenset(parser.shared.marks)
    return result


_BAD_SURROGATE = re.compile(u"[\ud800-\udc7f\udd00-\udfff]")


def _canon(text):
    """Text whose every character encodes with surrogateescape: a lone surrogate that is not an escaped
    byte (only possible in text handed over as str) becomes the bytes Python's 'surrogatepass' gives it,
    which Go reads as invalid UTF-8 -- as if the file held them."""
    try:
        text.encode("utf-8", "surrogateescape")
        return text
    except UnicodeEncodeError:
        return _BAD_SURROGATE.sub(lambda m: m.group(0).encode("utf-8", "surrogatepass").decode("utf-8", "surrogateescape"),
                                  text)


def _to_text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", "surrogateescape"), data
    if isinstance(data, bytearray):
        data = bytes(data)
        return data.decode("utf-8", "surrogateescape"), data
    data = _canon(data)
    return data, data.encode("utf-8", "surrogateescape")


def _env_map(env):
    if not env:
        return {}
    out = {}
    for k, v in env.items():
        if isinstance(v, str):
            v = _canon(v)
        out[k] = v
    return out


def _check_main(raw, name, limits):
    if len(raw) > limits.max_file_size:
        raise NatsConfError("%s: %s" % (name, FileTooLarge(name, len(raw), limits.max_file_size, "per-file limit").strerror),
                            name if name != "<string>" else None)


def parse_string(text, filename=None, base_dir=None, env=None, loader=None, limits=None, files=None,
                 server_version=None):
    """Parse config text (str or bytes).

    filename: shown in messages/positions (the server's ``-c`` argument); includes resolve
    against ``base_dir`` if given, else the directory of filename (``.``).
    env: mapping name -> value for ``$VAR`` lookups (default: empty; pass os.environ explicitly).
    loader: callable(path) -> bytes for includes (default: local files, regular files only).
    limits: ``Limits`` (size caps, expansion budget); default ``DEFAULT_LIMITS``.
    files: a list that receives ``{"path", "sha256"}`` of every file read, also when parsing fails.
    server_version: parse as this nats-server release does (plugin_utils.versions; default 2.15.1).
    """
    limits = limits or DEFAULT_LIMITS
    s, raw = _to_text(text)
    fp = filename or ""
    _check_main(raw, filename or "<string>", limits)
    base = base_dir if base_dir is not None else go_dir(fp)
    files = files if files is not None else []
    files.append({"path": filename or "<string>", "sha256": hashlib.sha256(raw).hexdigest()})
    warnings = []
    chain = [go_clean(filename)] if filename else []
    shared = _Shared(limits)
    shared.total = len(raw)
    p = _Parser(_Source(fp, s), fp, base, True, _env_map(env), loader or default_loader, shared,
                chain, files, warnings)
    p.version = _version(server_version)
    try:
        _run(p)
    except NatsConfError as e:
        # secrets seen before the error (redact.py masks them): env and overwritten values, and the values at
        # secret paths / URL user info of what was read so far (an include path may hold a password too)
        marks = set(shared.marks)
        tree_secrets(p.mapping, marks)
        marks.discard("")
        e.marks = frozenset(marks)
        raise
    return _result(p, files, warnings)


def read_config_file(path, loader=None, limits=None):
    """The bytes of a main config file, within the per-file cap; raises NatsConfError with the server's
    'open PATH: ...' text (or why the file is refused)."""
    limits = limits or DEFAULT_LIMITS
    try:
        return load_bounded(loader or default_loader, path, limits.max_file_size)
    except (IOError, OSError) as e:
        raise NatsConfError(_read_error(path, e), path)


def parse_file(path, env=None, loader=None, limits=None, files=None, server_version=None):
    """Read and parse a config file; read errors give the server's 'open PATH: ...' text."""
    load = loader or default_loader
    data = read_config_file(path, load, limits)
    return parse_string(data, filename=path, base_dir=go_dir(path), env=env, loader=load, limits=limits, files=files,
                        server_version=server_version)
