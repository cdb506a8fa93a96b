# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Subscribe on one server, publish on another, print the message that crossed (bounded).

usage: python pubsub.py SUB_URL PUB_URL SUBJECT PAYLOAD [SECONDS]
"""

from __future__ import annotations

import asyncio
import sys
import time

import nats
from nats.errors import TimeoutError as NatsTimeout


async def cross(sub_url, pub_url, subject, payload, seconds):
    sub_nc = await nats.connect(sub_url, allow_reconnect=False, connect_timeout=3)
    try:
        pub_nc = await nats.connect(pub_url, allow_reconnect=False, connect_timeout=3)
        try:
            sub = await sub_nc.subscribe(subject)
            await sub_nc.flush()
            deadline = time.monotonic() + seconds
            attempt = 0
            while time.monotonic() < deadline:
                attempt += 1
                await pub_nc.publish(subject, payload.encode())
                await pub_nc.flush()
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except NatsTimeout:
                    continue
                print("received %r on %s (published on %s, attempt %d)" % (msg.data.decode(), sub_url, pub_url, attempt))
                return 0
            print("no message crossed from %s to %s within %ss" % (pub_url, sub_url, seconds), file=sys.stderr)
            return 1
        finally:
            await pub_nc.close()
    finally:
        await sub_nc.close()


def main(argv):
    seconds = float(argv[5]) if len(argv) > 5 else 20.0
    return asyncio.run(asyncio.wait_for(cross(argv[1], argv[2], argv[3], argv[4], seconds), seconds + 10))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
