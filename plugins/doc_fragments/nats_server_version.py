# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The server_version option of everything that reads one NATS server config."""

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  server_version:
    description:
      - The C(nats-server) version the config is for (every 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x).
        Which keys exist, parser quirks, the digest and the checks follow that version; the differences
        are listed in C(docs/versions.md).
      - An unparsable or unsupported version fails with a message that lists the supported range.
    type: str
    default: 2.15.1
"""
