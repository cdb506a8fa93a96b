# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Grammars of the strings inside option values, as nats-server 2.15.1 reads them.

The conf lexer turns the file into values; some of those values are themselves small languages
that nats-server parses during option processing (``nats-server -t``). Their grammars live here,
written with pyparsing, the project's parsing library, and each function answers with the
server's own error text:

- Go durations (``time.ParseDuration``): ``go_duration("10sec")`` -> (None, 'time: unknown unit "sec"
  in duration "10sec"``).
- subjects (``IsValidSubject``), literal subjects, and a subject with an optional queue group.
- URL user info (the secret part of a route / gateway / leafnode URL) in a config value and inside
  a message: ``url_userinfo`` and ``url_userinfo_spans``, used by the one redaction (``redact.py``).
- subject-transform destinations (``server/subject_transform.go``): ``$1`` and the mustache functions
  ``{{wildcard(n)}}``, ``{{partition(n, i...)}}``, ``{{splitFromLeft(i, n)}}`` ... ``{{random(n)}}``,
  and ``mapping_error(src, dest)``: why ``Account.AddMapping`` refuses a mapping.

Every result is memoised: a config repeats the same few subjects and durations many times.
"""

from __future__ import annotations

import functools
import re

try:
    import pyparsing as pp
    HAS_PYPARSING = True
except ImportError:  # pragma: no cover - exercised by the sanity import test only
    pp = None
    HAS_PYPARSING = False

INT64_MAX = (1 << 63) - 1
INT32_MAX = (1 << 31) - 1

# Go's regexp \s and the subject code's whitespace set.
GO_SPACE = "\t\n\f\r "

NS = 1
US = 1000
MS = 1000 * US
SEC = 1000 * MS
MIN = 60 * SEC
HOUR = 60 * MIN
DURATION_UNITS = {"ns": NS, "us": US, u"\u00b5s": US, u"\u03bcs": US, "ms": MS, "s": SEC, "m": MIN, "h": HOUR}

_G = {}


def _require():
    if not HAS_PYPARSING:
        raise RuntimeError("natsops.nats needs the Python library pyparsing")


def go_time_quote(text):
    """Go's time.quote: double quotes, '"' and '\\' escaped, bytes outside printable ASCII as \\xNN."""
    out = ['"']
    for ch in text:
        if ch < " " or ord(ch) >= 0x80:
            out.extend("\\x%02x" % b for b in ch.encode("utf-8", "surrogateescape"))
        else:
            if ch in '"\\':
                out.append("\\")
            out.append(ch)
    out.append('"')
    return "".join(out)


# ------------------------------------------------------------------ durations --

def _duration_grammar():
    """[sign] ( "0" | component+ ); component = number [unit]; anything else is left in ``rest``.

    number = digits ["." digits*] | "." digits*, unit = a run of anything but digits and '.'
    (Go takes the whole run, then looks it up: "10sec" has the unit "sec"). The grammar accepts
    more than Go does so that the semantic pass can name Go's first error, in Go's order.
    """
    if "duration" in _G:
        return _G["duration"]
    sign = pp.Char("+-")("sign")
    number = (pp.Regex(r"[0-9]+(\.[0-9]*)?") | pp.Regex(r"\.[0-9]*"))("number")
    unit = pp.Regex(r"[^0-9.]+")("unit")
    component = pp.Group(number + pp.Optional(unit))
    rest = pp.Regex(r".+", flags=0)("rest")
    grammar = pp.Optional(sign) + pp.ZeroOrMore(component)("components") + pp.Optional(rest) + pp.StringEnd()
    grammar.leave_whitespace()
    for element in (sign, number, unit, component, rest):
        element.leave_whitespace()
    _G["duration"] = grammar
    return grammar


def _leading_fraction(digits):
    """Go's leadingFraction: (value, scale), digits past int64 precision are dropped."""
    value, scale, overflow = 0, 1.0, False
    for ch in digits:
        if overflow:
            continue
        if value > INT64_MAX // 10:
            overflow = True
            continue
        nxt = value * 10 + int(ch)
        if nxt > INT64_MAX:
            overflow = True
            continue
        value = nxt
        scale *= 10
    return value, scale


