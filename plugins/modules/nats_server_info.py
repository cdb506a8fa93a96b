#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nats_server_info
short_description: Read what a running NATS server reports about itself (varz, routes, gateways, leafnodes, health, JetStream)
version_added: 0.2.0
author:
  - natsops.nats contributors (@natsops)
description:
  - Reads the monitoring endpoints C(/varz), C(/routez), C(/gatewayz), C(/leafz), C(/healthz) and C(/jsz) of a
    nats-server and returns their essentials. Runs on the managed host (usually against the server's own monitoring
    listener on C(127.0.0.1)), with the Python standard library only.
  - C(/healthz) answers HTTP 503 while the server is not healthy; that is a result (RV(healthz.ok) false), not a failure.
    The task fails only when an endpoint cannot be read, unless O(fail_on_error=false).
  - "Peers are returned by name (RV(routez.peers)): C(num_routes) counts every route connection, and with route pooling
    (the default since 2.10) there are several per peer."
  - "Only the JetStream meta leader's C(/jsz) shows the state of all meta peers (C(meta.replicas) of RV(jsz)); the other
    servers list themselves."
  - Never changes anything; runs the same in check mode.
options:
  url:
    description:
      - Base URL of the monitoring listener (the server's C(http) or C(https) option).
    type: str
    default: http://127.0.0.1:8222
  gather:
    description:
      - The endpoints to read.
    type: list
    elements: str
    choices: [varz, routez, gatewayz, leafz, healthz, jsz]
    default: [varz, routez, gatewayz, leafz, healthz, jsz]
  healthz_level:
    description:
      - What C(/healthz) checks. C(jetstream) (the server's default) includes JetStream and every stream and consumer
        assigned to the server; C(js-server-only) checks the JetStream server but not its assets; C(js-enabled-only)
        only that JetStream is enabled when configured.
    type: str
    choices: [jetstream, js-server-only, js-enabled-only]
    default: jetstream
  timeout:
    description:
      - Seconds to wait for each endpoint.
    type: float
    default: 5
  validate_certs:
    description:
      - Verify the TLS certificate of an C(https) monitoring listener.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle to verify an C(https) monitoring listener with.
    type: path
  fail_on_error:
    description:
      - Fail when an endpoint cannot be read. With V(false) the result has RV(error) instead.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The C(natsops.nats.nats_server_verify) action compares these answers with the planned topology.
seealso:
  - module: natsops.nats.nats_server_verify
"""

EXAMPLES = r"""
- name: Read the local server's state
  natsops.nats.nats_server_info:
    url: http://127.0.0.1:8222
  register: nats

- name: Show the peers each server has routes to
  ansible.builtin.debug:
    msg: "{{ nats.varz.server_name }} routes to {{ nats.routez.peers | join(', ') }}"

- name: Wait until the server is healthy (JetStream included)
  natsops.nats.nats_server_info:
    gather: [healthz]
  register: health
  until: health.healthz.ok
  retries: 30
  delay: 2
"""

RETURN = r"""
url:
  description: The monitoring URL that was read.
  returned: always
  type: str
  sample: http://127.0.0.1:8222
error:
  description: Why the endpoints could not be read (only with O(fail_on_error=false)).
  returned: when an endpoint could not be read
  type: str
  sample: "http://127.0.0.1:8222/varz: [Errno 111] Connection refused"
varz:
  description:
    - Essentials of C(/varz). C(config_digest) is present from nats-server 2.11 on; C(config_load_time) moves on every
      applied reload and stays when the server refused one.
  returned: when gathered
  type: dict
  contains:
    server_id: {description: Server id., type: str, returned: always}
    server_name: {description: Server name., type: str, returned: always}
    version: {description: Server version., type: str, returned: always, sample: 2.15.1}
    start: {description: Start time., type: str, returned: always}
    config_load_time: {description: When the running config was loaded (start or last applied reload)., type: str, returned: always}
    config_digest: {description: The sha256 digest of the running config (as C(nats-server -t) prints it)., type: str, returned: from 2.11}
    cluster_name: {description: Cluster name (empty when not clustered)., type: str, returned: always}
    gateway_name: {description: Gateway name (empty without gateways)., type: str, returned: always}
    jetstream_enabled: {description: Whether JetStream is configured., type: bool, returned: always}
    connections: {description: Client connections., type: int, returned: always}
    routes: {description: Route connections (pooled ones counted)., type: int, returned: always}
  sample: {"server_name": "east1", "version": "2.15.1", "cluster_name": "east", "config_load_time": "2026-01-01T00:00:00Z"}
routez:
  description: Essentials of C(/routez).
  returned: when gathered
  type: dict
  contains:
    num_routes: {description: Route connections (several per peer with pooling)., type: int, returned: always}
    peers: {description: Names of the servers this one has at least one route to (sorted)., type: list, elements: str, returned: always}
    routes: {description: One entry per route connection., type: list, elements: dict, returned: always}
  sample: {"num_routes": 8, "peers": ["east2", "east3"]}
gatewayz:
  description: Essentials of C(/gatewayz).
  returned: when gathered
  type: dict
  contains:
    name: {description: This server's gateway (cluster) name., type: str, returned: always}
    outbound: {description: Remote cluster name to its outbound connection state., type: dict, returned: always}
    inbound: {description: Remote cluster name to the number of inbound connections from it., type: dict, returned: always}
  sample: {"name": "east", "outbound": {"west": {"configured": true, "connected": true}}, "inbound": {"west": 3}}
leafz:
  description: Essentials of C(/leafz).
  returned: when gathered
  type: dict
  sample: {"leafnodes": 1, "leafs": [{"name": "leaf1", "account": "$G", "is_spoke": false}]}
healthz:
  description: The answer of C(/healthz) at O(healthz_level).
  returned: when gathered
  type: dict
  contains:
    ok: {description: Whether the server answered ok., type: bool, returned: always}
    status: {description: The status text (C(ok) or C(unavailable))., type: str, returned: always}
    http_status: {description: The HTTP status (200 or 503)., type: int, returned: always}
    error: {description: Why the server is not healthy., type: str, returned: always}
    level: {description: The O(healthz_level) asked for., type: str, returned: always}
  sample: {"ok": false, "status": "unavailable", "http_status": 503, "error": "JetStream has not established contact with a meta leader"}
jsz:
  description: Essentials of C(/jsz); C(meta) describes the JetStream meta group when clustered.
  returned: when gathered
  type: dict
  sample: {"enabled": true, "streams": 1, "meta": {"name": "east", "leader": "east2", "cluster_size": 3, "replicas": []}}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.natsops.nats.plugins.module_utils.nats_monitor import ENDPOINTS, HEALTHZ_LEVELS, MonitorError, collect


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", default="http://127.0.0.1:8222"),
            gather=dict(type="list", elements="str", choices=list(ENDPOINTS), default=list(ENDPOINTS)),
            healthz_level=dict(type="str", choices=list(HEALTHZ_LEVELS), default="jetstream"),
            timeout=dict(type="float", default=5),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
            fail_on_error=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    result = dict(changed=False, url=params["url"])
    try:
        result.update(collect(params["url"], gather=params["gather"], healthz_level=params["healthz_level"],
                              timeout=params["timeout"], validate_certs=params["validate_certs"], ca_path=params["ca_path"]))
    except MonitorError as exc:
        if params["fail_on_error"]:
            module.fail_json(msg=str(exc), **result)
        result["error"] = str(exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
