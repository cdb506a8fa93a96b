# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/: the action group lists every module; the execution environment file names the shipped requirements."""

from __future__ import annotations

import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _yaml(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_action_group_has_every_module():
    modules = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, "plugins", "modules"))
                     if n.endswith(".py") and not n.startswith("_"))
    assert _yaml("meta", "runtime.yml")["action_groups"] == {"nats": modules}


def test_execution_environment_names_the_shipped_requirements():
    assert _yaml("meta", "execution-environment.yml") == {"version": 1, "dependencies": {"python": "requirements.txt"}}
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as fh:
        reqs = [line.strip() for line in fh if line.strip() and not line.startswith("#")]
    assert reqs == ["pyparsing>=3.0.9"]
    # shipped: not excluded from the Galaxy tarball
    ignored = _yaml("galaxy.yml")["build_ignore"]
    assert "requirements.txt" not in ignored and "meta" not in ignored
