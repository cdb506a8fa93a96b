# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# Apache License 2.0 (see LICENSE)
"""Replace secrets in parsed NATS config values before they leave the collection.

``redact(values)`` returns a deep copy of a parsed config in which

* the value of every secret key (``password``, ``pass``, ``token``,
  ``auth_token``, ``seed``, ``key``/``prev_key`` (JetStream encryption keys),
  ``default_sentinel`` (a bearer JWT), ``private_key``, ``secret``, ...) is
  replaced by ``REDACTED`` -- all scalars below it, also inside lists;
* a leafnode remote's ``nkey`` (a seed there, unlike a user's public ``nkey``);
* every string that looks like an nkey seed (``SU...``, ``SA...``, ``SO...``)
  or holds a PEM private key is replaced, whatever its key;
* the password (or a bare token) in the user-info part of a URL is replaced:
  ``nats://ruser:s3cret@host:6222`` -> ``nats://ruser:********@host:6222``;
* any other string equal to one of those secrets is replaced as well (a
  top-level variable ``PASS = "s3cret"`` used as ``password: $PASS`` is still
  stored under ``PASS`` in the parsed map).

``secret_values(values)`` returns the secrets themselves, and
``scrub(text, secrets)`` removes them from a message.
"""

from __future__ import annotations

import re

REDACTED = "********"

SECRET_KEYS = frozenset((
    "password", "pass", "passwd", "token", "auth_token", "bearer_token",
    "seed", "nkey_seed", "seed_file_content",
    "key", "prev_key", "encryption_key",
    "default_sentinel",
    "private_key", "secret", "client_secret", "signing_key_seed",
))

# nkey seeds: 'S' + the role prefix + base32 (58 characters in total)
_SEED = re.compile(r"^S[ACNOPUX][A-Z2-7]{40,}$")
_PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z0-9 ]*(?:PRIVATE KEY|NKEY SEED)-----")  # PEM keys, .creds seeds
_SEED_ANYWHERE = re.compile(r"\bS[ACNOPUX][A-Z2-7]{54,}\b")
# scheme://userinfo@host...
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^@/?#]*)@(?P<rest>.*)$", re.S)


# keys that hold secrets only inside a given block: a leafnode remote's ``nkey`` is its seed
SECRET_KEYS_IN = {"remotes": frozenset(("nkey",))}


def is_secret_key(key, parent=None):
    if not isinstance(key, str):
        return False
    low = key.lower()
    if low in SECRET_KEYS:
        return True
    return isinstance(parent, str) and low in SECRET_KEYS_IN.get(parent.lower(), ())


def _is_secret_string(value):
    return bool(_SEED.match(value) or _PEM_PRIVATE.search(value) or _SEED_ANYWHERE.search(value))


def _url_secret(value):
    """(redacted url, secret) for a URL with user info, else (value, None)."""
    m = _URL.match(value)
    if not m:
        return value, None
    info = m.group("userinfo")
    if not info:
        return value, None
    if ":" in info:
        user, secret = info.split(":", 1)
        if not secret:
            return value, None
        return "%s%s:%s@%s" % (m.group("scheme"), user, REDACTED, m.group("rest")), secret
    # a bare user-info is a token (or a user name; redact it either way)
    return "%s%s@%s" % (m.group("scheme"), REDACTED, m.group("rest")), info


def _leaf_secret(node, secret, found):
    if secret:
        if node is not None and not isinstance(node, bool):
            found.add(str(node))
    elif isinstance(node, str):
        if _is_secret_string(node):
            found.add(str(node))
        else:
            _dummy, url_secret = _url_secret(node)
            if url_secret:
                found.add(url_secret)


def _collect(root, secret, found, parent=None):
    """Gather secret strings; iterative, so 10,000-deep documents are fine."""
    stack = [(root, secret, parent)]
    while stack:
        node, secret, parent = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                stack.append((v, secret or is_secret_key(k, parent), k))
        elif isinstance(node, (list, tuple)):
            for v in node:
                stack.append((v, secret, parent))
        else:
            _leaf_secret(node, secret, found)


def secret_values(values):
    """Set of the secret strings found in parsed config values."""
    found = set()
    _collect(values, False, found)
    found.discard("")
    return found


def _redact_leaf(node, secret, secrets):
    if secret:
        if node is None or isinstance(node, bool):
            return node
        return REDACTED
    if isinstance(node, str):
        if _is_secret_string(node) or str(node) in secrets:
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


def redact(values, secrets=None):
    """Deep copy of values with secrets replaced by REDACTED."""
    if secrets is None:
        secrets = secret_values(values)
    return _redact(values, False, secrets)


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


def scrub(text, secrets=()):
    """Remove secrets (and anything shaped like an nkey seed) from a message."""
    if not text:
        return text
    text = str(text)
    for s in sorted(secrets or (), key=len, reverse=True):
        if len(s) >= 4:
            text = text.replace(s, REDACTED)
        else:
            # too short to replace blindly: only where it is quoted
            for q in ('"', "'"):
                text = text.replace(q + s + q, q + REDACTED + q)
    return _SEED_ANYWHERE.sub(REDACTED, text)


__all__ = ["REDACTED", "MAX_RESULT_DEPTH", "result_depth", "SECRET_KEYS", "is_secret_key", "secret_values", "redact", "scrub"]
