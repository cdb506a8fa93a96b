# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lexer for the NATS server configuration format (nats-server 2.15.1).

The format is context sensitive (spec ``nats-conf-format.md`` sections 2-3):
which characters end a token, whether ``#`` starts a comment, whether a new
line is allowed... depend on where we are.  This lexer is therefore an
explicit state machine with a state stack, built like the server's
``conf/lex.go``: one small function per state (the ``lex_*`` functions at the
end of this file), each returning the next state.  The *tokens* inside each
state are recognised by ``pyparsing.Regex`` elements (one table per lexer
context, see ``TOKENS``) whose compiled regular expressions are driven
directly (``elem.re.match(text, pos)``) for speed; whole tokens with inner
structure (strings, numbers, dates, block strings, includes) are consumed by
the ``Lexer`` methods under "sub-lexers".

Input is a ``str`` decoded from the file bytes with ``surrogateescape`` so
that every invalid byte is one character (like Go's ``utf8.DecodeRune``,
which yields U+FFFD with width 1) and the original bytes can be restored.
Offsets are character offsets into that string; ``byte_len`` converts them
to byte counts where the server reports bytes.

The states (spec names, the function implementing each, the server's name):

====  =========================  ================  ================================  =======
spec  function                   lex.go            meaning                           section
====  =========================  ================  ================================  =======
T     ``lex_top``                lexTop            top-level key position            2.2
TV    ``lex_top_value_end``      lexTopValueEnd    after a top-level value           2.2
B     ``lex_wrapper_start``      lexBlockStart     key position in a ``{ }`` wrapper 2.3
BV    ``lex_wrapper_value_end``  lexBlockValueEnd  after a value inside a wrapper    2.3
BE    ``lex_wrapper_end``        lexBlockEnd       after a nested wrapper closed     2.3
KS    ``lex_key_start``          lexKeyStart       key start (top level / wrapper)   2.4
KE    ``lex_key_end``            lexKeyEnd         after a key (top level / wrapper) 2.4
V     ``lex_value``              lexValue          value start (first-char dispatch) 2.4, 3.0
AV    ``lex_array_value``        lexArrayValue     array element start               2.7
AVE   ``lex_array_value_end``    lexArrayValueEnd  after an array element            2.7
MK    ``lex_map_key_start``      lexMapKeyStart    map key position                  2.6
MKE   ``lex_map_key_end``        lexMapKeyEnd      after a map key                   2.6
MV    ``lex_map_value``          lexMapValue       map value start                   2.6
MVE   ``lex_map_value_end``      lexMapValueEnd    after a map value                 2.6
====  =========================  ================  ================================  =======

Items are tuples ``(kind, value, offset, extra)``; see the ``K_*`` constants.
"""

from __future__ import annotations

import re
import traceback

from ansible_collections.natsops.nats.plugins.plugin_utils.versions import feature

try:
    import pyparsing
    HAS_PYPARSING = True
    PYPARSING_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test only
    pyparsing = None
    HAS_PYPARSING = False
    PYPARSING_IMPORT_ERROR = traceback.format_exc()

# ---------------------------------------------------------------------------
# Item kinds (what the lexer emits; cf. conf/lex.go itemType)
# ---------------------------------------------------------------------------
K_ERROR = 0        # value = message, offset = offending char, extra = line
K_EOF = 1          # extra = (line, column) used by "config is invalid (F:L:C)"
K_KEY = 2
K_STRING = 3
K_BOOL = 4
K_INTEGER = 5
K_FLOAT = 6
K_DATETIME = 7
K_ARRAY_START = 8
K_ARRAY_END = 9
K_MAP_START = 10
K_MAP_END = 11
K_COMMENT = 12     # a whole comment (server: itemCommentStart + itemText)
K_VARIABLE = 13
K_INCLUDE = 14
K_NOTE = 15        # not a server item: a quirk observation (value = code, extra = detail)
K_PAIRS = 16       # fast path: value = [(key, key offset, kind, raw value, value offset)]
K_ELEMS = 17       # fast path: value = [(kind, raw value, value offset)] appended to an array


# ---------------------------------------------------------------------------
# Character classes (spec 1.1)
# ---------------------------------------------------------------------------
# SPACE = Go unicode.IsSpace (NOT Python str.isspace, which also has U+001C-U+001F)
SPACE_CHARS = u"\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = u"\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
BLANK = " \t"
NL = "\r\n"
SEPS = "=:"
SUFFIX = "kKmMgGtTpPeE"
SUFFIX_TAIL = "bBiI"
_HEX = "0123456789abcdefABCDEF"


def _rx(pattern):
    """One token element.  A pyparsing Regex when pyparsing is there (the project's grammar
    library); the lexer drives its compiled ``re`` directly.  Plain ``re`` otherwise."""
    if HAS_PYPARSING:
        return pyparsing.Regex(pattern, flags=re.DOTALL)
    return _Plain(pattern)


class _Plain(object):
    __slots__ = ("re",)

    def __init__(self, pattern):
        self.re = re.compile(pattern, re.DOTALL)


# ---------------------------------------------------------------------------
# Token elements per lexer context.  Each names the spec rule it implements.
# ---------------------------------------------------------------------------
TOKENS = {
    # 1.1 runs of characters skipped at key / element positions (Go unicode.IsSpace)
    "space": _rx(u"[%s]+" % _SPACE),
    # 2.2 BLANKs skipped after values
    "blank": _rx(u"[ \\t]+"),
    # 2.4 bare key: up to SPACE, '=', ':' or EOF/NUL
    "bare_key": _rx(u"[^%s=:\\x00]+" % _SPACE),
    # 2.4 quoted keys: verbatim up to the same quote (stops at NUL = EOF)
    "dq_key_body": _rx(u'[^"\\x00]*'),
    "sq_key_body": _rx(u"[^'\\x00]*"),
    # 2.5 comment body: up to CR/LF/EOF/NUL (the terminator is not consumed)
    "comment_body": _rx(u"[^\\r\\n\\x00]*"),
    # 3.1 double-quoted string: plain run up to '"', '\\' or NUL
    "dq_body": _rx(u'[^"\\\\\\x00]*'),
    # 3.2 single-quoted string: raw up to "'" or NUL
    "sq_body": _rx(u"[^'\\x00]*"),
    # 3.3 bare string: up to NL, NUL, ';', ',', ']', '}', BLANK, "'" or a backslash
    "bare_body": _rx(u"[^\\r\\n\\x00;,\\]} \\t'\\\\]*"),
    # 3.4 digits (Go unicode.IsDigit = Unicode Nd, Python's \\d on str)
    "digits": _rx(u"\\d*"),
    # 3.4 suffix tail after a size suffix letter
    "suffix_tail": _rx(u"[bBiI]*"),
    # 3.4 IP state: digits, '.', ':' or '-'
    "ip_body": _rx(u"[\\d.:-]*"),
    # 6.1 bare include path: up to NL, EOF/NUL, ';', '}', BLANK or "'"
    "include_bare": _rx(u"[^\\r\\n\\x00;} \\t']*"),
    # 6.1 quoted include paths
    "include_sq": _rx(u"[^'\\x00]*"),
    "include_dq": _rx(u'[^"\\x00]*'),
    # 3.10 block string terminator: a ')' alone on its line (LF before, LF/NUL/end after)
    "block_end": _rx(u"\\n\\)(?=\\n|\\x00|\\Z)"),
}

_M_SPACE = TOKENS["space"].re.match
_M_BLANK = TOKENS["blank"].re.match
_M_BARE_KEY = TOKENS["bare_key"].re.match
_M_DQ_KEY = TOKENS["dq_key_body"].re.match
_M_SQ_KEY = TOKENS["sq_key_body"].re.match
_M_COMMENT = TOKENS["comment_body"].re.match
_M_DQ = TOKENS["dq_body"].re.match
_M_SQ = TOKENS["sq_body"].re.match
_M_BARE = TOKENS["bare_body"].re.match
_M_DIGITS = TOKENS["digits"].re.match
_M_SUFFIX_TAIL = TOKENS["suffix_tail"].re.match
_M_IP = TOKENS["ip_body"].re.match
_M_INC_BARE = TOKENS["include_bare"].re.match
_FAST_FIRST = frozenset(u"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_\"")
_FAST_ELEM_FIRST = frozenset(u"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_\"0123456789$/*>!@%&+")
_M_INC_SQ = TOKENS["include_sq"].re.match
_M_INC_DQ = TOKENS["include_dq"].re.match
_S_BLOCK_END = TOKENS["block_end"].re.search

_DIGIT_RE = re.compile(u"\\d")
_BOOLS = frozenset(("true", "false", "yes", "no", "on", "off"))

# Fast paths (section 11 of the spec): runs of simple ``key = scalar`` pairs at a key
# position (T, B, MK) and runs of simple scalars at an array element start (AV) are
# taken one whole entry per regex match, value terminator included.  Only shapes whose
# meaning is unambiguous are accepted (see each alternative); anything else -- and
# every error -- is left to the character-exact state machine, which the fast path
# hands over to in exactly the state the slow path would be in.
_FAST_KEY = u'(?:([A-Za-z_][A-Za-z0-9_.\\-]*)|"([^"\\x00]*)")[ \\t]*[=:][ \\t]*'
_FAST_SCALAR = (
    u'(?:"([^"\\\\\\x00]*)"'                                    # dq string without escapes
    u'|(0|[1-9][0-9]{0,17})(?=[ \\t\\r\\n,;}]|\\Z)'              # small int followed by a number terminator
    # (first char: not a digit, not a V-dispatch char, not SPACE -- in maps the value start skips all SPACE)
    u'|((?!\\d)[^%s\\x00;,\\]}\'\\\\#\\[{"(\\-.][^\\t\\n\\r\\x00 ;,\\]}\'\\\\#]*)' % _SPACE +
    u'(?=[ \\t\\r\\n,;}\\]]|\\Z))'                               # bare token without escapes, quotes or '#'
)
# after a value: BLANKs, then optionally one terminator and the SPACE run of the next key position
_FAST_PAIR = re.compile(_FAST_KEY + _FAST_SCALAR + u"[ \\t]*(?:([,;\\r\\n])[%s]*)?" % _SPACE)
_FAST_OPEN = re.compile(_FAST_KEY + u"([{\\[])")
_FAST_ELEM = re.compile(_FAST_SCALAR + u"[ \\t]*(?:([,\\r\\n])[%s]*)?" % _SPACE)
_M_FAST_PAIR = _FAST_PAIR.match
_M_FAST_OPEN = _FAST_OPEN.match
_M_FAST_ELEM = _FAST_ELEM.match


def go_lower(s):
    """Go strings.ToLower (Unicode simple lower-casing: 'İ' -> 'i')."""
    if s.isascii():
        return s.lower()
    out = []
    for c in s:
        low = c.lower()
        if len(low) != 1:
            low = "i" if c == u"\u0130" else c
        out.append(low)
    return "".join(out)


def byte_len(text, a, b):
    """Number of bytes of text[a:b] in the original encoding."""
    seg = text[a:b]
    if seg.isascii():
        return len(seg)
    return len(seg.encode("utf-8", "surrogateescape"))


def show_char(c):
    """How the server prints an offending character: LF as '\\n', EOF as NUL."""
    if c == "":
        return "\x00"
    if c == "\n":
        return "\\n"
    if "\udc80" <= c <= "\udcff":
        return u"\ufffd"
    return c


class Lexer(object):
    """``Lexer(text).items()`` yields items in file order (an error item ends the stream).

    The state machine is the module-level ``lex_*`` functions below, one per state, like the
    server's ``conf/lex.go``: each takes the lexer and the offset where it starts, emits the
    items it recognised (``lx.emit``) and returns ``(next state, offset)``; ``None`` as the next
    state ends the stream.  States that must come back somewhere push that state on
    ``lx.stack`` and whoever finishes the value pops it."""

    __slots__ = ("text", "n", "stack", "out", "emit", "fast_first", "fast_elem_first", "suffix_digit_ends")

    # the batched fast paths can be switched off (tests compare both ways)
    FAST = True

    def __init__(self, text, server_version=None):
        self.text = text
        self.n = len(text)
        # before 2.15.1 a digit right after a size suffix ends the number (then a parse error follows)
        self.suffix_digit_ends = server_version is not None and not feature("size-suffix-trailing-string", server_version)

    def items(self):
        out = self.out = []
        self.emit = out.append
        self.stack = []                   # state stack (Go lx.stack)
        self.fast_first = _FAST_FIRST if self.FAST else ()
        self.fast_elem_first = _FAST_ELEM_FIRST if self.FAST else ()
        state = lex_top
        pos = 0
        while state is not None:
            state, pos = state(self, pos)
            if len(out) > 63:             # hand items on in batches (fewer generator switches)
                yield from out
                del out[:]
        yield from out

    # -- helpers -------------------------------------------------------------------------
    def line_at(self, pos):
        """1 + number of LFs in text[:pos]."""
        return self.text.count("\n", 0, pos) + 1

    def _error(self, msg, pos):
        """Error item: ``pos`` is the offset just after the offending character was consumed
        (the server's line counts it); offset of the character itself is pos - 1 (>= 0)."""
        return (K_ERROR, msg, max(pos - 1, 0), self.line_at(pos))

    def fail(self, msg, pos):
        """Emit an error item and end the stream (a state's ``return lx.fail(...)``)."""
        self.out.append(self._error(msg, pos))
        return None, pos

    def _eof_item(self, eofpos, ilstart_limit=None, minus=0):
        """EOF item with the (line, column) the server prints in ``config is invalid``.

        column = eofpos - ilstart - len(val) in bytes, ilstart = offset of the last LF
        recorded at a token boundary (spec 8.2)."""
        text = self.text
        limit = eofpos if ilstart_limit is None else ilstart_limit
        lf = text.rfind("\n", 0, limit)
        ilstart = lf if lf >= 0 else 0
        col = byte_len(text, ilstart, eofpos) - minus
        return (K_EOF, None, eofpos, (self.line_at(eofpos), col))

    def comment(self, pos, c, then):
        """2.5: emit the comment whose marker (``#`` or ``//``, first char ``c``) is at pos;
        the state goes on with ``then`` at the line end (not consumed)."""
        start = pos + (1 if c == "#" else 2)
        self.out.append((K_COMMENT, None, start, None))
        return then, _M_COMMENT(self.text, start).end()

    def value_done(self, r):
        """Emit a sub-lexer's items ``r = (items, pos or None)``; the value is finished, so
        the state returns to whoever pushed itself."""
        self.out.extend(r[0])
        if r[1] is None:
            return None, 0
        return self.stack.pop(), r[1]

    # -- fast path ----------------------------------------------------------------------------
    def _fast_pairs(self, pos, key_state, end_state):
        """Take a run of simple ``key = scalar`` entries at a key position (T, B or MK).

        Emits the items and returns (state, pos) -- the state (and pushed return state) the
        slow path would be in at pos -- or None when not even one entry matched."""
        text = self.text
        pairs = []
        start = pos
        state = key_state
        while True:
            m = _M_FAST_PAIR(text, pos)
            if m is None:
                break
            key = m.group(1)
            if key is None:
                key = m.group(2)
                koff = m.start(2)  # a quoted key is at its first character, like the server's
            else:
                if len(key) == 7 and key.lower() == "include":
                    break
                koff = m.start(1)
            g = m.group(3)
            if g is not None:
                pairs.append((key, koff, K_STRING, g, m.start(3)))
            else:
                g = m.group(4)
                if g is not None:
                    pairs.append((key, koff, K_INTEGER, g, m.start(4)))
                else:
                    g = m.group(5)
                    if "//" in g:
                        break                         # maybe a glued comment: slow path (warning)
                    if g[0] == "$":
                        pairs.append((key, koff, K_VARIABLE, g[1:], m.start(5)))
                    elif len(g) <= 5 and g.lower() in _BOOLS:
                        pairs.append((key, koff, K_BOOL, g, m.start(5)))
                    else:
                        pairs.append((key, koff, K_STRING, g, m.start(5)))
            pos = m.end()
            if m.group(6) is None:
                state = end_state                     # no terminator consumed: value-end state
                break
            state = key_state
        emitted = bool(pairs)
        if pairs:
            self.emit((K_PAIRS, pairs, start, None))
        if state is key_state:
            m = _M_FAST_OPEN(text, pos)
            if m is not None:
                key = m.group(1)
                if key is None:
                    key = m.group(2)
                    koff = m.start(2)
                elif len(key) == 7 and key.lower() == "include":
                    key = None
                    koff = None
                else:
                    koff = m.start(1)
                if key is not None:
                    emitted = True
                    self.emit((K_KEY, key, koff, None))
                    pos = m.end()
                    if m.group(3) == "{":
                        self.emit((K_MAP_START, None, pos - 1, None))
                        state = lex_map_key_start
                    else:
                        self.emit((K_ARRAY_START, None, pos - 1, None))
                        state = lex_array_value
                    self.stack.append(end_state)
        if not emitted:
            return None
        return state, pos

    def _fast_elems(self, pos):
        """Take a run of simple scalar array elements at AV.  Emits them and returns
        (state, pos), or None when not even one element matched."""
        text = self.text
        elems = []
        state = lex_array_value
        start = pos
        while True:
            m = _M_FAST_ELEM(text, pos)
            if m is None:
                break
            g = m.group(1)
            if g is not None:
                elems.append((K_STRING, g, m.start(1)))
            else:
                g = m.group(2)
                if g is not None:
                    elems.append((K_INTEGER, g, m.start(2)))
                else:
                    g = m.group(3)
                    if "//" in g:
                        break
                    if g[0] == "$":
                        elems.append((K_VARIABLE, g[1:], m.start(3)))
                    elif len(g) <= 5 and g.lower() in _BOOLS:
                        elems.append((K_BOOL, g, m.start(3)))
                    else:
                        elems.append((K_STRING, g, m.start(3)))
            pos = m.end()
            if m.group(4) is None:
                state = lex_array_value_end
                break
        if not elems:
            return None
        self.emit((K_ELEMS, elems, start, None))
        return state, pos

    # -- sub-lexers (each consumes one whole token) -------------------------------------------
    def _include(self, end, kpos):
        """6.1: 'include' keyword at kpos, ended by the SPACE char at end.
        Returns (items, pos or None when lexing stops)."""
        text = self.text
        n = self.n
        pos = end
        m = _M_BLANK(text, pos)
        if m:
            pos = m.end()
        c = text[pos] if pos < n else ""
        if c == "'" or c == '"':
            m = (_M_INC_SQ if c == "'" else _M_INC_DQ)(text, pos + 1)
            e = m.end()
            if e >= n or text[e] == "\x00":
                what = "quoted include" if c == "'" else "double quoted include"
                return [self._error("Unexpected EOF in %s" % what, e + (1 if e < n else 0))], None
            return [(K_INCLUDE, text[pos + 1:e], kpos, pos)], e + 1
        if c == "[":
            return [self._error("Expected include value but found start of an array", pos + 1)], None
        if c == "{":
            return [self._error("Expected include value but found start of a map", pos + 1)], None
        if c == "(":
            return [self._error("Expected include value but found start of a block", pos + 1)], None
        if c == "-" or (c and (c in "0123456789" or (c > "\x7f" and _DIGIT_RE.match(c)))):
            return [self._error("Expected include value but found start of a number", pos + 1)], None
        if c == "\\":
            return [self._error("Expected include value but found escape sequence", pos + 1)], None
        if c == "\n" or c == "\r":
            return [self._error("Expected include value but found new line", pos + 1)], None
        m = _M_INC_BARE(text, pos)
        e = m.end()
        item = (K_INCLUDE, text[pos:e], kpos, pos)
        if e < n and text[e] == "'":
            return [item], e + 1
        return [item], e

    def _dq_string(self, qpos):
        """3.1 double-quoted string whose '"' is at qpos.  Returns (item, pos or None)."""
        text = self.text
        n = self.n
        pos = qpos + 1
        parts = None
        high = False
        start = pos
        while True:
            m = _M_DQ(text, pos)
            e = m.end()
            if e >= n or text[e] == "\x00":
                if e > start or e < n:
                    # content (or a NUL, which is consumed) before the end
                    return self._error("Unexpected EOF.", e + (1 if e < n else 0)), None
                # EOF right after the quote or right after an escape: the lexer ends silently
                if parts is None:
                    return self._eof_item(e), None
                val = "".join(parts)
                return self._eof_item(e, ilstart_limit=qpos + 1, minus=len(val.encode("utf-8", "surrogateescape"))), None
            if text[e] == '"':
                if parts is None:
                    return (K_STRING, text[start:e], qpos + 1, None), e + 1
                parts.append(text[start:e])
                val = "".join(parts)
                if high:
                    val = val.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
                return (K_STRING, val, qpos + 1, None), e + 1
            # backslash
            if parts is None:
                parts = []
            parts.append(text[start:e])
            r = self._escape(e)
            if r[0] == K_ERROR:
                return r, None
            parts.append(r[1])
            if r[2]:
                high = True
            pos = start = r[3]

    def _escape(self, bpos):
        """3.1 escape at bpos (the backslash).  Returns (K_STRING, decoded, high, pos) or an error item."""
        text = self.text
        n = self.n
        c = text[bpos + 1] if bpos + 1 < n else ""
        if c == "x":
            p = bpos + 2
            c1 = text[p] if p < n else ""
            if c1 == "\n" or c1 == "\r":
                return self._error("Expected two hexadecimal digits after '\\x', but hit end of line", p + 1)
            if c1:
                p += 1
            c2 = text[p] if p < n else ""
            if c2 == "\n" or c2 == "\r":
                return self._error("Expected two hexadecimal digits after '\\x', but hit end of line", p + 1)
            if c2:
                p += 1
            # the last two *bytes* consumed must be hex digits
            raw = text[max(p - 2, 0):p].encode("utf-8", "surrogateescape")[-2:]
            if len(raw) == 2 and chr(raw[0]) in _HEX and chr(raw[1]) in _HEX:
                b = int(raw, 16)
                if b < 0x80:
                    return (K_STRING, chr(b), False, p)
                return (K_STRING, chr(0xDC00 + b), True, p)
            shown = raw.decode("utf-8", "surrogateescape")
            return self._error("Expected two hexadecimal digits after '\\x', but got '%s'" % shown, p)
        if c and c in 'tnr"\\':
            return (K_STRING, {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}[c], False, bpos + 2)
        return self._error("Invalid escape character '%s'. Only the following escape characters are allowed: "
                           "\\xXX, \\t, \\n, \\r, \\\", \\\\." % show_char(c), bpos + 2 if c else bpos + 1)

    def _bare(self, tstart, pos, literal_first):
        """3.3 bare token starting at tstart; scanning resumes at pos (pos > tstart when a number
        fell back to a string).  Returns (items, pos or None)."""
        text = self.text
        n = self.n
        parts = None
        high = False
        start = tstart
        while True:
            m = _M_BARE(text, pos)
            e = m.end()
            c = text[e] if e < n else ""
            if c == "\\":
                if parts is None:
                    parts = []
                parts.append(text[start:e])
                r = self._escape(e)
                if r[0] == K_ERROR:
                    return [r], None
                parts.append(r[1])
                if r[2]:
                    high = True
                pos = start = r[3]
                continue
            notes = []
            if parts is not None:
                parts.append(text[start:e])
                val = "".join(parts)
                if high:
                    val = val.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
                item = (K_STRING, val, tstart, None)
            elif c == "'":
                item = (K_STRING, text[tstart:e], tstart, None)
            else:
                val = text[tstart:e]
                if len(val) <= 5 and go_lower(val) in _BOOLS:
                    item = (K_BOOL, val, tstart, None)
                elif val[:1] == "$":
                    item = (K_VARIABLE, val[1:], tstart, None)
                else:
                    item = (K_STRING, val, tstart, None)
            if c == "'":
                notes.append((K_NOTE, "dropped-quote", e, text[tstart:e]))
                e += 1
            if item[0] == K_STRING:
                raw = text[tstart:e]
                if "#" in raw or "//" in raw:
                    notes.append((K_NOTE, "glued-comment", tstart, raw))
            # notes first: the parser still has the pending key when it reads them
            return notes + [item], e

    def _number(self, tstart):
        """3.4 non-negative number / float / datetime / IP / digit-led string at tstart."""
        text = self.text
        n = self.n
        m = _M_DIGITS(text, tstart + 1)
        pos = m.end()
        c = text[pos] if pos < n else ""
        if c == "-":
            # 3.6: exactly 4 bytes before the '-'
            if byte_len(text, tstart, pos) != 4:
                return [self._error("All ISO8601 dates must be in full Zulu form.", pos + 1)], None
            return self._date(tstart, pos + 1)
        if c == ".":
            return self._float(tstart, pos + 1)
        if c and c in SUFFIX:
            return self._suffix(tstart, pos + 1)
        if c == "" or c in "\r\n\x00};, \t":
            return [(K_INTEGER, text[tstart:pos], tstart, None)], pos
        # anything else: the token continues as a bare string, this char taken literally
        notes = []
        if c == "]":
            notes.append((K_NOTE, "int-before-bracket", pos, text[tstart:pos]))
        r = self._bare(tstart, pos + 1, True)
        if notes and r[1] is not None:
            r = (notes + r[0], r[1])
        return r

    def _suffix(self, tstart, pos):
        """3.4 state S: after a size suffix letter."""
        text = self.text
        n = self.n
        m = _M_SUFFIX_TAIL(text, pos)
        pos = m.end()
        c = text[pos] if pos < n else ""
        if c == "" or c in "\r\n\x00};, \t" or (self.suffix_digit_ends and _DIGIT_RE.match(c)):
            return [(K_INTEGER, text[tstart:pos], tstart, None)], pos
        return self._bare(tstart, pos, False)

    def _negative(self, tstart):
        """3.4 negative numbers: '-' at tstart."""
        text = self.text
        n = self.n
        p = tstart + 1
        c = text[p] if p < n else ""
        if not (c and (c in "0123456789" or (c > "\x7f" and _DIGIT_RE.match(c)))):
            if c == ".":
                return [self._error("Floats must start with a digit, not '.'.", p + 1)], None
            return [self._error("Expected a digit but got '%s'." % show_char(c), p + 1 if c else p)], None
        m = _M_DIGITS(text, p + 1)
        pos = m.end()
        c = text[pos] if pos < n else ""
        if c == ".":
            return self._float(tstart, pos + 1)
        if c and c in SUFFIX:
            return self._suffix(tstart, pos + 1)
        return [(K_INTEGER, text[tstart:pos], tstart, None)], pos

    def _float(self, tstart, pos):
        """3.4 states F0 / F / IP: the '.' is just before pos."""
        text = self.text
        n = self.n
        c = text[pos] if pos < n else ""
        if not (c and (c in "0123456789" or (c > "\x7f" and _DIGIT_RE.match(c)))):
            return [self._error("Floats must have a digit after the '.', but got '%s' instead." % show_char(c),
                                pos + 1 if c else pos)], None
        m = _M_DIGITS(text, pos + 1)
        pos = m.end()
        if pos < n and text[pos] == ".":
            m = _M_IP(text, pos + 1)
            pos = m.end()
            return [(K_STRING, text[tstart:pos], tstart, None)], pos
        return [(K_FLOAT, text[tstart:pos], tstart, None)], pos

    def _date(self, tstart, pos):
        """3.6 datetime: 'YYYY-' consumed; match DD-DDTDD:DD:DDZ char by char."""
        text = self.text
        n = self.n
        for f in "00-00T00:00:00Z":
            c = text[pos] if pos < n else ""
            if f == "0":
                if not (c and (c in "0123456789" or (c > "\x7f" and _DIGIT_RE.match(c)))):
                    return [self._error("Expected digit in ISO8601 datetime, but found '%s' instead." % show_char(c),
                                        pos + 1 if c else pos)], None
            elif c != f:
                return [self._error("Expected '%s' in ISO8601 datetime, but found '%s' instead." % (f, show_char(c)),
                                    pos + 1 if c else pos)], None
            pos += 1
        return [(K_DATETIME, text[tstart:pos], tstart, None)], pos

    def _block(self, ppos):
        """3.10 block string: '(' at ppos; ends at a line that is exactly ')'."""
        text = self.text
        n = self.n
        start = ppos + 1
        m = _S_BLOCK_END(text, ppos)
        nul = text.find("\x00", start, m.start() + 1 if m else n)
        if nul >= 0:
            notes = []
            return [self._error("Unexpected EOF processing block.", nul + 1)] + notes, None
        if m is None:
            items = []
            if "\r\n)" in text[start:]:
                items.append((K_NOTE, "crlf-block-string", ppos, None))
            items.append(self._error("Unexpected EOF processing block.", n + 1))
            return items, None
        close = m.start() + 1       # offset of ')'
        if close + 1 >= n:
            # ')' is the last byte of the file: it is kept in the value
            return [(K_STRING, text[start:close + 1], ppos, None)], close + 1
        return [(K_STRING, text[start:close], ppos, None)], close + 1


# ---------------------------------------------------------------------------
# The states.  Each: ``lex_x(lx, pos) -> (next state or None, pos)``.
# ---------------------------------------------------------------------------
def lex_top(lx, pos):
    """T (2.2): top-level key position."""
    text = lx.text
    m = _M_SPACE(text, pos)
    if m:
        pos = m.end()
    if pos >= lx.n:
        lx.emit((K_EOF, None, pos, (lx.line_at(pos), 0)))
        return None, pos
    c = text[pos]
    if c == "{":
        # 2.3 document wrapper
        lx.stack.append(lex_top)
        return lex_wrapper_start, pos + 1
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_top)
    if c == "/" or c == "\x00":
        return lx.fail("Unexpected EOF.", pos + 1)
    if c in lx.fast_first:
        # fast path: a run of simple "key = value" entries
        res = lx._fast_pairs(pos, lex_top, lex_top_value_end)
        if res is not None:
            return res
    lx.stack.append(lex_top_value_end)
    return lex_key_start, pos


def lex_top_value_end(lx, pos):
    """TV (2.2): after a top-level value."""
    text = lx.text
    m = _M_BLANK(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < lx.n else ""
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_top)
    if c == "/":
        return lex_top_value_end, pos + 1       # a lone '/' is ignored here
    if c == "":
        return lex_top, pos                     # EOF
    if c in "\r\n;,}\x00":
        return lex_top, pos + 1
    return lx.fail("Expected a top-level value to end with a new line, comment or EOF, "
                   "but got '%s' instead." % show_char(c), pos + 1)


def lex_wrapper_start(lx, pos):
    """B (2.3): key position inside a top-level ``{ }`` wrapper."""
    text = lx.text
    m = _M_SPACE(text, pos)
    if m:
        pos = m.end()
    if pos >= lx.n:
        lx.emit((K_EOF, None, pos, (lx.line_at(pos), 0)))   # an unclosed wrapper is fine
        return None, pos
    c = text[pos]
    if c == "{":
        lx.stack.append(lex_wrapper_end)
        return lex_wrapper_start, pos + 1
    if c == "}":
        return lx.stack.pop(), pos + 1
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_wrapper_start)
    if c == "/" or c == "\x00":
        return lx.fail("Unexpected EOF.", pos + 1)
    if c in lx.fast_first:
        res = lx._fast_pairs(pos, lex_wrapper_start, lex_wrapper_value_end)
        if res is not None:
            return res
    lx.stack.append(lex_wrapper_value_end)
    return lex_key_start, pos


