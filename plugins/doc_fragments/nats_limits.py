# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Size caps shared by everything that reads NATS server config files."""

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  max_file_size:
    description:
      - Largest config file (the main file and each included file) that is read, in bytes.
      - The size is checked before the file is read; a larger file is an error naming it.
      - Only regular files are read at all; a FIFO, a device or a socket is an error naming it.
    type: int
    default: 16777216
  max_total_size:
    description:
      - Largest total size of the main file and all included files together, in bytes.
    type: int
    default: 67108864
"""
