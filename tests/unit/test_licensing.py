# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One licence statement: GPL-3.0-or-later in galaxy.yml, the role, every file header, and COPYING shipped."""

from __future__ import annotations

import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GPL_LINE = "# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)"
SKIP_DIRS = {".git", ".venv", "venv", "output", ".hypothesis", ".pytest_cache", ".ansible", "dist", "__pycache__"}


def _files(*exts):
    for top, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(exts):
                yield os.path.join(top, name)


def _head(path, lines=20):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return [fh.readline().rstrip("\n") for dummy in range(lines)]


def test_copying_is_the_gpl_v3_text():
    with open(os.path.join(ROOT, "COPYING"), encoding="utf-8") as fh:
        text = fh.read()
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007")
    assert "END OF TERMS AND CONDITIONS" in text
    assert not os.path.exists(os.path.join(ROOT, "LICENSE"))


def test_galaxy_and_role_metadata():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as fh:
        galaxy = yaml.safe_load(fh)
    assert galaxy["license"] == ["GPL-3.0-or-later"] and "license_file" not in galaxy
    with open(os.path.join(ROOT, "roles", "nats_server", "meta", "main.yml"), encoding="utf-8") as fh:
        assert yaml.safe_load(fh)["galaxy_info"]["license"] == "GPL-3.0-or-later"


def test_every_python_file_has_the_gpl_header():
    wrong = []
    for path in _files(".py"):
        head = _head(path)
        if GPL_LINE not in head:
            wrong.append(os.path.relpath(path, ROOT))
    assert wrong == []


def test_no_other_licence_named_in_any_header():
    wrong = [os.path.relpath(p, ROOT) for p in _files(".py", ".sh", ".yml", ".yaml", ".j2", ".cfg")
             if any("Apache" in line for line in _head(p, 10))]
    assert wrong == []
