#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the nats_server role on 150 inventory hosts vs a plain template + validate playbook.

150 hosts (10 clusters of 15, a super-cluster), ``local`` connection, no services: the role builds,
renders and validates all 150 configs (single-config and topology checks) and writes them; the
baseline playbook renders a comparable config per host with ``ansible.builtin.template`` and
``validate: nats-server -t -c %s`` (the real server checks each file). Both run in the same
invocation, alternating, BENCH_ROUNDS times (default 2, the first round of each is a warm-up that
writes the files; the timed rounds rewrite them after removing them). Prints the median wall times
and the ratio role / baseline (the issue's target: <= 1.3).

Run: make bench, or PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_role.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HOSTS = int(os.environ.get("BENCH_ROLE_HOSTS", "150"))
CLUSTERS = 10
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
HERE = os.path.dirname(os.path.abspath(__file__))

TEMPLATE = """server_name: "{{ inventory_hostname }}"
listen: "{{ nats_server_advertise_host }}:4222"
http: "{{ nats_server_advertise_host }}:8222"
lame_duck_duration: "30s"
lame_duck_grace_period: "10s"
cluster {
  name: "{{ nats_server_cluster_name }}"
  listen: "{{ nats_server_advertise_host }}:6222"
  routes: [
{% for peer in groups[nats_server_cluster_name] if peer != inventory_hostname %}
    "nats-route://{{ hostvars[peer].nats_server_advertise_host }}:6222"
{% endfor %}
  ]
}
gateway {
  name: "{{ nats_server_cluster_name }}"
  listen: "{{ nats_server_advertise_host }}:7222"
  gateways: [
{% for cluster in bench_clusters if cluster != nats_server_cluster_name %}
    {
      name: "{{ cluster }}"
      urls: [
{% for peer in groups[cluster] %}
        "nats://{{ hostvars[peer].nats_server_advertise_host }}:7222"
{% endfor %}
      ]
    }
{% endfor %}
  ]
}
"""

PLAIN = """---
- name: plain template + validate
  hosts: all
  gather_facts: false
  tasks:
    - name: Ensure the config directory exists
      ansible.builtin.file:
        path: "{{ nats_server_config_path | dirname }}"
        state: directory
        mode: "0755"
    - name: Write the config, validated by nats-server -t
      ansible.builtin.template:
        src: nats.conf.j2
        dest: "{{ nats_server_config_path }}"
        mode: "0640"
        validate: "%s -t -c %%s"
"""

ROLE = """---
- name: natsops.nats.nats_server
  hosts: all
  gather_facts: false
  roles:
    - role: natsops.nats.nats_server
"""


def inventory(tmp):
    clusters = ["c%02d" % i for i in range(CLUSTERS)]
    lines = ["all:", "  vars:", "    ansible_connection: local",
             "    ansible_python_interpreter: %s" % sys.executable,
             "    nats_server_listen_host: \"{{ nats_server_advertise_host }}\"",
             "    nats_server_config_path: \"%s/{{ inventory_hostname }}/nats-server.conf\"" % tmp,
             "    nats_server_data_dir: \"%s/{{ inventory_hostname }}/data\"" % tmp,
             "    bench_clusters: [%s]" % ", ".join(clusters),
             "  children:"]
    per = HOSTS // CLUSTERS
    for c, name in enumerate(clusters):
        lines += ["    %s:" % name, "      vars:", "        nats_server_cluster_name: %s" % name, "      hosts:"]
        for i in range(per):
            lines.append("        %s-%02d: {nats_server_advertise_host: 10.%d.0.%d}" % (name, i, c, i + 1))
    return "\n".join(lines) + "\n"


def main():
    env = dict(os.environ)
    if not env.get("ANSIBLE_COLLECTIONS_PATH"):
        env["ANSIBLE_COLLECTIONS_PATH"] = env.get("PYTHONPATH", "").split(os.pathsep)[0] or os.path.abspath(
            os.path.join(HERE, "..", "..", "..", ".."))
    bindir = os.path.dirname(sys.executable)
    ansible_playbook = os.path.join(bindir, "ansible-playbook")
    if not os.path.exists(ansible_playbook):
        ansible_playbook = shutil.which("ansible-playbook")
    server = os.path.join(bindir, "nats-server")
    if not os.path.exists(server):
        server = shutil.which("nats-server")
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORKS=env.get("ANSIBLE_FORKS", "8"), ANSIBLE_PIPELINING="1",
               ANSIBLE_HOST_KEY_CHECKING="0")
    tmp = tempfile.mkdtemp(prefix="natsops-bench-role-")
    try:
        with open(os.path.join(tmp, "inventory.yml"), "w") as fh:
            fh.write(inventory(os.path.join(tmp, "out")))
        with open(os.path.join(tmp, "nats.conf.j2"), "w") as fh:
            fh.write(TEMPLATE)
        with open(os.path.join(tmp, "plain.yml"), "w") as fh:
            fh.write(PLAIN % server)
        with open(os.path.join(tmp, "role.yml"), "w") as fh:
            fh.write(ROLE)
        times = {"role": [], "plain": []}
        for rnd in range(ROUNDS):
            for name in ("role", "plain"):
                shutil.rmtree(os.path.join(tmp, "out"), ignore_errors=True)
                start = time.perf_counter()
                proc = subprocess.run([ansible_playbook, "-i", "inventory.yml", name + ".yml"], cwd=tmp, env=env,
                                      capture_output=True, text=True, check=False)
                elapsed = time.perf_counter() - start
                if proc.returncode != 0:
                    sys.stdout.write(proc.stdout[:6000] + proc.stderr[-3000:])
                    print("bench_role: the %s playbook failed (rc %d)" % (name, proc.returncode))
                    return 1
                if rnd > 0 or ROUNDS == 1:
                    times[name].append(elapsed)
        role, plain = statistics.median(times["role"]), statistics.median(times["plain"])
        print("nats_server role on %d hosts (%d clusters, local connection, no services): %.1f s; "
              "template + validate (nats-server -t): %.1f s; ratio role/plain %.2f (target <= 1.3)"
              % (HOSTS, CLUSTERS, role, plain, role / plain))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
