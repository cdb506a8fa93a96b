# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Options shared by everything that validates NATS server configs."""

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  env:
    description:
      - Values for C($VAR) references that the config does not define itself, as the server's
        environment would provide them when it starts.
      - The controller's and the managed host's environments are never consulted.
      - Values may be secrets; they never appear in the result.
    type: dict
    default: {}
  disable:
    description:
      - Check codes to skip (for example V(cluster-name-unset)).
      - An unknown code fails the task and lists the valid codes.
      - The code V(parse-error) cannot be disabled.
    type: list
    elements: str
    default: []
  warnings_as_errors:
    description:
      - Treat every warning as an error (the task then fails on warnings too).
    type: bool
    default: false
"""