@functools.lru_cache(maxsize=4096)
def go_duration(text):
    """Go time.ParseDuration -> (int nanoseconds, None) or (None, Go's error text)."""
    _require()
    invalid = "time: invalid duration " + go_time_quote(text)
    if text in ("0", "+0", "-0"):
        return 0, None
    try:
        parsed = _duration_grammar().parse_string(text, parse_all=True)
    except pp.ParseException:
        return None, invalid
    neg = parsed.get("sign") == "-"
    comps = list(parsed.get("components", []))
    if not comps:
        return None, invalid  # "", "+", or a first character that is not [0-9.]
    total = 0
    for index, comp in enumerate(comps):
        num = comp["number"]
        whole, dummy, frac = num.partition(".")
        if not whole and not frac:
            return None, invalid  # "." alone: no digits
        if len(whole) > 19 or (whole and int(whole) > INT64_MAX):
            return None, invalid
        unit = comp.get("unit")
        if unit is None:
            return None, "time: missing unit in duration " + go_time_quote(text)
        if unit not in DURATION_UNITS:
            return None, "time: unknown unit " + go_time_quote(unit) + " in duration " + go_time_quote(text)
        size = DURATION_UNITS[unit]
        value = int(whole or "0")
        if value > (1 << 63) // size:
            return None, invalid
        value *= size
        if frac:
            fvalue, scale = _leading_fraction(frac)
            value += int(float(fvalue) * (float(size) / scale))
            if value > (1 << 63):
                return None, invalid
        total += value
        if total > (1 << 63):
            return None, invalid
    if parsed.get("rest"):
        return None, invalid
    if neg:
        return -total, None
    if total > INT64_MAX:
        return None, invalid
    return total, None


def parse_go_duration(text):
    """Go time.ParseDuration -> int nanoseconds, or None when Go refuses it."""
    if not isinstance(text, str):
        return None
    return go_duration(text)[0]


def duration_error(text):
    """Go's error text for a duration string, None when it is valid."""
    return go_duration(text)[1]


# ------------------------------------------------------------------- subjects --

def _subject_grammar():
    """subject = (token '.')* (token | '>'); token = a run without '.' and whitespace that is not '>'."""
    if "subject" in _G:
        return _G["subject"]
    token = pp.Regex(r"(?!>(\.|$))[^.\t\n\f\r ]+")
    fwc = pp.Literal(">")
    grammar = pp.ZeroOrMore(token + pp.Suppress(".")) + (fwc | token) + pp.StringEnd()
    grammar.leave_whitespace()
    for element in (token, fwc):
        element.leave_whitespace()
    _G["subject"] = grammar
    return grammar


@functools.lru_cache(maxsize=8192)
def _subject_tokens(subject):
    try:
        return tuple(_subject_grammar().parse_string(subject, parse_all=True))
    except pp.ParseException:
        return None


def subject_tokens(subject):
    """The tokens of a valid subject (IsValidSubject), or None."""
    _require()
    if not isinstance(subject, str) or not subject:
        return None
    return _subject_tokens(subject)


def valid_subject(subject):
    """nats-server's IsValidSubject."""
    return subject_tokens(subject) is not None


def valid_literal_subject(subject):
    """A valid subject without wildcards."""
    toks = subject_tokens(subject)
    return toks is not None and not any(t in ("*", ">") for t in toks)


def subject_has_wildcard(subject):
    toks = subject_tokens(subject)
    return toks is not None and any(t in ("*", ">") for t in toks)


def subject_info(subject):
    """(valid, tokens, number of '*', has '>') like subject_transform.go's subjectInfo.

    Unlike IsValidSubject it does not look for whitespace (a mapping function may hold spaces).
    """
    if not subject:
        return False, (), 0, False
    toks = tuple(subject.split("."))
    if any(not t for t in toks) or ">" in toks[:-1]:
        return False, (), 0, False
    return True, toks, sum(1 for t in toks if t == "*"), toks[-1] == ">"


