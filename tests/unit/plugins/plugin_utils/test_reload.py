# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reload table's decisions (the real-server verdicts are in tests/integration/targets/nats_reload_table)."""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.render import build as b
from ansible_collections.natsops.nats.plugins.plugin_utils.render import reload as r

BASE = {
    "server_name": "n1",
    "listen": "0.0.0.0:4222",
    "cluster": {"name": "east", "listen": "0.0.0.0:6222", "routes": ["nats-route://10.0.0.2:6222"]},
    "gateway": {"name": "east", "listen": "0.0.0.0:7222", "gateways": [{"name": "west", "urls": ["nats://10.0.1.1:7222"]}]},
    "jetstream": {"store_dir": "/var/lib/nats", "max_memory_store": 1024, "max_file_store": 4096},
    "leafnodes": {"remotes": [{"url": "nats-leaf://10.0.2.1:7422"}]},
}


def with_(extra):
    return b.deep_merge(BASE, extra)


def test_nothing_changed_and_no_previous_config():
    assert r.restart_reasons(BASE, BASE) == []
    assert r.changes(BASE, BASE) == []
    assert r.restart_reasons(None, BASE) == ["(no previous config)"]


@pytest.mark.parametrize("extra, reasons", [
    # the keys the old table reloaded although the server refuses them
    ({"max_pending": 1 << 27}, ["max_pending"]),
    ({"lame_duck_duration": "1m"}, ["lame_duck_duration"]),
    ({"lame_duck_grace_period": "5s"}, ["lame_duck_grace_period"]),
    ({"system_account": "SYS"}, ["system_account"]),
    ({"feature_flags": {"x": True}}, ["feature_flags"]),
    ({"max_subscriptions": 10}, ["max_subscriptions"]),
    ({"max_subs": 10}, ["max_subscriptions"]),
    ({"max_closed_clients": 10}, ["max_closed_clients"]),
    ({"no_header_support": True}, ["no_header_support"]),
    ({"disable_sublist_cache": True}, ["disable_sublist_cache"]),
    ({"write_timeout": "close"}, ["write_timeout"]),
    ({"jetstream": {"domain": "hub"}}, ["jetstream.domain"]),
    # the old table restarted for these, the server reloads them
    ({"max_payload": 1, "debug": True, "server_tags": ["az:1"]}, []),
    ({"cluster": {"routes": ["nats-route://10.0.0.9:6222"], "authorization": {"user": "r", "password": "p"}}}, []),
    ({"gateway": {"tls": {"cert_file": "/b.pem"}}}, []),
    # refused everywhere
    ({"gateway": {"gateways": None}}, ["gateway.gateways"]),
    ({"listen": "127.0.0.1:4333", "cluster": {"listen": "127.0.0.1:6333"}}, ["cluster.listen", "listen"]),
    ({"jetstream": {"store_dir": "/x"}}, ["jetstream.store_dir"]),
    ({"jetstream": {"max_memory_store": 512}}, ["jetstream.max_memory_store"]),  # a decrease
    ({"mqtt": {"listen": "0.0.0.0:1883"}}, ["mqtt"]),
    ({"unknown_new_option": 1}, ["unknown_new_option"]),  # not in the table: the server's default branch refuses
])
def test_decisions_every_version(extra, reasons):
    assert r.restart_reasons(BASE, with_(extra)) == reasons
    assert r.restart_reasons(BASE, with_(extra), "2.15.1") == reasons


@pytest.mark.parametrize("extra, key, first_reload", [
    ({"jetstream": {"max_memory_store": 2048}}, "jetstream.max_memory_store", (2, 12, 7)),
    ({"jetstream": {"max_file_store": 8192}}, "jetstream.max_file_store", (2, 12, 7)),
    ({"leafnodes": {"remotes": [{"url": "nats-leaf://10.0.2.1:7422"}, {"url": "nats-leaf://10.0.2.2:7422"}]}},
     "leafnodes.remotes", (2, 14, 0)),
    ({"jetstream": {"limits": {"max_ack_pending": 10}}}, "jetstream.limits", (2, 15, 0)),
    ({"server_metadata": {"team": "a"}}, "server_metadata", (2, 12, 0)),
])
def test_decisions_by_version(extra, key, first_reload):
    new = with_(extra)
    assert r.restart_reasons(BASE, new, None) == [key]  # unknown version: only what reloads everywhere
    for version, reasons in (("2.10.26", [key]), ("2.12.6", [key]), ("v2.12.7", []), ("nats-server: v2.14.6", []),
                             ("2.15.1", [])):
        expected = [] if r.version_tuple(version) >= first_reload else [key]
        assert (version, r.restart_reasons(BASE, new, version)) == (version, expected)


