# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""JWT decoding of checks/resolver.py: v1 and v2 NATS JWTs made here with fresh nkeys, judged by nats-server."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks import resolver
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text

pytest.importorskip("cryptography")
from cryptography.hazmat.primitives import serialization  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402 pylint: disable=wrong-import-position

PREFIX = {"O": 14 << 3, "A": 0}


def _crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for dummy in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def nkey(kind):
    """(private key, public nkey string) of a fresh ed25519 key."""
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    body = bytes([PREFIX[kind]]) + raw
    crc = _crc16(body)
    return key, base64.b32encode(body + bytes([crc & 0xFF, crc >> 8])).decode().rstrip("=")


def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_jwt(key, issuer, subject, kind, version=2):
    if version == 1:
        header = {"typ": "jwt", "alg": "ed25519"}
        claims = {"jti": "X", "iat": 1570154292, "iss": issuer, "sub": subject, "name": "t", "type": kind, "nats": {}}
    else:
        header = {"typ": "JWT", "alg": "ed25519-nkey"}
        claims = {"jti": "X", "iat": 1570154292, "iss": issuer, "sub": subject, "name": "t", "nats": {"type": kind, "version": 2}}
    h, c = _b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode())
    signed = c if version == 1 else "%s.%s" % (h, c)
    return "%s.%s.%s" % (h, c, _b64(key.sign(signed.encode())))


@pytest.mark.parametrize("version", [1, 2])
def test_jwts_verify_like_the_server(version, tmp_path):
    op_key, op_pub = nkey("O")
    dummy, acc_pub = nkey("A")
    operator = make_jwt(op_key, op_pub, op_pub, "operator", version)
    account = make_jwt(op_key, op_pub, acc_pub, "account", version)
    assert resolver.decode_jwt(operator, "operator")[1] is None
    assert resolver.decode_jwt(account, "account")[1] is None
    assert resolver.decode_jwt(account, "operator") == (None, "not operator claim")
    forged = account[:-4] + ("AAAA" if not account.endswith("AAAA") else "BBBB")
    assert resolver.decode_jwt(forged, "account") == (None, "claim failed V%d signature verification" % version)
    # the server: accepts the good pair, refuses the forged account JWT in resolver_preload
    text = 'listen: 127.0.0.1:-1\noperator: "%s"\nresolver: MEMORY\nresolver_preload { %s: "%s" }\n'
    assert check_text(text % (operator, acc_pub, account), str(tmp_path)).valid
    res = check_text(text % (operator, acc_pub, forged), str(tmp_path))
    assert res.error is not None and res.error.endswith("invalid account JWT")
