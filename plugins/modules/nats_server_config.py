#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module; the work is done on the controller by
# plugins/action/nats_server_config.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: nats_server_config
short_description: Build, render and validate the configs of a whole NATS (super-)cluster at once
version_added: 0.1.0
author:
  - natsops.nats contributors (@natsops)
description:
  - The engine of the C(natsops.nats.nats_server) role; usually not called directly.
  - Takes the role settings of every host (O(settings)), builds each host's config as a dict (routes to the
    peers of its cluster, a C(gateway) block named after its cluster when there are several clusters),
    deep-merges C(nats_server_config_extra), renders it as NATS config text with the collection's renderer,
    validates each config with the collection's checks and all of them together with the cross-server
    topology checks.
  - "Fails with every error (C([host] file:line:col: message; hint: fix)) when any config is invalid. It never
    writes anything, so the role writes files only after every host's config passed."
  - Runs on the controller only and reads nothing from the managed hosts; run it once (C(run_once)) for all hosts.
options:
  settings:
    description:
      - Mapping of inventory host name to that host's role variables (C(nats_server_cluster_name), C(nats_server_client_port),
        C(nats_server_advertise_host), C(nats_server_config_extra), ...; see the C(natsops.nats.nats_server) role).
      - Missing variables take the role defaults. The order of hosts is the order of routes and gateway URLs.
      - Each host's config is validated for its C(nats_server_version) (see C(docs/versions.md)), and hosts that run
        different versions are compared by the topology checks (C(version-*) codes). An unsupported version fails
        naming the host.
      - Required unless O(show_diff) is given.
    type: dict
  show_diff:
    description:
      - One entry of the RV(diffs) of an earlier build (one host's). The task then does nothing but report it
        as its diff, so C(--diff) shows the change of a config that holds secrets with every secret value as
        C(********) (the role writes such a config with C(no_log), which hides the write's own diff).
      - Mutually exclusive with O(settings).
    type: dict
  previous:
    description:
      - Mapping of host name to the text of its current config (or null when there is none). Used to decide
        whether applying the new config needs a restart (RV(restart)) or a reload is enough.
      - The decision comes from the collection's reload table (C(plugins/plugin_utils/render/reload.py)), read from
        nats-server's own reload code and verified against real servers of each release line from 2.10 to 2.15.
    type: dict
    default: {}
  versions:
    description:
      - Mapping of host name to the version of the nats-server running there (C(2.14.6), C(v2.14.6) or the output of
        C(nats-server --version)). Some changes reload only from a given version on (JetStream limit increases from
        2.12.7, leafnode remotes from 2.14, C(jetstream.limits) from 2.15). A host missing here is taken to run its
        C(nats_server_version) from O(settings) (default 2.15.1), the version its config is validated for.
    type: dict
    default: {}
  disable:
    description:
      - Check codes to skip, in the single-config and the topology checks.
    type: list
    elements: str
    default: []
  warnings_as_errors:
    description:
      - Treat every warning as an error.
    type: bool
    default: false
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
    details: Computes only; runs unchanged in check mode.
  diff_mode:
    support: partial
    details: With O(show_diff) the task reports that diff (secret values as C(********)); a build returns RV(diffs).
  platform:
    platforms: posix
requirements:
  - pyparsing (on the controller)
notes:
  - The settings hold secrets (route and gateway passwords); call it with C(no_log) and print RV(msg) yourself,
    as the role does. Secrets are replaced by C(********) in RV(msg) and RV(findings).
seealso:
  - module: natsops.nats.nats_config
"""

EXAMPLES = r"""
---
- name: Build and validate every server's config (what the nats_server role does)
  natsops.nats.nats_server_config:
    settings:
      east1: {nats_server_cluster_name: east, nats_server_advertise_host: 10.0.0.1}
      east2: {nats_server_cluster_name: east, nats_server_advertise_host: 10.0.0.2}
      west1: {nats_server_cluster_name: west, nats_server_advertise_host: 10.0.1.1}
  run_once: true
  register: nats_build

- name: Show the config of east1
  ansible.builtin.debug:
    msg: "{{ nats_build.configs.east1 }}"
"""

RETURN = r"""
msg:
  description: Summary; on failure the number of errors and one line per error.
  returned: always
  type: str
  sample: >-
    1 error in the generated NATS server configs; no file was written:
    [east1] /etc/nats-server/nats-server.conf:14:3: cluster name conflicts between cluster and gateway definitions
configs:
  description: Host name to the rendered config text. Only when every config is valid.
  returned: success
  type: dict
  sample: {"east1": "server_name: \"east1\"\nlisten: \"0.0.0.0:4222\"\n"}
secrets:
  description: Host name to whether its config holds a secret (the role writes it with C(no_log)).
  returned: success
  type: dict
  sample: {"east1": false}
restart:
  description: Host name to whether applying the config needs a restart (a reload is enough otherwise).
  returned: success
  type: dict
  sample: {"east1": true}
restart_reasons:
  description: Host name to the keys whose change needs a restart.
  returned: success
  type: dict
  sample: {"east1": ["gateway"]}
credential_changes:
  description:
    - Host name to the route/gateway authorization blocks whose credentials change against the previous config
      (C(cluster.authorization), C(gateway.authorization)). The role refuses such a change on running servers unless
      allowed.
  returned: success
  type: dict
  sample: {"east1": ["cluster.authorization"]}
diffs:
  description:
    - Host name to the change of its config as a C(--diff) entry (C(before), C(after), C(before_header),
      C(after_header)), or null when its text does not change. Every secret value is C(********) on both sides;
      when only secret values change, C(after_header) says so. Both sides are rendered by the collection's
      renderer (the role's own file renders back to the same text); a previous file that does not parse is
      replaced by a comment saying so. Pass one entry to O(show_diff) to show it.
  returned: success
  type: dict
  sample: {"east1": {"before": "", "after": "server_name: \"east1\"\n", "before_header": "east1: /etc/nats-server/nats-server.conf",
           "after_header": "east1: /etc/nats-server/nats-server.conf"}}
topology:
  description: Cluster name to its member hosts.
  returned: success
  type: dict
  sample: {"east": ["east1", "east2"], "west": ["west1"]}
findings:
  description: Every finding (errors and warnings) of the single-config and topology checks.
  returned: always
  type: list
  elements: dict
  sample: [{"code": "cluster-gateway-name-conflict", "severity": "error", "host": "east1", "line": 14}]
warnings_text:
  description: The warnings as formatted lines.
  returned: always
  type: list
  elements: str
"""
