#!/usr/bin/env python
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate the parser benchmark configs.

* ``large.conf``  (~1.2 MB): 500 accounts x 20 users, each user with publish/subscribe
  permissions, every account with stream and service exports.
* ``cluster.conf`` (~5 KB): a typical server with cluster, gateways, leafnodes, TLS-less
  authorization and monitoring.

Both are accepted by ``nats-server -t``.  Usage: ``gen_configs.py [OUTDIR]`` (default: benchmarks/out).
"""

from __future__ import annotations

import os
import sys


def large(accounts=500, users=20):
    out = ["# generated: %d accounts x %d users" % (accounts, users), "port: 4222", "server_name: bench-large",
           "max_payload: 1MB", "", "accounts {"]
    for a in range(accounts):
        out.append("  ACC_%03d {" % a)
        out.append("    users = [")
        for u in range(users):
            out.append('      { user: "u%03d_%02d", password: "pw-%03d-%02d", permissions: { publish: ["acc%03d.u%02d.>"], '
                       'subscribe: ["_INBOX.>"] } }' % (a, u, a, u, a, u))
        out.append("    ]")
        out.append("    exports = [")
        out.append('      { stream: "acc%03d.events.>" }' % a)
        out.append('      { service: "acc%03d.svc.*" }' % a)
        out.append("    ]")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def cluster():
    return """# typical cluster + gateway node
server_name: n1-east
listen: 0.0.0.0:4222
http: 8222
max_payload: 1MB
max_connections: 64K
ping_interval: "2m"
ping_max: 3
write_deadline: "10s"
lame_duck_duration: "2m"
debug: false
trace: false
logtime: true

jetstream {
  store_dir: "/var/lib/nats/js"
  max_memory_store: 1GB
  max_file_store: 100GB
}

authorization {
  users = [
    { user: "app", password: "app-secret", permissions: { publish: ["orders.>", "inventory.*"], subscribe: ["_INBOX.>", "orders.>"] } }
    { user: "ops", password: "ops-secret", permissions: { publish: ">", subscribe: ">" } }
    { user: "metrics", password: "metrics-secret", permissions: { publish: { deny: ">" }, subscribe: ["$SYS.>"] } }
  ]
}

cluster {
  name: east
  listen: 0.0.0.0:6222
  authorization {
    user: route_user
    password: route_password
    timeout: 2
  }
  routes = [
    nats-route://route_user:route_password@10.0.1.11:6222
    nats-route://route_user:route_password@10.0.1.12:6222
    nats-route://route_user:route_password@10.0.1.13:6222
  ]
  no_advertise: true
  connect_retries: 30
}

gateway {
  name: east
  listen: 0.0.0.0:7222
  authorization {
    user: gw_user
    password: gw_password
  }
  gateways = [
    { name: "east", urls: ["nats://gw_user:gw_password@10.0.1.11:7222", "nats://gw_user:gw_password@10.0.1.12:7222"] }
    { name: "west", urls: ["nats://gw_user:gw_password@10.0.2.11:7222", "nats://gw_user:gw_password@10.0.2.12:7222"] }
    { name: "central", urls: ["nats://gw_user:gw_password@10.0.3.11:7222"] }
  ]
}

leafnodes {
  listen: 0.0.0.0:7422
  no_advertise: true
  authorization {
    user: leaf_user
    password: leaf_password
  }
}

websocket {
  listen: 0.0.0.0:8443
  no_tls: true
  compression: true
}

# tuning
max_control_line: 4KB
max_pending: 64MB
max_subscriptions: 0
max_traced_msg_len: 1024
connect_error_reports: 86400
reconnect_error_reports: 1
""" + "".join("# padding comment line %02d to reach a typical size with documentation\n" % i for i in range(32))


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(outdir, exist_ok=True)
    for name, text in (("large.conf", large()), ("cluster.conf", cluster())):
        path = os.path.join(outdir, name)
        with open(path, "w") as f:
            f.write(text)
        print("%s %d bytes" % (path, len(text.encode())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
