# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The option schema (checks/schema.py): hints, aliases and block shapes, judged by the real nats-server."""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks import schema
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text

ACC = "ACLDYEHFLN6YIEGCVAV3V4Z2IBLJY3YGR5VF6UANZGF6IUGDUV6R3D6B"


def _errors(text):
    dummy, findings = validate_text(text, filename="f.conf")
    return [(f.code, f.message.split(": f.conf")[0].split(": ")[0] if f.code != "unknown-field" else f.message.split(":")[0],
             f.line, f.column, f.hint) for f in findings if f.severity == "error"]


def test_misspelt_key_gets_the_closest_known_key(tmp_path):
    text = "port: -1\nclsuter { name: c, port: -1 }\n"
    assert check_text(text, str(tmp_path)).error == 'test.conf:2:1: unknown field "clsuter"'
    assert _errors(text) == [("unknown-field", 'unknown field "clsuter"', 2, 1, "did you mean cluster?")]


def test_nothing_close_gets_the_plain_hint():
    assert schema.suggest("zzz_bogus", schema.TOP) is None
    assert schema.suggest("max_paylod", schema.TOP) == "max_payload"
    assert schema.suggest("jetstrem", schema.TOP) == "jetstream"


def test_auth_callout_users_is_an_alias_of_auth_users(tmp_path):
    text = ('port: -1\naccounts { AUTH: { users: [ {user: auth, password: pw} ] }, APP: {} }\n'
            'authorization { auth_callout { issuer: "%s", account: AUTH, users: [ auth ] } }\n' % ACC)
    assert check_text(text, str(tmp_path)).valid is True
    assert _errors(text) == []


@pytest.mark.parametrize("text, message, line, column", [
    ('cluster: "east"\n', "Expected map to define cluster, got string", 1, 1),
    ("port: -1\ngateway: 1\n", "Expected gateway to be a map, got int64", 2, 1),
    ("port: -1\nauthorization { users: 1 }\n", "Expected users field to be an array, got 1", 2, 17),
    ("port: -1\nleafnodes { remotes: 1 }\n", "Expected remotes field to be an array, got int64", 2, 13),
    ("port: -1\naccounts { A: { exports: 1 } }\n", "Exports should be an array, got int64", 2, 17),
    ("port: -1\ntls: 1\n", "interface conversion: interface {} is int64, not map[string]interface {}", 2, 1),
    ("port: -1\njetstream { domain: 1 }\n", "interface conversion: interface {} is int64, not string", 2, 1),
    ("port: -1\nsystem_account: 1\n", "system account name must be a string", 2, 1),
    ("port: -1\nfeature_flags { x: \"yes\" }\n", 'error parsing feature flag "x": expected bool, got string', 2, 17),
])
def test_shapes_and_types_like_the_server(tmp_path, text, message, line, column):
    res = check_text(text, str(tmp_path))
    server_col = column - 1 if line == 1 else column  # the server's column is 0-based on line 1
    assert res.error == "test.conf:%d:%d: %s" % (line, server_col, message)
    dummy, findings = validate_text(text, filename="f.conf")
    hits = set((f.severity, f.line, f.column) for f in findings if f.message.startswith(message + ":"))
    assert hits == set([("error", line, column)]), [f.format() for f in findings]


def test_every_block_names_its_opts_go_function():
    for name, block in schema.BLOCKS.items():
        assert name == block.func and name.split(" ")[0].isidentifier(), name
    assert schema.TOP.fields["cluster"] is schema.CLUSTER
    assert schema.block_of(("cluster", "tls", "cert_file")) is schema.TLS
    assert schema.block_of(("leafnodes", "remotes", 0, "url")) is schema.REMOTE
