#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: a natsops.nats.nats_config task vs an ansible.builtin.stat task on the same 5 KB file.

One ansible-playbook run on localhost (local connection) alternates the two tasks
20 times (plus one untimed warm-up pair); a small callback records each task's
wall time from task start to result. Prints per-task medians and totals and the
ratio nats_config / stat (target: <= 1.5). When run as root, a third task
validates with ``become: true`` (files then come through ansible.legacy.slurp,
a module run like stat's) and its ratio is printed for information.

Run: make bench, or PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_module.py
(ANSIBLE_COLLECTIONS_PATH is derived from PYTHONPATH when unset). Exit status 1 when the
ratio exceeds BENCH_MAX_RATIO (default 1.5).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "20"))
MAX_RATIO = float(os.environ.get("BENCH_MAX_RATIO", "1.5"))
HERE = os.path.dirname(os.path.abspath(__file__))

CALLBACK = '''
from __future__ import annotations
import json, os, time
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timer
type: aggregate
short_description: time each task (natsops.nats benchmark)
description: Writes one JSON line per task result.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._start = None
        self._name = None
        self._out = open(os.environ["BENCH_TIMES"], "a")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._name = task.get_name()
        self._start = time.perf_counter()

    def _done(self, result, status):
        self._out.write(json.dumps({"task": self._name, "seconds": time.perf_counter() - self._start,
                                    "status": status}) + "\\n")
        self._out.flush()

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "failed")
'''


def make_config(target_size=5 * 1024):
    """A valid server config of about target_size bytes (cluster, gateway, users, accounts)."""
    lines = [
        "# natsops.nats benchmark config",
        "server_name: bench-1",
        "listen: 127.0.0.1:4222",
        "http: 127.0.0.1:8222",
        "max_payload: 1MB",
        "ping_interval: \"2m\"",
        "cluster {",
        "  name: bench",
        "  listen: 127.0.0.1:6222",
        "  routes = [",
    ]
    lines += ["    nats://10.0.0.%d:6222" % i for i in range(1, 9)]
    lines += ["  ]", "}", "gateway {", "  name: bench", "  listen: 127.0.0.1:7222", "  gateways = ["]
    lines += ["    { name: gw%d, urls: [\"nats://10.1.%d.1:7222\", \"nats://10.1.%d.2:7222\"] }" % (i, i, i) for i in range(6)]
    lines += ["  ]", "}", "accounts {"]
    body = "\n".join(lines)
    n = 0
    accounts = []
    while len(body) + sum(len(a) for a in accounts) < target_size - 200:
        accounts.append("  ACC%d {\n    users = [\n      { user: u%d, password: \"pw-%d-secret\" }\n"
                        "      { user: v%d, password: \"pw-%d-other\", permissions: { publish: [\"acc%d.>\"] } }\n"
                        "    ]\n  }" % (n, n, n, n, n, n))
        n += 1
    return body + "\n" + "\n".join(accounts) + "\n}\nsystem_account: ACC0\n"


def playbook(conf_path, iterations, with_slurp=False):
    tasks = []
    for i in range(iterations + 1):
        tag = "warmup" if i == 0 else "%02d" % i
        tasks.append("    - name: stat %s\n      ansible.builtin.stat:\n        path: %s\n" % (tag, conf_path))
        tasks.append("    - name: nats_config %s\n      natsops.nats.nats_config:\n        path: %s\n" % (tag, conf_path))
        if with_slurp:
            # become makes the action read through ansible.legacy.slurp (a module run, like stat)
            tasks.append("    - name: slurp_nats_config %s\n      natsops.nats.nats_config:\n        path: %s\n"
                         "      become: true\n" % (tag, conf_path))
    return "---\n- name: bench\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" + "".join(tasks)


def main():
    env = dict(os.environ)
    if not env.get("ANSIBLE_COLLECTIONS_PATH"):
        env["ANSIBLE_COLLECTIONS_PATH"] = env.get("PYTHONPATH", "").split(os.pathsep)[0] or os.path.abspath(
            os.path.join(HERE, "..", "..", "..", ".."))
    bindir = os.path.dirname(sys.executable)
    ansible_playbook = os.path.join(bindir, "ansible-playbook")
    if not os.path.exists(ansible_playbook):
        ansible_playbook = shutil.which("ansible-playbook")
    tmp = tempfile.mkdtemp(prefix="natsops-bench-")
    try:
        conf = os.path.join(tmp, "nats-server.conf")
        text = make_config()
        with open(conf, "w") as fh:
            fh.write(text)
        os.mkdir(os.path.join(tmp, "callback_plugins"))
        with open(os.path.join(tmp, "callback_plugins", "bench_timer.py"), "w") as fh:
            fh.write(CALLBACK)
        with open(os.path.join(tmp, "bench.yml"), "w") as fh:
            fh.write(playbook(conf, ITERATIONS, with_slurp=os.geteuid() == 0))
        with open(os.path.join(tmp, "inventory"), "w") as fh:
            fh.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        times = os.path.join(tmp, "times.jsonl")
        env.update(BENCH_TIMES=times, ANSIBLE_CALLBACKS_ENABLED="bench_timer", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(tmp, "callback_plugins"))
        proc = subprocess.run([ansible_playbook, "-i", os.path.join(tmp, "inventory"), os.path.join(tmp, "bench.yml")],
                              cwd=tmp, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.stdout.write(proc.stdout[-4000:] + proc.stderr[-4000:])
            print("bench_module: ansible-playbook failed (rc=%d)" % proc.returncode)
            return 2
        rows = [json.loads(line) for line in open(times)]
        stat = [r["seconds"] for r in rows if r["task"].startswith("stat ") and "warmup" not in r["task"]]
        nats = [r["seconds"] for r in rows if r["task"].startswith("nats_config ") and "warmup" not in r["task"]]
        bad = [r for r in rows if r["status"] != "ok"]
        if bad or len(stat) != ITERATIONS or len(nats) != ITERATIONS:
            print("bench_module: unexpected task results: %s" % (bad or rows))
            return 2
        slurp = [r["seconds"] for r in rows if r["task"].startswith("slurp_nats_config ") and "warmup" not in r["task"]]
        ratio = sum(nats) / sum(stat)
        print("bench_module: %d iterations, config %d bytes" % (ITERATIONS, len(text.encode())))
        print("  ansible.builtin.stat      median %.1f ms  total %.2f s" % (statistics.median(stat) * 1000, sum(stat)))
        print("  natsops.nats.nats_config  median %.1f ms  total %.2f s" % (statistics.median(nats) * 1000, sum(nats)))
        print("  ratio nats_config/stat    %.2f (median ratio %.2f; target <= %.2f)" % (
            ratio, statistics.median(nats) / statistics.median(stat), MAX_RATIO))
        if slurp:
            print("  with become (slurp)       median %.1f ms  total %.2f s  ratio %.2f (informational)" % (
                statistics.median(slurp) * 1000, sum(slurp), sum(slurp) / sum(stat)))
        return 0 if ratio <= MAX_RATIO else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
