# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One finding shape on every surface: text input is file "<string>", URL secrets are ********."""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.filter.nats_config_validate import nats_config_validate
from ansible_collections.natsops.nats.plugins.filter.nats_topology_validate import nats_topology_validate
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, Finding


def test_parse_error_from_text_is_in_string():
    # was "file": null for a parse error and "" for a check finding
    assert nats_config_validate("a = 1\nb = $NOPE\n") == [{
        "code": "parse-error",
        "severity": "error",
        "message": "variable reference for 'NOPE' on line 2 can not be found",
        "file": "<string>",
        "line": 2,
        "column": 5,
        "path": None,
        "hint": "define NOPE earlier in the config, or give its value in the env option: env: {NOPE: ...}",
    }]


def test_check_finding_from_text_is_in_string():
    findings = nats_config_validate('cluster { name: "a", port: 6222 }\ngateway { name: "b", port: 7222 }\n')
    assert [(f["code"], f["file"], f["line"], f["column"]) for f in findings] == [
        ("cluster-gateway-name-conflict", "<string>", 1, 11)]


def test_topology_filter_text_is_in_string_and_url_secret_masked():
    findings = nats_topology_validate(
        {"h1": 'server_name: h1\ncluster { name: c, port: 6222, routes: ["nats://ruser:p@ss@127.0.0.2:7777"] }\n',
         "h2": 'server_name: h2\ncluster { name: c, port: 6222, routes: ["nats://127.0.0.1:6222"] }\n'},
        addresses={"h1": "127.0.0.1", "h2": "127.0.0.2"})
    assert findings == [{
        "code": "url-no-listener",
        "severity": "warning",
        "message": "route URL nats://********@127.0.0.2:7777 names h2, which has no listener on port 7777 "
                   "(its ports: client 4222, cluster (route) 6222)",
        "file": "<string>",
        "line": 2,
        "column": 42,
        "path": "cluster.routes[0]",
        "hint": None,
        "host": "h1",
    }]


def test_file_shape_rules():
    # located text input -> "<string>"; a real file keeps its name; no location -> null
    assert Finding("x", ERROR, "m", "", 1, 2).to_dict()["file"] == "<string>"
    assert Finding("x", ERROR, "m", None, 1, 2).to_dict()["file"] == "<string>"
    assert Finding("x", ERROR, "m", "/etc/n.conf", 1, 2).to_dict()["file"] == "/etc/n.conf"
    assert Finding("x", ERROR, "m").to_dict()["file"] is None


def test_format_states_the_location_once_and_hint_without_nesting():
    f = Finding("c", ERROR, 'conflict: a "x" (/etc/n.conf:2:3) vs b "y" (/etc/n.conf:5:3)', "/etc/n.conf", 2, 3,
                hint="use one name (the gateway name)")
    assert f.format() == '/etc/n.conf:2:3: conflict: a "x" vs b "y" (/etc/n.conf:5:3); hint: use one name (the gateway name)'
    # the message itself is unchanged
    assert f.to_dict()["message"] == 'conflict: a "x" (/etc/n.conf:2:3) vs b "y" (/etc/n.conf:5:3)'