# -------------------------------------------------------- subject transforms --

# The mapping functions, in the order indexPlaceHolders tries them; names are matched with only
# the first letter of each word case-insensitive, as the server's patterns do.
TRANSFORM_FUNCTIONS = (
    ("wildcard", "[wW]ildcard"),
    ("partition", "[pP]artition"),
    ("splitFromLeft", "[sS]plit[fF]rom[lL]eft"),
    ("splitFromRight", "[sS]plit[fF]rom[rR]ight"),
    ("sliceFromLeft", "[sS]lice[fF]rom[lL]eft"),
    ("sliceFromRight", "[sS]lice[fF]rom[rR]ight"),
    ("right", "[rR]ight"),
    ("left", "[lL]eft"),
    ("split", "[sS]plit"),
    ("random", "[rR]andom"),
)

ERR_DEST = "invalid mapping destination"
ERR_INVALID_TRANSFORM = ERR_DEST + ": invalid transform"
ERR_NOT_ALL_WILDCARDS = ERR_DEST + ": not using all of the token wildcard(s)"
ERR_UNKNOWN_FUNCTION = ERR_DEST + ": unknown function"
ERR_INDEX_OUT_OF_RANGE = ERR_DEST + ": wildcard index out of range"
ERR_NOT_ENOUGH_ARGS = ERR_DEST + ": not enough arguments passed to the function"
ERR_INVALID_ARG = ERR_DEST + ": function argument is invalid or in the wrong format"
ERR_TOO_MANY_ARGS = ERR_DEST + ": too many arguments passed to the function"
ERR_IMPORT_ONLY_WILDCARD = ERR_DEST + ": the only mapping function allowed for import transforms is {{Wildcard()}}"
ERR_BAD_SUBJECT = "invalid subject"


class TransformError(Exception):
    """A mapping destination error, str() as nats-server prints it ("<reason> in <token>")."""

    def __init__(self, reason, token=""):
        Exception.__init__(self, "%s in %s" % (reason, token) if token else reason)
        self.reason = reason
        self.token = token


def _call_grammar(pattern):
    """'{{' ws NAME ws '(' args ')' ws '}}' -- args run greedily to the last ')' ws '}}' (Go's (.*))."""
    ws = pp.Optional(pp.Regex("[%s]+" % GO_SPACE)).suppress()
    name = pp.Regex(pattern)
    body = pp.Regex(r".*(?=\)[\t\n\f\r ]*}})")("body")
    call = pp.Suppress("{{") + ws + name("name") + ws + pp.Suppress("(") + body + pp.Suppress(")") + ws + pp.Suppress("}}")
    call.leave_whitespace()
    for element in (name, body):
        element.leave_whitespace()
    return call


def _calls():
    if "calls" not in _G:
        _G["calls"] = tuple((fname, _call_grammar(pattern)) for fname, pattern in TRANSFORM_FUNCTIONS)
        sep = pp.Regex(",[%s]*" % GO_SPACE).suppress()
        arg = pp.Regex(r"[^,]*")
        arg.leave_whitespace()
        _G["args"] = pp.Group(arg + pp.ZeroOrMore(sep + arg))("args") + pp.StringEnd()
        _G["args"].leave_whitespace()
    return _G["calls"]


def _args(body):
    """Go: regexp.MustCompile(`,\\s*`).Split(body, -1)."""
    _calls()
    return list(_G["args"].parse_string(body, parse_all=True)["args"])


@functools.lru_cache(maxsize=4096)
def find_function(token):
    """(function name, [args]) of the first mapping function found in token (server order), or None."""
    _require()
    for fname, call in _calls():
        for found, dummy_start, dummy_end in call.scan_string(token, max_matches=1):
            return fname, _args(found["body"])
    return None


def _atoi(text):
    """strconv.Atoi on a space-trimmed argument -> int or None."""
    text = text.strip(" ")
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isdigit() or not body.isascii():
        return None
    value = int(text)
    if value > INT64_MAX or value < -INT64_MAX - 1:
        return None
    return value


