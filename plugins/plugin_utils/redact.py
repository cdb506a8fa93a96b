# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one redaction of natsops.nats: every output (``config``, findings, ``server_check``, diffs,
warnings) passes through it.

Which values are secret is decided by ``conf/secrets.py`` -- the marks the parser sets while it
reads a config (``ParseResult.secrets``: values at secret paths, URL user info, nkey seeds and PEM
keys, values that came from ``env``, secret values a later key overwrote). This module masks them:

Masking goes by position and by whole value, never by replacing short strings wherever they occur
(a one-letter password would otherwise mask that letter in every word of a hint):

* ``redact(values, secrets, marks=...)`` returns a deep copy of config values in which every value at
  a secret path, every seed / PEM key, and every URL user info (all of it: ``nats://********@host:6222``)
  is ``********``; a string that equals a secret is masked too when the secret has 4+ characters or is
  one of ``marks`` (values that are secrets wherever they stand: env values, overwritten values);
* ``scrub(text, secrets)`` masks a message: the user info of every URL in it (the grammar in
  ``conf/grammar.py``; a known secret in a user info position also when it holds blanks), every
  quoted value that is a secret (Go's ``%q`` form included) or a piece Go cut out of one (``":p"``),
  every secret of 4+ characters wherever it is, every nkey seed;
* ``scrub_finding(finding, secrets)`` applies ``scrub`` to every text of a finding (message, hint,
  file, path), so a secret that is also part of an include path or a key is not printed either;
* ``secret_values(values)`` collects the secrets of values that did not come from the parser
  (the role's inventory).
"""

from __future__ import annotations

import re

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.grammar import url_userinfo_spans
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.secrets import (
    REDACTED, SECRET_KEYS, SEED_ANYWHERE, is_secret_key, is_secret_string, tree_secrets, url_userinfo,
)

# a secret this long is masked wherever it stands (it does not occur by chance); shorter ones only
# where a value stands: a URL user info, a quoted value, a whole config value
MIN_ANYWHERE = 4

# a double-quoted string with Go's escapes, or a single-quoted one
_QUOTED_IN_TEXT = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'")
_BLANKS = frozenset(" \t\r\n")


def redact_url(text):
    """URL text with its whole user info replaced by REDACTED: ``nats://ruser:s3cret@host:6222`` ->
    ``nats://********@host:6222`` (a user info without ':' is a token, and ``A::`` may be one too).
    Other text is returned unchanged."""
    info = url_userinfo(text) if isinstance(text, str) else None
    if info is None:
        return text
    return "%s%s@%s" % (info[0], REDACTED, info[2])


def secret_values(values, marks=()):
    """Set of the secret strings in config values (plus ``marks``, e.g. ``ParseResult.marks``)."""
    found = set(marks or ())
    tree_secrets(values, found)
    found.discard("")
    return found


def _redact_leaf(node, secret, secrets, marks):
    if secret:
        if node is None or isinstance(node, bool):
            return node
        return REDACTED
    if isinstance(node, str):
        if is_secret_string(node) or node in marks or (len(node) >= MIN_ANYWHERE and node in secrets):
            return REDACTED
        return redact_url(node)
    return node


def _redact(root, secret, secrets, marks, parent=None):
    """Deep copy with secrets replaced; iterative (explicit stack), order preserved."""
    def fresh(node):
        if isinstance(node, dict):
            return {}
        if isinstance(node, (list, tuple)):
            return []
        return None

    top = fresh(root)
    if top is None:
        return _redact_leaf(root, secret, secrets, marks)
    stack = [(root, top, secret, parent)]
    while stack:
        src, dst, secret, parent = stack.pop()
        if isinstance(src, dict):
            items = [(k, v, secret or is_secret_key(k, parent), k) for k, v in src.items()]
        else:
            items = [(None, v, secret, parent) for v in src]
        for key, value, sec, par in items:
            child = fresh(value)
            out = _redact_leaf(value, sec, secrets, marks) if child is None else child
            if isinstance(dst, dict):
                dst[key] = out
            else:
                dst.append(out)
            if child is not None:
                stack.append((value, child, sec, par))
    return top


def redact(values, secrets=None, hidden=(), marks=()):
    """Deep copy of values with secrets replaced by REDACTED.

    secrets: the secrets as text (default: those of ``values``); a string value equal to one of 4+
    characters is masked. marks: values that are secrets wherever they stand, whatever their length
    (``ParseResult.marks``: env values, overwritten secret values; the task's env values).
    hidden: top-level keys whose whole value is replaced (keys the server rejects as unknown fields: an
    included ``KEY=VALUE`` file or ``/proc/self/environ`` must not come back in ``config``)."""
    if secrets is None:
        secrets = secret_values(values)
    marks = frozenset(m for m in marks or () if m)
    out = _redact(values, False, secrets, marks)
    if hidden and isinstance(out, dict):
        for key in hidden:
            if key in out:
                out[key] = REDACTED
    return out


def unknown_top_level_keys(findings):
    """Top-level keys with an ``unknown-field`` error finding (for ``redact(..., hidden=...)``)."""
    keys = set()
    for f in findings:
        path = getattr(f, "path", None)
        if getattr(f, "code", None) == "unknown-field" and isinstance(path, str) and path and not any(c in path for c in ".["):
            keys.add(path)
    return keys


# Ansible walks results recursively (templating fails with "Recursive loop" on deep values): values nested
# deeper than this are not returned to Ansible.
MAX_RESULT_DEPTH = 100


def result_depth(value, stop=MAX_RESULT_DEPTH):
    """Nesting depth of dicts/lists (iterative; 0 for a scalar); stops counting past ``stop``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, (list, tuple)):
            children = node
        else:
            continue
        if level > deepest:
            deepest = level
            if deepest > stop:
                return deepest
        stack.extend((c, level + 1) for c in children)
    return deepest


def _go_quoted(secret):
    """The secret as a message quotes it with Go's %q (quote and backslash escaped)."""
    return secret.replace("\\", "\\\\").replace('"', '\\"')


def _variants(secrets):
    out = set()
    for s in secrets or ():
        s = str(s)
        if s and s.strip("*"):
            out.add(s)
            out.add(_go_quoted(s))
    return out


def _userinfo_end(text, start, variants):
    """Where a known secret standing as the user info of a URL ends (``start`` is just after "://"):
    the whole user info (a token) or its password (``user:secret``), followed by '@'. None if none."""
    best = None
    for s in variants:
        if text.startswith(s + "@", start):
            end = start + len(s)
        else:
            at = text.find(":" + s + "@", start)
            if at < 0 or any(c in _BLANKS or c in "@/" for c in text[start:at]):
                continue
            end = at + 1 + len(s)
        if best is None or end > best:
            best = end
    return best


def _mask_urls(text, variants):
    """The user info of every URL in text replaced by REDACTED: the widest reading of each URL (up to
    its last '@' before a blank), or a known secret in that position when it reaches further."""
    ends = dict(url_userinfo_spans(text)) if "://" in text else {}
    start = text.find("://")
    while start >= 0:
        start += 3
        end = _userinfo_end(text, start, variants)
        if end is not None and end > ends.get(start, start):
            ends[start] = end
        start = text.find("://", start)
    if not ends:
        return text
    out = []
    pos = 0
    for start in sorted(ends):
        end = ends[start]
        if end <= pos:
            continue
        out.append(text[pos:max(start, pos)])
        out.append(REDACTED)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _mask_quoted(text, variants):
    """Quoted values that are secrets, or pieces Go cut out of one (':p' as an invalid port)."""
    def quoted(m):
        double = m.group(1) is not None
        piece = m.group(1) if double else m.group(2)
        if not piece or piece == REDACTED:
            return m.group(0)
        core = piece.strip(":@/ ")
        if piece in variants or (core and (core != piece or len(core) >= MIN_ANYWHERE) and any(core in s for s in variants)):
            q = '"' if double else "'"
            return q + REDACTED + q
        return m.group(0)
    return _QUOTED_IN_TEXT.sub(quoted, text)


def scrub(text, secrets=()):
    """Mask secrets in a message (see the module doc)."""
    if not text:
        return text
    text = str(text)
    variants = _variants(secrets)
    text = _mask_urls(text, variants)
    if variants:
        text = _mask_quoted(text, variants)
        for s in sorted((v for v in variants if len(v) >= MIN_ANYWHERE), key=len, reverse=True):
            if s in text:
                text = text.replace(s, REDACTED)
    return SEED_ANYWHERE.sub(REDACTED, text)


def scrub_finding(finding, secrets=()):
    """A finding (a ``Finding`` or its dict) with ``scrub`` applied to each of its texts: message, hint,
    file and path (a secret can also be part of an include path or a key). A ``Finding`` comes back as a
    new ``Finding`` (the same one when nothing changed), a dict as a new dict."""
    if isinstance(finding, dict):
        out = dict(finding)
        for key in ("message", "hint", "file", "path"):
            if isinstance(out.get(key), str):
                out[key] = scrub(out[key], secrets)
        return out
    texts = [scrub(v, secrets) if isinstance(v, str) else v for v in (finding.message, finding.hint, finding.file, finding.path)]
    if texts == [finding.message, finding.hint, finding.file, finding.path]:
        return finding
    return type(finding)(finding.code, finding.severity, texts[0], texts[2], finding.line, finding.column, texts[3], texts[1],
                         finding.host, finding.expected, finding.observed)


__all__ = ["REDACTED", "MAX_RESULT_DEPTH", "MIN_ANYWHERE", "result_depth", "SECRET_KEYS", "is_secret_key", "secret_values", "redact",
           "redact_url", "scrub", "scrub_finding", "unknown_top_level_keys"]
