# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which values of a NATS config are secrets (the marks the parser sets; ``redact.py`` masks them).

A value is secret when

* it sits at a secret path: a key named ``password``, ``pass``, ``token``, ``auth_token``, a seed,
  the JetStream encryption keys (``key``/``ek``/``prev_key``/``prev_ek``/...), the TPM passwords,
  a leafnode remote's ``nkey`` (a seed there), ... -- every scalar below such a key;
* it is the user info of a URL, all of it: a user info without ':' is a token, and whether
  ``A::`` is the user ``A`` with the password ``:`` or a token cannot be told from the text. Go's
  ``net/url`` splits ``scheme://userinfo@host`` at the LAST ``@`` of the authority, and the authority
  ends at the first ``/`` (after the fragment ``#`` and the query ``?`` were cut off): a password with
  an unencoded ``/``, ``#``, ``?`` or ``@`` is then split differently, and Go reports the URL as
  invalid quoting pieces of it. The user info marked here is the widest reading (the grammar in
  ``conf/grammar.py``): everything between ``://`` and the last ``@`` of the value;
* it looks like an nkey seed or holds a PEM private key / ``.creds`` seed block, wherever it is;
* it came from an ``env`` reference (the parser records those).
"""

from __future__ import annotations

import re

from urllib.parse import unquote

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.grammar import url_userinfo

REDACTED = "********"

SECRET_KEYS = frozenset((
    "password", "pass", "passwd", "token", "auth_token", "bearer_token",
    "seed", "nkey_seed", "seed_file_content",
    # JetStream encryption keys and their aliases (nats-server opts.go)
    "key", "ek", "prev_key", "prev_ek", "encryption_key", "prev_encryption_key", "jetstream_key", "prev_jetstream_key",
    # JetStream TPM
    "encryption_password", "srk_password",
    "default_sentinel",
    "private_key", "secret", "client_secret", "signing_key_seed",
))

# keys that hold secrets only inside a given block: a leafnode remote's ``nkey`` is its seed
SECRET_KEYS_IN = {"remotes": frozenset(("nkey",))}

# nkey seeds: 'S' + the role prefix + base32 (58 characters in total)
_SEED = re.compile(r"^S[ACNOPUX][A-Z2-7]{40,}$")
_PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z0-9 ]*(?:PRIVATE KEY|NKEY SEED)-----")  # PEM keys, .creds seeds
SEED_ANYWHERE = re.compile(r"\bS[ACNOPUX][A-Z2-7]{54,}\b")


def is_secret_key(key, parent=None):
    if not isinstance(key, str):
        return False
    low = key.lower()
    if low in SECRET_KEYS:
        return True
    return isinstance(parent, str) and low in SECRET_KEYS_IN.get(parent.lower(), ())


def is_secret_path(path):
    """Whether a value at path (a tuple of keys / list indexes) is below a secret key."""
    parent = None
    for seg in path:
        if isinstance(seg, str):
            if is_secret_key(seg, parent):
                return True
            parent = seg
    return False


def is_secret_string(value):
    return bool(_SEED.match(value) or _PEM_PRIVATE.search(value) or SEED_ANYWHERE.search(value))


def userinfo_secrets(userinfo):
    """The texts of a URL user info that are secret: all of it, its password part (after the first
    ':'), and their percent-decoded forms (the server decodes them)."""
    out = {userinfo}
    dummy, colon, password = userinfo.partition(":")
    if colon and password:
        out.add(password)
    for text in list(out):
        if "%" in text:
            try:
                out.add(unquote(text, errors="strict"))
            except UnicodeDecodeError:
                pass
    out.discard("")
    return out


def tree_secrets(values, found):
    """Add the secrets of parsed values to the set ``found`` (iterative: any depth)."""
    stack = [(values, False, None)]
    while stack:
        node, secret, parent = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                stack.append((v, secret or is_secret_key(k, parent), k if isinstance(k, str) else parent))
        elif isinstance(node, (list, tuple)):
            for v in node:
                stack.append((v, secret, parent))
        elif secret:
            if node is not None and not isinstance(node, bool):
                found.add(str(node))
        elif isinstance(node, str):
            if is_secret_string(node):
                found.add(str(node))
            else:
                info = url_userinfo(node)
                if info is not None:
                    found.update(userinfo_secrets(info[1]))
    return found


__all__ = ["REDACTED", "tree_secrets", "SECRET_KEYS", "SECRET_KEYS_IN", "SEED_ANYWHERE", "is_secret_key", "is_secret_path", "is_secret_string",
           "url_userinfo", "userinfo_secrets"]
