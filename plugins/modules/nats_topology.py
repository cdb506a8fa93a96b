#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module; the work is done on the controller by
# plugins/action/nats_topology.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: nats_topology
short_description: Validate a NATS super-cluster across servers before deploying it
version_added: 0.1.0
author:
  - natsops.nats contributors (@natsops)
description:
  - Reads the config of every server of the play (or takes them from O(configs)) and checks what no
    single-file check can catch, because it only shows when several servers meet. For example cluster
    members that disagree on the cluster name, a C(gateways) entry whose name is not the remote cluster's
    own name, gateway or route URLs that point at a client or cluster port, a C(server_name) used twice
    in a super-cluster, different system accounts or JetStream domains, a member without the gateway
    block, route or gateway authorization or TLS on one side only, pinned account or C(pool_size)
    mismatches, a leafnode hub and leaf with the same cluster name, asymmetric gateway lists and route
    meshes that fall apart.
  - Route, gateway and leafnode URLs are resolved to the servers by host name (the inventory host, its
    address from O(addresses) or C(ansible_host), or the listener's bind address) and port.
  - "The task fails when there is any error; the message gives the number of errors and one line per
    finding: C([host] file:line:col: message (fix)). The message names every other host involved and
    where its side of the problem is."
  - By default the single-server checks of M(natsops.nats.nats_config) run on every config as well.
  - "Use it once per play (C(run_once: true)). It runs on the controller (action plugin). Files are read
    from each managed host over a connection to that host, with its inventory connection settings."
  - Never changes anything; runs the same in check mode.
options:
  configs:
    description:
      - Mapping of server id (inventory host) to its config, either the config text or a dict of config values
        (as given to the C(natsops.nats.nats_server) role; it is rendered to text and parsed).
      - When set, nothing is read from the managed hosts and O(hosts), O(path) and O(path_var) are ignored.
    type: dict
  hosts:
    description:
      - The inventory hosts whose config files are read and checked together.
      - Defaults to the hosts of the play (C(ansible_play_hosts)).
    type: list
    elements: str
  path:
    description:
      - Absolute path of the config file on each host, used for hosts that do not define the variable named by O(path_var).
      - Relative C(include) paths are resolved from the directory of the file, as the server does.
    type: path
  path_var:
    description:
      - Name of a host variable holding the absolute path of that host's config file.
      - Its value wins over O(path).
    type: str
    default: nats_server_config_path
  addresses:
    description:
      - Mapping of server id to the address other servers use to reach it, or to a list of names (for example
        the address and the FQDN that route URLs use). URLs that name one of these resolve to that server.
      - Defaults to the C(ansible_host) of each host when it is set.
    type: dict
  config_checks:
    description:
      - Also run the single-server checks on every config.
    type: bool
    default: true
  server_version:
    description:
      - The C(nats-server) version of every server that neither O(server_versions) nor its O(server_version_var)
        host variable gives a version (every 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x).
      - An unparsable or unsupported version fails the task with a message that names the host and lists the
        supported range.
    type: str
    default: 2.15.1
  server_versions:
    description:
      - "Mapping of server id (inventory host) to the C(nats-server) version that server runs, for example
        V(n1: 2.14.7) and V(n2: 2.15.1) during an upgrade."
      - "Each config is parsed and checked for its own server's version (which keys exist, parser quirks, the
        checks; see C(docs/versions.md)), and members of one (super-)cluster that run different versions are
        compared. C(version-key-skew) (warning), an option one member sets that the version of another member
        does not know; C(version-upgrade-path) (error), a member too old to upgrade to the newest member's line
        directly (2.15 requires 2.14.7 or later); C(version-semantics-differ) (warning), a value that means
        different things on the members' versions (C(max_connections: 0) from 2.12.5)."
      - A server id that is not one of the checked servers fails the task.
    type: dict
  server_version_var:
    description:
      - Name of a host variable holding the C(nats-server) version of that host, used for hosts that O(server_versions)
        does not list. By default the version variable of the C(natsops.nats.nats_server) role, where the inventory
        sets it (role defaults are not host variables).
      - Set it to an empty string to ignore host variables.
    type: str
    default: nats_server_version
extends_documentation_fragment:
  - natsops.nats.nats_validation
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
    details: Run it with C(run_once) so that it runs once for the whole play.
  check_mode:
    support: full
    details: Validation only reads files, so it runs unchanged in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - pyparsing (on the controller only)