def _index_int(token, args, fname):
    if len(args) < 2:
        raise TransformError(ERR_NOT_ENOUGH_ARGS, token)
    if len(args) > 2:
        raise TransformError(ERR_TOO_MANY_ARGS, token)
    index = _atoi(args[0])
    size = _atoi(args[1])
    if index is None or size is None or not -INT32_MAX - 1 <= size <= INT32_MAX:
        raise TransformError(ERR_INVALID_ARG, token)
    return fname, [index]


def is_mustache(token):
    return len(token.encode("utf-8")) > 4 and token.startswith("{{") and token.endswith("}}")


def placeholder(token):
    """indexPlaceHolders: (kind, [wildcard indexes]) of one destination token; kind None = literal token.

    Raises TransformError with the server's text for a bad function call.
    """
    if len(token.encode("utf-8")) > 1 and token[0] == "$":
        index = _atoi(token[1:]) if token[1:].strip(" ") == token[1:] else None
        if index is None:
            return None, [-1]
        return "wildcard", [index]
    if not is_mustache(token):
        return None, [-1]
    found = find_function(token)
    if found is None:
        raise TransformError(ERR_UNKNOWN_FUNCTION, token)
    fname, args = found
    if fname == "wildcard":
        if len(args) == 1 and args[0] == "":
            raise TransformError(ERR_NOT_ENOUGH_ARGS, token)
        if len(args) != 1:
            raise TransformError(ERR_TOO_MANY_ARGS, token)
        index = _atoi(args[0])
        if index is None:
            raise TransformError(ERR_INVALID_ARG, token)
        return fname, [index]
    if fname == "partition":
        count = _atoi(args[0])
        if count is None or count > INT32_MAX:
            raise TransformError(ERR_INVALID_ARG, token)
        indexes = []
        for arg in args[1:]:
            index = _atoi(arg)
            if index is None:
                raise TransformError(ERR_INVALID_ARG, token)
            indexes.append(index)
        return fname, indexes
    if fname == "split":
        if len(args) < 2:
            raise TransformError(ERR_NOT_ENOUGH_ARGS, token)
        if len(args) > 2:
            raise TransformError(ERR_TOO_MANY_ARGS, token)
        index = _atoi(args[0])
        if index is None or " " in args[1] or "." in args[1]:
            raise TransformError(ERR_INVALID_ARG, token)
        return fname, [index]
    if fname == "random":
        if len(args) != 1:
            raise TransformError(ERR_NOT_ENOUGH_ARGS, token)
        count = _atoi(args[0])
        if count is None or count > INT32_MAX:
            raise TransformError(ERR_INVALID_ARG, token)
        return fname, []
    return _index_int(token, args, fname)


def transform_error(src, dest, strict=False):
    """NewSubjectTransformWithStrict(src, dest, strict): None or a TransformError."""
    if not dest:
        return None
    src = src or ">"
    sv, stoks, npwcs, has_fwc = subject_info(src)
    dv, dtoks, dnpwcs, dhas_fwc = subject_info(dest)
    if not sv or not dv or dnpwcs > 0 or has_fwc != dhas_fwc:
        return TransformError(ERR_BAD_SUBJECT)
    used = 0
    try:
        for token in dtoks:
            kind, indexes = placeholder(token)
            if npwcs > 0 or has_fwc:
                if strict and kind not in (None, "wildcard"):
                    return TransformError(ERR_IMPORT_ONLY_WILDCARD, token)
                if kind in (None, "random"):
                    continue
                used += len(indexes)
                for index in indexes:
                    if index > npwcs:
                        return TransformError(ERR_INDEX_OUT_OF_RANGE, "%s: [%d]" % (token, index))
            elif kind not in (None, "random", "partition"):
                return TransformError(ERR_INDEX_OUT_OF_RANGE, token)
    except TransformError as exc:
        return exc
    if (npwcs > 0 or has_fwc) and strict and used < npwcs:
        return TransformError(ERR_NOT_ALL_WILDCARDS, dest)
    return None


