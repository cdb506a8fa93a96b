# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's build (nats_server_config action): each host's config is validated for its nats_server_version,
and hosts of one cluster that run different versions get the version-* topology findings."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.natsops.nats.plugins.action import nats_server_config as action_mod

SUPPORTED = "supported: 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x (default 2.15.1)"
LIMITS = {"jetstream": {"limits": {"default_max_consumers": 10}}}


def _run(versions, extra=None, extra_hosts=("a1", "a2")):
    settings = {}
    for host, address in (("a1", "127.0.0.1"), ("a2", "127.0.0.2")):
        settings[host] = {"nats_server_cluster_name": "c", "nats_server_advertise_host": address,
                          "nats_server_config_path": "/etc/%s.conf" % host}
        if host in versions:
            settings[host]["nats_server_version"] = versions[host]
        if extra and host in extra_hosts:
            settings[host]["nats_server_config_extra"] = extra
    task = MagicMock()
    task.args = {"settings": settings, "previous": {"a1": None, "a2": None}}
    task.async_val = 0
    task.check_mode = False
    action = action_mod.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def _codes(result):
    return [(f["code"], f["message"]) for f in result["findings"] if f["code"].startswith("version-") or f["code"] == "unknown-field"]


def test_same_version_no_version_findings():
    result = _run({}, LIMITS)
    assert result.get("failed") is None and _codes(result) == []
    result = _run({"a1": "2.15.0", "a2": "2.15.1"}, LIMITS)
    assert result.get("failed") is None and _codes(result) == []


def test_a_key_the_host_version_does_not_know_fails_before_anything_is_written():
    result = _run({"a1": "2.14.7", "a2": "2.15.1"}, LIMITS)
    assert result["failed"] is True
    assert "configs" not in result
    assert result["msg"] == (
        "1 error in the generated NATS server configs; no file was written:\n"
        '[a1] /etc/a1.conf:15:5: unknown field "default_max_consumers": jetstream.limits.default_max_consumers; '
        "hint: nats-server 2.14.7 does not know it (known to 2.15.0 and later); remove it, or upgrade first")


def test_mixed_2_14_and_2_15_cluster_gets_the_version_findings():
    # the key only on the 2.15.1 host: valid there, a warning that the 2.14.7 member lacks it
    result = _run({"a1": "2.14.7", "a2": "2.15.1"}, LIMITS, extra_hosts=("a2",))
    assert result.get("failed") is None
    assert _codes(result) == [(
        "version-key-skew",
        "jetstream.limits.default_max_consumers is known to nats-server 2.15.0 and later (this server runs 2.15.1) but "
        "not to a1 (2.14.7) of the same cluster: their configs cannot carry it (unknown field), and this server cannot go "
        "back to their version with it")]
    assert result["warnings_text"][0].startswith("[a2] /etc/a2.conf:15:5: jetstream.limits.default_max_consumers is known")
    # a 2.14 host below the 2.15 upgrade floor: an error, nothing written
    result = _run({"a1": "2.14.6", "a2": "2.15.1"})
    assert result["failed"] is True
    assert result["msg"] == (
        "1 error in the generated NATS server configs; no file was written:\n"
        "[a1] /etc/a1.conf:1:1: a1 runs nats-server 2.14.6 while a2 of the same cluster runs 2.15.1: upgrading to 2.15.1 "
        "requires coming from 2.14.7 or later (this host runs 2.14.6); hint: upgrade a1 to 2.14.7 or later first "
        "(the release notes' upgrade path)")


@pytest.mark.parametrize("version, message", [
    ("2.13.0", "nats_server: host a2: nats_server_version: server_version 2.13.0 is not supported; %s; no file was written"
     % SUPPORTED),
    ("latest", "nats_server: host a2: nats_server_version: server_version 'latest' is not a nats-server version (write "
     "MAJOR.MINOR.PATCH, e.g. 2.15.1); %s; no file was written" % SUPPORTED),
])
def test_unsupported_version_fails_naming_the_host(version, message):
    with pytest.raises(AnsibleActionFail) as info:
        _run({"a2": version})
    assert str(info.value) == message


def _build(settings_versions, extra, previous=None, versions=None):
    settings = {}
    for host, address in (("a1", "127.0.0.1"), ("a2", "127.0.0.2")):
        settings[host] = {"nats_server_cluster_name": "c", "nats_server_advertise_host": address,
                          "nats_server_config_path": "/etc/%s.conf" % host, "nats_server_config_extra": extra}
        if host in settings_versions:
            settings[host]["nats_server_version"] = settings_versions[host]
    task = MagicMock()
    task.args = {"settings": settings, "previous": previous or {"a1": None, "a2": None}, "versions": versions or {}}
    task.async_val = 0
    task.check_mode = False
    action = action_mod.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def test_the_reload_decision_follows_each_hosts_version():
    # changed leafnode remotes reload from 2.14.0 on (the reload table), a restart before
    old = {"leafnodes": {"remotes": [{"url": "nats://127.0.0.9:7422"}]}}
    new = {"leafnodes": {"remotes": [{"url": "nats://127.0.0.8:7422"}]}}
    versions = {"a1": "2.12.7", "a2": "2.14.6"}
    first = _build(versions, old)
    assert first.get("failed") is None, first.get("msg")
    second = _build(versions, new, previous=first["configs"])
    assert second.get("failed") is None, second.get("msg")
    assert second["restart"] == {"a1": True, "a2": False}
    assert second["restart_reasons"] == {"a1": ["leafnodes.remotes"], "a2": []}
    # `versions` (what runs there now) wins over nats_server_version
    third = _build(versions, new, previous=first["configs"], versions={"a1": "2.14.6"})
    assert third["restart"] == {"a1": False, "a2": False}