notes:
  - The same O(env) values apply to every host's config.
  - Files are read without privilege escalation when possible (the connection's file transfer), otherwise with
    the C(ansible.builtin.slurp) module on that host.
  - The result key RV(warnings) is reserved by Ansible (its items are shown as warnings); structured warnings are in RV(findings).
seealso:
  - module: natsops.nats.nats_config
  - plugin: natsops.nats.nats_topology_validate
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: Check the whole super-cluster after rendering every server's config
  natsops.nats.nats_topology:
    path: /etc/nats/nats-server.conf
  run_once: true

- name: Check configs given as values (for example before rendering them)
  natsops.nats.nats_topology:
    configs:
      n1: {server_name: n1, cluster: {name: east, port: 6222, routes: ["nats-route://n2:6222"]}}
      n2: {server_name: n2, cluster: {name: east, port: 6222, routes: ["nats-route://n1:6222"]}}
    addresses:
      n1: 10.0.0.1
      n2: 10.0.0.2
  run_once: true
  register: topology

- name: Show the clusters that were found
  ansible.builtin.debug:
    var: topology.clusters
  run_once: true

- name: Check a cluster in the middle of an upgrade (each config for its own server's version)
  natsops.nats.nats_topology:
    path: /etc/nats/nats-server.conf
    server_versions:
      n1: 2.14.7
      n2: 2.15.1
      n3: 2.15.1
  run_once: true

- name: Read each host's file from a host variable, skip a warning
  natsops.nats.nats_topology:
    path_var: nats_server_config_path
    disable:
      - gateway-list-asymmetric
  run_once: true
"""

RETURN = r"""
msg:
  description: "Summary. On failure, the number of errors followed by one line per finding (C([host] file:line:col: message (fix)))."
  returned: always
  type: str
  sample: "2 errors in the topology of 6 servers:\n[a3] /etc/nats/nats-server.conf:4:9: cluster name \"A2\" differs from \"A\" ..."
valid:
  description: Whether no error was found.
  returned: always
  type: bool
  sample: true
errors:
  description: The errors (empty when valid).
  returned: always
  type: list
  elements: dict
  contains:
    code:
      description: Stable check code (usable in O(disable)).
      type: str
      sample: cluster-name-mismatch
    severity:
      description: C(error) or C(warning).
      type: str
      sample: error
    host:
      description: The host the finding is about (the message names the other hosts involved).
      type: str
      sample: a3
    message:
      description:
        - What is wrong, with the other side's host and position. Never contains secrets; the user info of a URL
          (user and password, or a token) is shown as C(********) (C(nats://********@host:6222)).
      type: str
    file:
      description: File on that host; V(<string>) for O(configs) values; V(null) for a finding without a location.
      type: str
    line:
      description: 1-based line.
      type: int
    column:
      description: 1-based column (bytes).
      type: int
    path:
      description: Dotted path of the option, for example C(cluster.routes[0]).
      type: str
    hint:
      description: How to fix it, and what nats-server logs when the problem is deployed.
      type: str
findings:
  description: Every finding, errors and warnings, with the same keys as RV(errors).
  returned: always
  type: list
  elements: dict
warnings:
  description: "Warnings as text (C([host] file:line:col: message (fix))); Ansible shows them and manages this key."
  returned: when there are warnings
  type: list
  elements: str
clusters:
  description:
    - The clusters found, name to member hosts. Servers are in one cluster when they share the cluster name or are
      connected by routes. A cluster without any configured name shows as C((unnamed:<first host>)).
  returned: always
  type: dict
  sample: {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]}
superclusters:
  description: Groups of cluster names connected by gateways.
  returned: always
  type: list
  elements: list
  sample: [["A", "B"]]
hosts:
  description: The hosts whose configs were checked, in order.
  returned: always
  type: list
  elements: str
  sample: ["a1", "a2", "a3", "b1", "b2"]
server_versions:
  description: The C(nats-server) version each server's config was checked for.
  returned: always
  type: dict
  sample: {"n1": "2.14.7", "n2": "2.15.1"}
files:
  description: Per host, the files read (main file first, then includes) with their SHA-256.
  returned: when files were read from the hosts
  type: dict
  sample: {"a1": [{"path": "/etc/nats/nats-server.conf", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}
changed:
  description: Always false; nothing is changed.
  returned: always
  type: bool
  sample: false
"""
