# Copyright: natsops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A JetStream publisher that runs while the lab rolls a change through the servers (tests/lab/prove.py).

usage: python jspub.py URLS STREAM SUBJECT STOP_FILE RESULT_FILE

URLS is a comma-separated list of the cluster's client URLs. The script creates STREAM (file storage,
three replicas) on SUBJECT, writes "ready" into RESULT_FILE, then publishes one message every 20 ms,
each with its own Nats-Msg-Id, retrying a message until the stream acknowledges it (so a retry after a
lost ack is de-duplicated by the server). When STOP_FILE exists it finishes the current message and
writes the result as JSON into RESULT_FILE: acknowledged messages, the stream's message count, first and
last sequence, the longest time between two acknowledgements, the publish errors by type and the
stream's replicas as the leader reports them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import nats
from nats.js.api import StorageType, StreamConfig


async def publish_until(js, subject, stop_file):
    """Publish until STOP_FILE appears; return (acknowledged sequences, longest gap, errors by type)."""
    seqs = []
    errors = {}
    last_ack = time.monotonic()
    longest = 0.0
    number = 0
    while not os.path.exists(stop_file):
        number += 1
        while True:
            try:
                ack = await js.publish(subject, b'message %d' % number, headers={'Nats-Msg-Id': str(number)}, timeout=2)
                break
            except Exception as ex:  # pylint: disable=broad-except  # every failure is a retry, counted by type
                errors[type(ex).__name__] = errors.get(type(ex).__name__, 0) + 1
                await asyncio.sleep(0.1)
        now = time.monotonic()
        longest = max(longest, now - last_ack)
        last_ack = now
        # a retry whose first attempt was stored after all is acknowledged as a duplicate, with the stored sequence
        seqs.append(ack.seq)
        if ack.duplicate:
            errors['duplicate ack of a retry'] = errors.get('duplicate ack of a retry', 0) + 1
        await asyncio.sleep(0.02)
    return seqs, longest, errors


async def main(urls, stream, subject, stop_file, result_file):
    nc = await nats.connect(servers=urls.split(','), max_reconnect_attempts=-1, reconnect_time_wait=0.2, connect_timeout=3)
    try:
        js = nc.jetstream(timeout=5)
        await js.add_stream(StreamConfig(name=stream, subjects=[subject], num_replicas=3, storage=StorageType.FILE))
        with open(result_file, 'w') as handle:
            handle.write('ready\n')
        seqs, longest, errors = await publish_until(js, subject, stop_file)
        info = None
        for dummy in range(50):   # the stream info needs a current leader (it can be moving right after the rollout)
            try:
                info = await js.stream_info(stream)
                break
            except Exception:  # pylint: disable=broad-except
                await asyncio.sleep(0.2)
        result = {
            'acked': len(seqs),
            'acked_first': seqs[0] if seqs else None,
            'acked_last': seqs[-1] if seqs else None,
            'acked_contiguous': seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True,
            'longest_gap': round(longest, 3),
            'errors': errors,
            'messages': info.state.messages if info else None,
            'first_seq': info.state.first_seq if info else None,
            'last_seq': info.state.last_seq if info else None,
            'replicas': sorted([info.cluster.leader] + [r.name for r in info.cluster.replicas or []]) if info and info.cluster else None,
            'replicas_current': all(r.current for r in info.cluster.replicas or []) if info and info.cluster else None,
        }
    finally:
        await nc.close()
    with open(result_file, 'w') as handle:
        json.dump(result, handle)


if __name__ == '__main__':
    if len(sys.argv) != 6:
        sys.stderr.write(__doc__)
        sys.exit(2)
    asyncio.run(main(*sys.argv[1:]))