def lex_wrapper_value_end(lx, pos):
    """BV (2.3): after a value inside a wrapper."""
    text = lx.text
    m = _M_BLANK(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < lx.n else ""
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_wrapper_value_end)
    if c == "/":
        return lex_wrapper_value_end, pos + 1
    if c and c in "\r\n;,":
        return lex_wrapper_start, pos + 1
    if c == "}":
        return lex_wrapper_end, pos             # not consumed: the wrapper end reads it
    return lx.fail("Expected a block-level value to end with a new line, comment or EOF, "
                   "but got '%s' instead." % show_char(c), pos + 1)


def lex_wrapper_end(lx, pos):
    """BE (2.3): after a nested wrapper was closed."""
    text = lx.text
    c = text[pos] if pos < lx.n else ""
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_wrapper_start)
    if c == "/" or (c and c in "\r\n \t"):
        return lex_wrapper_end, pos + 1
    if c == ";" or c == ",":
        return lex_wrapper_start, pos + 1
    if c == "}":
        return lx.stack.pop(), pos + 1
    return lx.fail("Expected a block-level to end with a '}', but got '%s' instead." % show_char(c), pos + 1)


def lex_key_start(lx, pos):
    """KS (2.4): key start at top level / in a wrapper (SPACE skipped and EOF checked already)."""
    text = lx.text
    n = lx.n
    c = text[pos]
    if c == "=" or c == ":":
        return lx.fail("Unexpected key separator '%s'" % c, pos + 1)
    if c == '"' or c == "'":
        end = (_M_DQ_KEY if c == '"' else _M_SQ_KEY)(text, pos + 1).end()
        if end >= n or text[end] == "\x00":
            if end > pos + 1:
                return lx.fail("Unexpected EOF.", end + (1 if end < n else 0))
            lx.emit(lx._eof_item(end))          # EOF right after the opening quote: the document ends here
            return None, end
        lx.emit((K_KEY, text[pos + 1:end], pos + 1, None))
        return lex_key_end, end + 1
    end = _M_BARE_KEY(text, pos).end()
    key = text[pos:end]
    if end < n and text[end] not in "=:\x00" and len(key) == 7 and go_lower(key) == "include":
        # 6.1 include directive (bare key ended by SPACE)
        return lx.value_done(lx._include(end, pos))
    lx.emit((K_KEY, key, pos, None))
    return lex_key_end, end


