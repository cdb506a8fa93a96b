# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one redaction of natsops.nats: every output (``config``, findings, ``server_check``, diffs,
warnings) passes through it.

Which values are secret is decided by ``conf/secrets.py`` -- the marks the parser sets while it
reads a config (``ParseResult.secrets``: values at secret paths, URL user info, nkey seeds and PEM
keys, values that came from ``env``, secret values a later key overwrote). This module masks them:

* ``redact(values, secrets)`` returns a deep copy of config values in which every value at a secret
  path, every string equal to a secret, every seed / PEM key is ``********`` and every URL keeps its
  user name but not its password (``nats://ruser:********@host:6222``);
* ``scrub(text, secrets)`` masks a message: every URL with user info, every occurrence of a secret
  (shorter than 4 characters only where it stands as a value of its own), every quoted piece of a secret
  (nats-server quotes pieces of a URL it cannot parse), every nkey seed;
* ``secret_values(values)`` collects the secrets of values that did not come from the parser
  (the role's inventory).
"""

from __future__ import annotations

import re

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.secrets import (
    REDACTED, SECRET_KEYS, SEED_ANYWHERE, is_secret_key, is_secret_string, tree_secrets, url_userinfo,
)

# URLs with user info inside a message: scheme:// then anything but blanks/brackets/quotes up to the last '@'
# of the URL (passwords may hold '/', '#', '?' and '@')
_URL_IN_TEXT = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>(?:[^\s\[\]\"<>\\]|\\.)*)@")
_QUOTED_IN_TEXT = re.compile(r"\"([^\"]+)\"|'([^']+)'")


def _url_secret(value):
    """(redacted url, secret) for a URL with user info, else (value, None)."""
    info = url_userinfo(value)
    if info is None or not info[2]:
        return value, None
    scheme, user, secret, rest = info
    if user:
        return "%s%s:%s@%s" % (scheme, user, REDACTED, rest), secret
    return "%s%s@%s" % (scheme, REDACTED, rest), secret


def redact_url(text):
    """URL text with the secret of its user info replaced by REDACTED (the user name stays):
    ``nats://ruser:s3cret@host:6222`` -> ``nats://ruser:********@host:6222``; a bare
    user info (a token) is replaced whole.  Other text is returned unchanged."""
    return _url_secret(text)[0]


def secret_values(values, marks=()):
    """Set of the secret strings in config values (plus ``marks``, e.g. ``ParseResult.marks``)."""
    found = set(marks or ())
    tree_secrets(values, found)
    found.discard("")
    return found


def _redact_leaf(node, secret, secrets):
    if secret:
        if node is None or isinstance(node, bool):
            return node
        return REDACTED
    if isinstance(node, str):
        if is_secret_string(node) or str(node) in secrets:
            return REDACTED
        redacted, url_secret = _url_secret(node)
        if url_secret:
            return redacted
    return node


def _redact(root, secret, secrets, parent=None):
    """Deep copy with secrets replaced; iterative (explicit stack), order preserved."""
    def fresh(node):
        if isinstance(node, dict):
            return {}
        if isinstance(node, (list, tuple)):
            return []
        return None

    top = fresh(root)
    if top is None:
        return _redact_leaf(root, secret, secrets)
    stack = [(root, top, secret, parent)]
    while stack:
        src, dst, secret, parent = stack.pop()
        if isinstance(src, dict):
            items = [(k, v, secret or is_secret_key(k, parent), k) for k, v in src.items()]
        else:
            items = [(None, v, secret, parent) for v in src]
        for key, value, sec, par in items:
            child = fresh(value)
            out = _redact_leaf(value, sec, secrets) if child is None else child
            if isinstance(dst, dict):
                dst[key] = out
            else:
                dst.append(out)
            if child is not None:
                stack.append((value, child, sec, par))
    return top


def redact(values, secrets=None, hidden=()):
    """Deep copy of values with secrets replaced by REDACTED.

    hidden: top-level keys whose whole value is replaced (keys the server rejects as unknown fields: an
    included ``KEY=VALUE`` file or ``/proc/self/environ`` must not come back in ``config``)."""
    if secrets is None:
        secrets = secret_values(values)
    out = _redact(values, False, secrets)
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


def _mask_url(m):
    info = m.group("info")
    user, colon, password = info.partition(":")
    if colon and password:
        return "%s%s:%s@" % (m.group("scheme"), user, REDACTED)
    return "%s%s@" % (m.group("scheme"), REDACTED)


_DELIMS = frozenset("'\"[]{}(), \t\n=")


def _replace_bounded(text, secret):
    """Replace a short secret where it stands as a value of its own: between quotes, brackets,
    blanks, commas or '=' (a short secret inside a word or an address is left alone: masking every
    '0' of '127.0.0.1' would only garble the message)."""
    out = []
    start = 0
    n = len(secret)
    while True:
        i = text.find(secret, start)
        if i < 0:
            break
        before = text[i - 1] if i > 0 else ""
        after = text[i + n] if i + n < len(text) else ""
        if (not before or before in _DELIMS) and (not after or after in _DELIMS):
            out.append(text[start:i])
            out.append(REDACTED)
        else:
            out.append(text[start:i + n])
        start = i + n
    out.append(text[start:])
    return "".join(out)


def scrub(text, secrets=()):
    """Mask secrets in a message (see the module doc)."""
    if not text:
        return text
    text = str(text)
    text = _URL_IN_TEXT.sub(_mask_url, text)
    variants = set()
    for s in secrets or ():
        if s:
            variants.add(s)
            quoted = s.replace("\\", "\\\\").replace('"', '\\"')       # as a message quotes it (Go %q)
            if quoted != s:
                variants.add(quoted)
    ordered = sorted(variants, key=len, reverse=True)
    for s in ordered:
        if s not in text:
            continue
        text = text.replace(s, REDACTED) if len(s) >= 4 else _replace_bounded(text, s)
    if ordered:
        def quoted(m):
            piece = m.group(1) if m.group(1) is not None else m.group(2)
            core = piece.strip(":@/ ")
            # pieces of 2+ characters, or any piece Go cut out of a URL (':p' as an invalid port)
            if piece != REDACTED and core and (len(core) >= 2 or core != piece) and any(core in s for s in ordered):
                q = '"' if m.group(1) is not None else "'"
                return q + REDACTED + q
            return m.group(0)
        text = _QUOTED_IN_TEXT.sub(quoted, text)
    return SEED_ANYWHERE.sub(REDACTED, text)


__all__ = ["REDACTED", "MAX_RESULT_DEPTH", "result_depth", "SECRET_KEYS", "is_secret_key", "secret_values", "redact", "redact_url", "scrub",
           "unknown_top_level_keys"]
