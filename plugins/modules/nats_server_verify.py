#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module; the work is done by plugins/action/nats_server_verify.py, which runs
# natsops.nats.nats_server_info on the managed host and compares its answer on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
module: nats_server_verify
short_description: Check that a running NATS server runs its planned config and sees the planned topology
version_added: 0.2.0
author:
  - natsops.nats contributors (@natsops)
description:
  - Reads the server's monitoring endpoints on the managed host (with M(natsops.nats.nats_server_info)) and compares
    them with the planned configs of all servers (O(configs), for example the configs the C(natsops.nats.nats_server)
    role built).
  - "Checks: C(/healthz) at O(healthz_level); the server name and cluster name; a route to every planned peer of its
    cluster (by name: C(num_routes) counts pooled connections); an outbound and an inbound gateway connection for every
    other planned cluster; with clustered JetStream, that the meta group has a leader and, on the leader (the only server
    whose C(/jsz) shows all peers), that every peer is current; that the server runs the planned config (C(/varz)
    C(config_digest), reported from nats-server 2.11 on) and, with O(reloaded_since), that C(config_load_time) moved."
  - Routes and gateways (inbound ones especially) form a few seconds after a start, so the check is repeated every
    O(delay) seconds until it passes or O(timeout) passes.
  - "Inbound gateways are checked per cluster: each server of cluster B opens one outbound connection to one server
    of cluster A, so a single server of A may have no inbound connection from B. Run the module once more with
    O(results) (the registered per-server results of all servers, with C(run_once)) to check that the servers of
    every cluster together hold an inbound connection from each server of every other cluster."
  - Each problem is a finding with the host, what was expected and what was observed; the task fails when there is any.
  - Never changes anything; runs the same in check mode.
options:
  configs:
    description:
      - Mapping of inventory host to the text of its planned config (all servers of the topology).
      - Required unless O(results) is given.
    type: dict
  results:
    description:
      - Mapping of inventory host to its registered result of this module (per-server mode). With it, nothing is read
        from the servers; the inbound gateway connections of every cluster are counted from the results.
    type: dict
  host:
    description:
      - The key of O(configs) that describes this server. Defaults to C(inventory_hostname).
    type: str
  url:
    description:
      - Base URL of the server's monitoring listener, as reached from the managed host.
    type: str
    default: http://127.0.0.1:8222
  healthz_level:
    description:
      - What C(/healthz) checks (see M(natsops.nats.nats_server_info)).
    type: str
    choices: [jetstream, js-server-only, js-enabled-only]
    default: jetstream
  timeout:
    description:
      - Seconds to keep polling before reporting the problems that remain.
    type: float
    default: 60
  delay:
    description:
      - Seconds between two polls.
    type: float
    default: 1
  reloaded_since:
    description:
      - The C(config_load_time) the server reported before a reload; the check fails when it did not move (the server
        refused the reload and runs the old config).
    type: str
  check_digest:
    description:
      - Compare the server's C(config_digest) with the digest of its planned config.
    type: bool
    default: true
  validate_certs:
    description:
      - Verify the certificate of an C(https) monitoring listener.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - pyparsing (on the controller only)
seealso:
  - module: natsops.nats.nats_server_info
  - module: natsops.nats.nats_topology
"""

EXAMPLES = r"""
- name: Every server runs its planned config and sees the whole super-cluster
  natsops.nats.nats_server_verify:
    configs: "{{ planned_configs }}"
    url: "http://127.0.0.1:{{ nats_server_http_port }}"
    timeout: 60
  register: verified

- name: Every cluster holds inbound gateways from each server of the other clusters
  natsops.nats.nats_server_verify:
    results: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'verified'))) }}"
  run_once: true
"""

RETURN = r"""
msg:
  description: Summary; on failure one line per finding (C([host] message)).
  returned: always
  type: str
  sample: "east1: 1 problem after 60 attempts (60s):\n[east1] no route to east3 (routes to: east2; num_routes 4 counts pooled connections)"
findings:
  description: The problems, as findings with C(host), C(expected) and C(observed).
  returned: always
  type: list
  elements: dict
  sample: [{"code": "live-route-missing", "severity": "error", "host": "east1", "expected": "a route to east3", "observed": ["east2"]}]
expected:
  description: What the plan says this server should report.
  returned: always
  type: dict
  sample: {"server_name": "east1", "cluster": "east", "route_peers": ["east2", "east3"], "gateways_outbound": ["west"]}
observed:
  description: The last answer of M(natsops.nats.nats_server_info).
  returned: always
  type: dict
attempts:
  description: How many times the endpoints were read.
  returned: always
  type: int
  sample: 3
"""