def lex_key_end(lx, pos):
    """KE (2.4): after a key at top level / in a wrapper."""
    text = lx.text
    m = _M_SPACE(text, pos)                     # SPACE incl. newlines
    if m:
        pos = m.end()
    c = text[pos] if pos < lx.n else ""
    if c == "=" or c == ":":
        return lex_value, pos + 1
    if c == "" or c == "\x00":
        lx.emit(lx._eof_item(pos))
        return None, pos
    return lex_value, pos


def lex_value(lx, pos):
    """V (3.0): value start, dispatched on the first character."""
    text = lx.text
    n = lx.n
    m = _M_BLANK(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < n else ""
    if c == "[":
        lx.emit((K_ARRAY_START, None, pos, None))
        return lex_array_value, pos + 1
    if c == "{":
        lx.emit((K_MAP_START, None, pos, None))
        return lex_map_key_start, pos + 1
    if c == '"':
        item, end = lx._dq_string(pos)
        return lx.value_done(([item], end))
    if c == "'":
        end = _M_SQ(text, pos + 1).end()
        if end >= n or text[end] == "\x00":
            if end > pos + 1 or end < n:
                return lx.fail("Unexpected EOF.", end + (1 if end < n else 0))
            lx.emit(lx._eof_item(end))
            return None, end
        lx.emit((K_STRING, text[pos + 1:end], pos + 1, None))
        return lx.stack.pop(), end + 1
    if c == "(":
        return lx.value_done(lx._block(pos))
    if c == "-":
        return lx.value_done(lx._negative(pos))
    if c == ".":
        return lx.fail("Floats must start with a digit", pos + 1)
    if c == "\n" or c == "\r":
        return lx.fail("Expected value but found new line", pos + 1)
    if c and (c in "0123456789" or (c > "\x7f" and _DIGIT_RE.match(c))):
        return lx.value_done(lx._number(pos))
    return lx.value_done(lx._bare(pos, pos, False))


def lex_array_value(lx, pos):
    """AV (2.7): array element start."""
    text = lx.text
    m = _M_SPACE(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < lx.n else ""
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_array_value)
    if c == "/" or c == ",":
        return lx.fail("Unexpected array value terminator ','.", pos + 1)
    if c == "]":
        lx.emit((K_ARRAY_END, None, pos, None))
        return lx.stack.pop(), pos + 1
    if c in lx.fast_elem_first:
        # fast path: a run of simple scalar elements
        res = lx._fast_elems(pos)
        if res is not None:
            return res
    lx.stack.append(lex_array_value_end)
    return lex_value, pos


def lex_array_value_end(lx, pos):
    """AVE (2.7): after an array element."""
    text = lx.text
    m = _M_BLANK(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < lx.n else ""
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_array_value_end)
    if c and c in "/,\r\n":
        return lex_array_value, pos + 1
    if c == "]":
        lx.emit((K_ARRAY_END, None, pos, None))
        return lx.stack.pop(), pos + 1
    return lx.fail('Expected an array value terminator "," or an array terminator "]", '
                   "but got '%s' instead." % show_char(c), pos + 1)


def lex_map_key_start(lx, pos):
    """MK (2.6): map key position."""
    text = lx.text
    n = lx.n
    m = _M_SPACE(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < n else ""
    if c == "=" or c == ":":
        return lx.fail("Unexpected key separator '%s'." % c, pos + 1)
    if c == "]":
        return lx.fail("Unexpected array end ']' processing map.", pos + 1)
    if c == "}":
        lx.emit((K_MAP_END, None, pos, None))
        return lx.stack.pop(), pos + 1
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_map_key_start)
    if c == "'" or c == '"':
        end = (_M_DQ_KEY if c == '"' else _M_SQ_KEY)(text, pos + 1).end()
        if end >= n or text[end] == "\x00":
            what = "double quoted map key" if c == '"' else "quoted map key"
            return lx.fail("Unexpected EOF processing %s." % what, end)
        lx.emit((K_KEY, text[pos + 1:end], pos + 1, None))
        return lex_map_key_end, end + 1
    if c == "" or c == "\x00":
        return lx.fail("Unexpected EOF processing map.", pos + (1 if c else 0))
    if c in lx.fast_first:
        # fast path: a run of simple "key = value" entries inside a map
        res = lx._fast_pairs(pos, lex_map_key_start, lex_map_value_end)
        if res is not None:
            return res
    start = pos
    if c == "/":
        # a lone '/' is dropped; the key starts with the next character, whatever it is
        start = pos + 1
        if start >= n:
            return lx.fail("Unexpected EOF processing map key.", start)
    # the first key character is taken unconditionally, then up to SPACE / sep / EOF
    m = _M_BARE_KEY(text, start + 1)
    end = m.end() if m else start + 1
    if end >= n or text[end] == "\x00":
        return lx.fail("Unexpected EOF processing map key.", end)
    key = text[start:end]
    if text[end] not in "=:" and len(key) == 7 and go_lower(key) == "include":
        lx.stack.append(lex_map_value_end)
        return lx.value_done(lx._include(end, start))
    lx.emit((K_KEY, key, start, None))
    return lex_map_key_end, end


def lex_map_key_end(lx, pos):
    """MKE (2.6): after a map key: SPACE, then at most one separator."""
    text = lx.text
    m = _M_SPACE(text, pos)
    if m:
        pos = m.end()
    if pos < lx.n and text[pos] in SEPS:
        pos += 1
    return lex_map_value, pos


def lex_map_value(lx, pos):
    """MV (2.6): map value start."""
    text = lx.text
    m = _M_SPACE(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < lx.n else ""
    if c == ",":
        return lx.fail('Unexpected map value terminator ",".', pos + 1)
    if c == "}":
        # the map closes although the key has no value (4.3 key-stack quirk)
        lx.emit((K_NOTE, "map-key-without-value", pos, None))
        lx.emit((K_MAP_END, None, pos, None))
        return lx.stack.pop(), pos + 1
    lx.stack.append(lex_map_value_end)
    return lex_value, pos


def lex_map_value_end(lx, pos):
    """MVE (2.6): after a map value."""
    text = lx.text
    m = _M_BLANK(text, pos)
    if m:
        pos = m.end()
    c = text[pos] if pos < lx.n else ""
    if c == "#" or (c == "/" and text.startswith("//", pos)):
        return lx.comment(pos, c, lex_map_value_end)
    if c and c in "/;,\r\n":
        return lex_map_key_start, pos + 1
    if c == "}":
        lx.emit((K_MAP_END, None, pos, None))
        return lx.stack.pop(), pos + 1
    return lx.fail('Expected a map value terminator "," or a map terminator "}", '
                   "but got '%s' instead." % show_char(c), pos + 1)
