# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""--diff of a config with secrets: every secret value is ******** on both sides, nothing else hidden."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.natsops.nats.plugins.action import nats_server_config as action_mod
from ansible_collections.natsops.nats.plugins.action.nats_server_config import redacted_diff
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string
from ansible_collections.natsops.nats.plugins.plugin_utils.render import build, writer

HEAD = ('server_name: "a1"\nlisten: "0.0.0.0:4222"\nhttp: "0.0.0.0:8222"\nlame_duck_duration: "30s"\nlame_duck_grace_period: "10s"\n'
        'cluster {\n  name: "c"\n  listen: "0.0.0.0:6222"\n')


def _config(password=None):
    settings = {"nats_server_cluster_name": "c"}
    if password:
        settings.update(nats_server_cluster_user="ruser", nats_server_cluster_password=password)
    conf = build.build_configs([("a1", dict(settings, nats_server_advertise_host="127.0.0.1")),
                                ("a2", dict(settings, nats_server_advertise_host="127.0.0.2"))])["a1"]
    return writer.render(conf), conf


def test_adding_credentials_shows_every_line_with_the_password_masked():
    old_text, dummy = _config()
    new_text, new_conf = _config("r0ute/p@ss")
    assert "r0ute/p@ss" in new_text
    diff = redacted_diff("a1", "/etc/n.conf", old_text, parse_string(old_text).config, new_text, new_conf)
    assert diff == {
        "before": HEAD + '  routes: [\n    "nats-route://127.0.0.2:6222"\n  ]\n}\n',
        "after": HEAD + '  routes: [\n    "nats-route://********@127.0.0.2:6222"\n  ]\n'
                        '  authorization {\n    user: "ruser"\n    password: "********"\n  }\n}\n',
        "before_header": "a1: /etc/n.conf",
        "after_header": "a1: /etc/n.conf",
    }
    assert diff["before"] == old_text  # the role's own file renders back to the same text


def test_changing_only_a_password_says_so():
    old_text, old_conf = _config("old-secret")
    new_text, new_conf = _config("new-secret")
    diff = redacted_diff("a1", "/etc/n.conf", old_text, parse_string(old_text).config, new_text, new_conf)
    assert diff["before"] == diff["after"]
    assert "old-secret" not in str(diff) and "new-secret" not in str(diff)
    assert diff["after_header"] == "a1: /etc/n.conf (only secret values change, shown as ********)"


def test_no_change_no_diff_and_first_write():
    text, conf = _config("pw-1234")
    assert redacted_diff("a1", "/etc/n.conf", text, parse_string(text).config, text, conf) is None
    first = redacted_diff("a1", "/etc/n.conf", None, None, text, conf)
    assert first["before"] == "" and "pw-1234" not in first["after"] and 'password: "********"' in first["after"]


def test_previous_file_that_does_not_parse_is_not_shown():
    text, conf = _config("pw-1234")
    diff = redacted_diff("a1", "/etc/n.conf", 'password: "hand written secret" {', None, text, conf)
    assert diff["before"] == "# the previous config does not parse; it is not shown (it may hold secrets)\n"


def _run(args):
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    action = action_mod.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def test_show_diff_reports_the_diff_as_a_change():
    diff = {"before": "a\n", "after": "b\n", "before_header": "a1: /etc/n.conf", "after_header": "a1: /etc/n.conf"}
    result = _run({"show_diff": diff})
    assert (result["changed"], result["diff"], result["msg"]) == (
        True, diff, "a1: /etc/n.conf changes (secret values shown as ********)")


def test_show_diff_rejects_other_data():
    with pytest.raises(AnsibleActionFail, match=r"^show_diff: expected one entry of the diffs returned by a build"):
        _run({"show_diff": {"before": "a"}})
    with pytest.raises(AnsibleActionFail, match="mutually exclusive"):
        _run({"show_diff": {}, "settings": {"a1": {}}})


def test_build_returns_the_redacted_diffs():
    settings = {h: {"nats_server_cluster_name": "c", "nats_server_advertise_host": a, "nats_server_cluster_user": "ruser",
                    "nats_server_cluster_password": "r0ute/p@ss", "nats_server_config_path": "/etc/%s.conf" % h}
                for h, a in (("a1", "127.0.0.1"), ("a2", "127.0.0.2"))}
    result = _run({"settings": settings, "previous": {"a1": None, "a2": None}})
    assert sorted(result["diffs"]) == ["a1", "a2"]
    assert result["diffs"]["a1"]["before_header"] == "a1: /etc/a1.conf" and result["diffs"]["a1"]["before"] == ""
    assert "r0ute" not in str(result["diffs"]) and "r0ute" in result["configs"]["a1"]