def validate_mapping_error(src, dest):
    """sublist.go ValidateMapping(src, dest): None or a TransformError."""
    if not dest:
        return None
    fwc = False
    for token in dest.split("."):
        if not token or fwc:
            return TransformError(ERR_INVALID_TRANSFORM, token)
        if is_mustache(token):
            if find_function(token) is None:
                return TransformError(ERR_UNKNOWN_FUNCTION, token)
            continue
        if token == ">":
            fwc = True
        elif any(c in GO_SPACE for c in token):
            return TransformError(ERR_INVALID_TRANSFORM)
    return transform_error(src, dest)


@functools.lru_cache(maxsize=4096)
def mapping_error(src, dest):
    """Why Account.AddMapping(src, dest) fails for one destination (server text), or None."""
    _require()
    if not valid_subject(src):
        return ERR_BAD_SUBJECT
    err = validate_mapping_error(src, dest)
    return str(err) if err is not None else None


# ------------------------------------------------------------------ URL user info --
#
# Go's net/url splits ``scheme://userinfo@host`` at the LAST '@' of the authority, and the authority
# ends at the first '/' (after '#' and '?' were cut off). A password with an unencoded '/', '#', '?' or
# '@' is then read differently by the server (or the URL is refused, quoting pieces of it). For secrecy
# the user info is the WIDEST reading: everything between "://" and the last '@' of the URL -- it
# contains Go's reading whatever the password holds. All of it is secret: a user info without ':' is a
# token, and "A::" may be a token as well as the user "A" with the password ":".

def _url_grammars():
    """(value, text): a config value that is a URL (the URL is the whole value), and a URL inside a
    message (it ends at the first blank)."""
    if "url" in _G:
        return _G["url"]
    scheme = pp.Regex(r"[A-Za-z][A-Za-z0-9+.-]*")
    prefix = pp.Combine(scheme + pp.Literal("://"))("prefix")
    value = prefix + pp.Regex(r".*", flags=re.S)("rest") + pp.StringEnd()
    text = prefix + pp.Regex(r"[^\s]*")("rest")
    for element in (scheme, prefix, value, text):
        element.leave_whitespace()
    _G["url"] = (value, text)
    return _G["url"]


def _split_userinfo(rest):
    """(userinfo, after) of what follows "://": up to the last '@' (None when there is no '@')."""
    userinfo, at, after = rest.rpartition("@")
    if not at:
        return None, rest
    return userinfo, after


@functools.lru_cache(maxsize=4096)
def url_userinfo(value):
    """(prefix, userinfo, after) of a config value ``scheme://userinfo@after``, else None.

    ``url_userinfo("nats://r:p/w@h:6222")`` -> ``("nats://", "r:p/w", "h:6222")``; a URL without user
    info (or an empty one, ``nats://@h``) -> None."""
    if "://" not in value:
        return None
    _require()
    try:
        parsed = _url_grammars()[0].parse_string(value, parse_all=True)
    except pp.ParseException:
        return None
    userinfo, after = _split_userinfo(parsed["rest"])
    if not userinfo:
        return None
    return parsed["prefix"], userinfo, after


def url_userinfo_spans(text):
    """[(start, end)] of the user info of every URL inside a message (a URL there ends at a blank)."""
    if "://" not in text:
        return []
    _require()
    spans = []
    for parsed, dummy, end in _url_grammars()[1].scan_string(text):
        userinfo, dummy = _split_userinfo(parsed["rest"])
        if userinfo:
            start = end - len(parsed["rest"])
            spans.append((start, start + len(userinfo)))
    return spans


__all__ = [
    "HAS_PYPARSING", "DURATION_UNITS", "TransformError", "duration_error", "find_function", "go_duration",
    "go_time_quote", "mapping_error", "parse_go_duration", "placeholder", "subject_has_wildcard", "subject_info",
    "subject_tokens", "transform_error", "url_userinfo", "url_userinfo_spans", "valid_literal_subject", "valid_subject",
    "validate_mapping_error",
]
