# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import GoTime
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import MIN_ANYWHERE, REDACTED, redact, scrub, secret_values

SEED = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU"
ACCOUNT_SEED = "SAAGCGJHUXA3VE7ZEKFPTULHI2SU2PQ5MVRBEYSOVK5WQ4MT7RNVJNDKTU"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"

CONFIG = {
    "server_name": "n1",
    "PASS": "s3cr3t-from-var",
    "authorization": {
        "users": [
            {"user": "alice", "password": "s3cr3t-from-var"},
            {"user": "bob", "pass": 123456},
            {"nkey": "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"},
        ],
    },
    "cluster": {
        "name": "east",
        "authorization": {"user": "ruser", "password": "T0pS3cr3T"},
        "routes": ["nats://ruser:T0pS3cr3T@127.0.0.1:6222", "nats://127.0.0.1:6223", "nats://tok3nonly@h:1"],
    },
    "leafnodes": {"remotes": [{"url": "nats-leaf://u:leafpw@hub:7422", "credentials": "/etc/nats/x.creds"},
                              {"url": "nats://hub:7422", "nkey": "SUbadseed"}]},
    "websocket": {"authorization": {"token": "wstoken123"}},
    "mqtt": {"authorization": {"TOKEN": "mqtt-token-xyz"}},
    "jetstream": {"store_dir": "/data", "key": "encKey-abc", "prev_key": "oldKey-abc"},
    "accounts": {"A": {"users": [{"nkey": "UAB", "seed": SEED}]}},
    "default_sentinel": "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.bearer",
    "some_field": ACCOUNT_SEED,
    "pem": PEM,
    "creds": "-----BEGIN NATS USER JWT-----\neyJ0eXAi.x.y\n------END NATS USER JWT------\n"
             "-----BEGIN USER NKEY SEED-----\n%s\n------END USER NKEY SEED------\n" % ACCOUNT_SEED[:1] + "U" + ACCOUNT_SEED[2:],
    "note": "seed is %s here" % SEED,
    "when": GoTime("2024-01-02T03:04:05Z"),
    "flag": True,
}


def test_redacts_every_secret_and_keeps_the_rest():
    out = redact(CONFIG)
    text = json.dumps(out)
    for secret in ("s3cr3t-from-var", "123456", "T0pS3cr3T", "tok3nonly", "leafpw", "wstoken123", "mqtt-token-xyz",
                   "encKey-abc", "oldKey-abc", SEED, "SUbadseed", ACCOUNT_SEED[2:], "eyJ0eXAi.x.y", ACCOUNT_SEED, "MIIEvQ", "bearer"):
        assert secret not in text, secret
    assert out["PASS"] == REDACTED  # the variable holding the password
    assert out["authorization"]["users"][0] == {"user": "alice", "password": REDACTED}
    assert out["authorization"]["users"][1] == {"user": "bob", "pass": REDACTED}
    assert out["authorization"]["users"][2]["nkey"].startswith("UDXU4")  # public keys stay
    assert out["cluster"]["routes"] == ["nats://%s@127.0.0.1:6222" % REDACTED, "nats://127.0.0.1:6223",
                                        "nats://%s@h:1" % REDACTED]
    assert out["leafnodes"]["remotes"][0] == {"url": "nats-leaf://%s@hub:7422" % REDACTED, "credentials": "/etc/nats/x.creds"}
    assert out["leafnodes"]["remotes"][1] == {"url": "nats://hub:7422", "nkey": REDACTED}
    assert out["jetstream"] == {"store_dir": "/data", "key": REDACTED, "prev_key": REDACTED}
    assert out["accounts"]["A"]["users"][0] == {"nkey": "UAB", "seed": REDACTED}
    assert out["mqtt"]["authorization"]["TOKEN"] == REDACTED
    assert out["some_field"] == REDACTED and out["pem"] == REDACTED and out["default_sentinel"] == REDACTED
    assert out["creds"] == REDACTED and out["note"] == REDACTED
    assert out["server_name"] == "n1" and out["cluster"]["name"] == "east" and out["flag"] is True
    assert out["when"] == "2024-01-02T03:04:05Z"


def test_input_is_not_modified():
    before = json.dumps(CONFIG, sort_keys=True)
    redact(CONFIG)
    assert json.dumps(CONFIG, sort_keys=True) == before


def test_secret_values_and_scrub():
    secrets = secret_values(CONFIG)
    assert {"s3cr3t-from-var", "123456", "T0pS3cr3T", "leafpw", "tok3nonly", SEED} <= secrets
    assert "east" not in secrets and "alice" not in secrets
    msg = scrub("bad value 'T0pS3cr3T' near %s and 'ab'" % SEED, secrets | {"ab"})
    assert msg == "bad value '%s' near %s and '%s'" % (REDACTED, REDACTED, REDACTED)
    assert scrub("a cab ab", {"ab"}) == "a cab ab"  # short secrets only replaced where a value stands (quoted, URL)
    assert scrub(None, secrets) is None


def test_nothing_to_redact():
    cfg = {"port": 4222, "cluster": {"name": "c", "routes": ["nats://h:1"]}, "x": None}
    assert redact(cfg) == cfg
    assert secret_values(cfg) == set()


def test_property_no_secret_value_survives():
    from hypothesis import given, settings, strategies as st

    keys = st.sampled_from(["password", "pass", "token", "auth_token", "seed", "key", "user", "name", "url", "nkey"])
    scalars = st.one_of(st.text(min_size=1, max_size=12), st.integers(), st.booleans())
    tree = st.recursive(st.dictionaries(keys, scalars, max_size=4),
                        lambda children: st.one_of(st.dictionaries(keys, children, max_size=4), st.lists(children, max_size=3)),
                        max_leaves=12)

    def strings(node, out):
        if isinstance(node, dict):
            for v in node.values():
                strings(v, out)
        elif isinstance(node, list):
            for v in node:
                strings(v, out)
        elif isinstance(node, str):
            out.append(node)
        return out

    @settings(max_examples=300, deadline=None)
    @given(tree)
    def check(values):
        secrets = secret_values(values)
        out = redact(values)
        # a short secret can equal another value by chance ({"password": "0", "user": "0"}): that value is not one
        assert not set(strings(out, [])) & set(s for s in secrets - {REDACTED} if len(s) >= MIN_ANYWHERE)
        assert json.dumps(redact(out)) == json.dumps(out)  # idempotent

    check()
