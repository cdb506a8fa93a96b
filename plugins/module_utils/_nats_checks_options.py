# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# Apache License 2.0 (see LICENSE)
"""Phase (a) checks: option processing errors `nats-server -t` reports (unknown fields, types, names)."""

from __future__ import annotations
