# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/nats_server: defaults/main.yml, meta/argument_specs.yml, the builder's defaults and the
settings the role hands to the builder must agree."""

from __future__ import annotations

import os

import yaml

from ansible_collections.natsops.nats.plugins.plugin_utils.render.build import SETTING_DEFAULTS

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles", "nats_server")


def _load(*parts):
    with open(os.path.join(ROLE, *parts)) as f:
        return yaml.safe_load(f)


DEFAULTS = _load("defaults", "main.yml")
OPTIONS = _load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
TYPES = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict, "path": str}


def test_same_variables():
    assert sorted(DEFAULTS) == sorted(OPTIONS)


def test_same_default_values():
    for name, spec in OPTIONS.items():
        assert "default" in spec, name
        assert spec["default"] == DEFAULTS[name], name


def test_types_match_defaults():
    for name, spec in OPTIONS.items():
        kind = spec.get("type", "str")
        if kind == "raw":
            continue
        value = DEFAULTS[name]
        assert isinstance(value, TYPES[kind]), (name, kind, value)
        assert not (kind == "int" and isinstance(value, bool)), name
        if kind == "list":
            assert "elements" in spec, name


def test_every_option_is_described():
    for name, spec in OPTIONS.items():
        assert spec.get("description"), name


def test_builder_defaults_match_role_defaults():
    """The builder's fallbacks equal the role defaults, except where the role default is a template
    (server name and advertise host), for which the builder uses the inventory host name."""
    templated = {"nats_server_name", "nats_server_advertise_host"}
    for name, value in SETTING_DEFAULTS.items():
        assert name in DEFAULTS, name
        if name in templated:
            assert "{{" in DEFAULTS[name] and "inventory_hostname" in DEFAULTS[name], name
            assert value == ""
        else:
            assert DEFAULTS[name] == value, name


def test_role_passes_every_builder_setting():
    tasks = _load("tasks", "config.yml")
    collect = [t for t in tasks if "ansible.builtin.set_fact" in t][0]
    passed = collect["ansible.builtin.set_fact"]["_nats_server_settings"]
    assert sorted(passed) == sorted(SETTING_DEFAULTS)
    for name, value in passed.items():
        assert value.startswith("{{ %s " % name) or value == "{{ %s }}" % name, (name, value)