def test_jetstream_limits_unset_to_set_is_not_an_increase():
    old = b.deep_merge(BASE, {"jetstream": {"max_memory_store": None}})
    assert r.restart_reasons(old, BASE, "2.15.1") == ["jetstream.max_memory_store"]


def test_blocks_added_or_removed():
    assert r.restart_reasons({"listen": "a"}, {"listen": "a", "cluster": {"name": "c"}}, "2.15.1") == ["cluster"]
    assert r.restart_reasons(BASE, b.deep_merge(BASE, {"leafnodes": None}), "2.15.1") == ["leafnodes"]
    assert r.restart_reasons(BASE, b.deep_merge(BASE, {"jetstream": None}), "2.15.1") == ["jetstream"]
    # `jetstream: enabled` and an empty block are the same thing
    assert r.changes({"jetstream": "enabled"}, {"jetstream": {}}) == []
    assert r.changes({"jetstream": True}, {"js": {}}) == []


def test_keys_are_case_insensitive_and_aliases_are_one_option():
    upper = dict((k.upper(), v) for k, v in BASE.items())
    assert r.restart_reasons(upper, BASE) == []
    assert r.changes({"leaf": {"remotes": []}}, {"LeafNodes": {"remotes": []}}) == []
    assert r.changes({"max_subs": 1}, {"max_subscriptions": 1}) == []


def test_changes_lists_reloads_and_restarts():
    new = with_({"max_payload": 1, "max_pending": 2, "cluster": {"name": "other"}})
    assert r.changes(BASE, new, "2.15.1") == [("cluster.name", "reload"), ("max_payload", "reload"), ("max_pending", "restart")]


def test_version_tuple():
    assert r.version_tuple("2.14.6") == (2, 14, 6)
    assert r.version_tuple("nats-server: v2.15.1\n") == (2, 15, 1)
    assert r.version_tuple("2.15.0-RC.1") == (2, 15, 0)
    assert r.version_tuple("garbage") is None
    assert r.version_tuple("2.9.25") is None  # not a supported line: only what reloads on every version reloads
    assert r.version_tuple(None) is None
    assert r.version_tuple("") is None and r.version_tuple(" \n") is None  # not the default version: unknown
    assert r.version_tuple("v2.12.7") == (2, 12, 7)
    assert r.version_tuple("nats-server: 2.14.6 extra") is None


def test_table_is_well_formed():
    for rule in r.RULES:
        assert rule.decision in (r.RELOAD, r.RESTART), rule
        assert rule.change in ("any", "increase", "presence"), rule
        assert rule.path == rule.path.lower() and " " not in rule.path, rule
        for bound in (rule.since, rule.until):
            assert bound is None or r.version_tuple(bound) is not None, rule
    # every version-limited reload has an unlimited fallback after it
    for i, rule in enumerate(r.RULES):
        if rule.since or rule.until:
            later = [x for x in r.RULES[i + 1:] if x.path == rule.path and x.since is None and x.until is None]
            assert later, rule


def test_credential_changes():
    auth = {"cluster": {"authorization": {"user": "r", "password": "one"}}, "gateway": {"authorization": {"user": "g", "password": "x"}}}
    assert r.credential_changes(None, with_(auth)) == []
    assert r.credential_changes(with_(auth), with_(auth)) == []
    rotated = b.deep_merge(with_(auth), {"cluster": {"authorization": {"password": "two"}}})
    assert r.credential_changes(with_(auth), rotated) == ["cluster.authorization"]
    assert r.credential_changes(BASE, with_(auth)) == ["cluster.authorization", "gateway.authorization"]  # added on running servers
    assert r.restart_reasons(with_(auth), rotated) == []  # the server would reload it: the danger is the rollout, not the reload
