# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nats_topology action plugin: server_version, server_versions and server_version_var.

Configs are given as values (no connection), except for the one case that reads the task's own
host through the fake managed host of test_nats_config (the version must reach the parser there too).
"""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.natsops.nats.plugins.action import nats_topology as action_mod
from ansible_collections.natsops.nats.tests.unit.plugins.action.test_nats_config import FakeHost

pytestmark = pytest.mark.skipif(action_mod.CORE_IMPORT_ERROR is not None, reason="core not importable")

BASE = """server_name: %s
listen: 127.0.0.1:%d
cluster { name: c1, listen: 127.0.0.1:%d, routes: ["nats://127.0.0.1:6222", "nats://127.0.0.1:6223"] }
%s"""
SUPPORTED = "supported: 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x (default 2.15.1)"


def configs(extra1="", extra2=""):
    return {"h1": BASE % ("n1", 4222, 6222, extra1), "h2": BASE % ("n2", 4223, 6223, extra2)}


def run(args, task_vars=None, host=None):
    host = host or FakeHost()
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    task.action = "natsops.nats.nats_topology"
    connection = MagicMock()
    connection._shell.tmpdir = None
    connection.become = None
    connection.fetch_file = host.fetch_file
    action = action_mod.ActionModule(task, connection, MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    action._execute_module = host.slurp
    action._low_level_execute_command = host.shell
    return action.run(task_vars=task_vars or {})


def versions_of(result):
    return [(f["host"], f["code"], f["severity"], f["message"]) for f in result["findings"] if f["code"].startswith("version-")]


def test_default_version_everywhere():
    result = run({"configs": configs()})
    assert result["server_versions"] == {"h1": "2.15.1", "h2": "2.15.1"}
    assert versions_of(result) == []
    assert result.get("failed") is None


def test_mixed_2_14_and_2_15_fails_on_the_upgrade_floor():
    result = run({"configs": configs(), "server_versions": {"h1": "2.14.6", "h2": "2.15.1"}})
    assert result["server_versions"] == {"h1": "2.14.6", "h2": "2.15.1"}
    assert versions_of(result) == [(
        "h1", "version-upgrade-path", "error",
        "h1 runs nats-server 2.14.6 while h2 of the same cluster runs 2.15.1: upgrading to 2.15.1 requires coming "
        "from 2.14.7 or later (this host runs 2.14.6)")]
    assert result["failed"] is True
    assert result["msg"] == (
        "1 error in the topology of 2 servers:\n[h1] <string>:1:1: h1 runs nats-server 2.14.6 while h2 of the same cluster "
        "runs 2.15.1: upgrading to 2.15.1 requires coming from 2.14.7 or later (this host runs 2.14.6); hint: upgrade h1 to "
        "2.14.7 or later first (the release notes' upgrade path)")


def test_key_the_2_14_member_lacks():
    extra = "jetstream { limits { default_max_consumers: 10 } }\n"
    result = run({"configs": configs(extra2=extra), "server_versions": {"h1": "2.14.7", "h2": "2.15.1"}})
    assert versions_of(result) == [(
        "h2", "version-key-skew", "warning",
        "jetstream.limits.default_max_consumers is known to nats-server 2.15.0 and later (this server runs 2.15.1) but "
        "not to h1 (2.14.7) of the same cluster: their configs cannot carry it (unknown field), and this server cannot go "
        "back to their version with it")]
    assert result.get("failed") is None
    # the same key in the 2.14.7 host's own config is an unknown field there (its config is checked for its version)
    result = run({"configs": configs(extra, extra), "server_versions": {"h1": "2.14.7", "h2": "2.15.1"}})
    assert [(f["host"], f["code"], f["message"]) for f in result["errors"]] == [
        ("h1", "unknown-field", 'unknown field "default_max_consumers": jetstream.limits.default_max_consumers (<string>:4:22)')]


def test_host_variable_then_server_version():
    hostvars = {"h1": {"nats_server_version": "2.12.4"}, "h2": {}}
    cfgs = configs("max_connections: 0\n", "max_connections: 0\n")
    result = run({"configs": cfgs, "server_version": "2.12.5"}, task_vars={"hostvars": hostvars})
    assert result["server_versions"] == {"h1": "2.12.4", "h2": "2.12.5"}
    assert [(h, c, m) for h, c, s, m in versions_of(result)] == [
        ("h1", "version-semantics-differ", "max_connections: 0 means the default limit on nats-server 2.12.4 here but "
         "refuses every client connection on h2 (2.12.5)"),
        ("h2", "version-semantics-differ", "max_connections: 0 refuses every client connection on nats-server 2.12.5 here "
         "but means the default limit on h1 (2.12.4)")]
    # server_versions wins over the host variable; an empty server_version_var ignores host variables
    result = run({"configs": cfgs, "server_versions": {"h1": "2.12.5"}}, task_vars={"hostvars": hostvars})
    assert result["server_versions"] == {"h1": "2.12.5", "h2": "2.15.1"}
    result = run({"configs": cfgs, "server_version_var": ""}, task_vars={"hostvars": hostvars})
    assert result["server_versions"] == {"h1": "2.15.1", "h2": "2.15.1"}
    result = run({"configs": cfgs, "server_version_var": "my_version"},
                 task_vars={"hostvars": {"h1": {"my_version": "2.11.0"}, "h2": {"my_version": "2.12.0"}}})
    assert result["server_versions"] == {"h1": "2.11.0", "h2": "2.12.0"}


@pytest.mark.parametrize("args, hostvars, message", [
    ({"server_versions": {"h1": "2.x"}}, {},
     "host h1 (server_versions): server_version '2.x' is not a nats-server version (write MAJOR.MINOR.PATCH, e.g. 2.15.1); "
     + SUPPORTED),
    ({}, {"h2": {"nats_server_version": "2.13.0"}},
     "host h2 (host variable nats_server_version): server_version 2.13.0 is not supported; " + SUPPORTED),
    ({"server_version": "latest"}, {},
     "server_version 'latest' is not a nats-server version (write MAJOR.MINOR.PATCH, e.g. 2.15.1); " + SUPPORTED),
    ({"server_versions": {"h3": "2.14.6"}}, {}, "server_versions: h3 is not among the servers checked (h1, h2)"),
])
def test_bad_versions_fail_clearly(args, hostvars, message):
    with pytest.raises(AnsibleActionFail) as info:
        run(dict(args, configs=configs()), task_vars={"hostvars": hostvars})
    assert str(info.value) == message


def test_version_reaches_the_parser_of_files_read_from_the_host(tmp_path):
    # a size suffix followed by more characters: a string on 2.15.1, a parse error on 2.15.0
    path = tmp_path / "nats-server.conf"
    path.write_text("server_name: n1\nmax_payload: 1MB\nt = 5e7bcd\n")
    task_vars = {"inventory_hostname": "h1", "hostvars": {"h1": {"nats_server_config_path": str(path)}}}
    result = run({"hosts": ["h1"], "config_checks": False}, task_vars=task_vars)
    assert result["server_versions"] == {"h1": "2.15.1"}
    assert result["errors"] == []
    task_vars["hostvars"]["h1"]["nats_server_version"] = "2.15.0"
    result = run({"hosts": ["h1"], "config_checks": False}, task_vars=task_vars)
    assert [(f["code"], f["file"], f["line"], f["message"]) for f in result["errors"]] == [(
        "parse-error", str(path), 3, "Parse error on line 3: 'Expected a top-level value to end with a new line, comment "
        "or EOF, but got '7' instead.'")]
