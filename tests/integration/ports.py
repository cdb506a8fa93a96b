# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Free loopback ports for the integration targets (runme.sh and reload_check.py find this file above them).

usage: python ports.py COUNT   (prints a JSON list)

The ports come from NATSOPS_TEST_PORTS (default 20000-32767), below the kernel's ephemeral range: no other
program's bind(0) or outgoing connection is handed one of them while a test holds it unbound. `make test`
runs two lanes side by side, and the other lane starts servers on bind(0) ports all the time.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import threading


_GIVEN = set()   # never the same port twice in one process (nats_reload_table picks from several threads)
_LOCK = threading.Lock()


def pick_ports(count):
    """COUNT distinct loopback ports that were free a moment ago."""
    with _LOCK:
        return _pick(count)


def _pick(count):
    low, high = (int(x) for x in os.environ.get("NATSOPS_TEST_PORTS", "20000-32767").split("-"))
    ports = []
    for port in random.sample(range(low, high + 1), high + 1 - low):
        if port in _GIVEN:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            ports.append(port)
            _GIVEN.add(port)
        except OSError:
            continue
        finally:
            s.close()
        if len(ports) == count:
            return ports
    raise RuntimeError("no %d free ports in %d-%d" % (count, low, high))


if __name__ == "__main__":
    print(json.dumps(pick_ports(int(sys.argv[1]))))
