# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No false positives: realistic configs that the real nats-server starts give no error finding.

Covers a JetStream cluster node, a super-cluster (gateway) node, a leafnode hub and leaf,
TLS on every listener (certificates made here with `cryptography`), websocket, MQTT,
accounts with imports/exports, and variables. Every config is also started for real
(stopped by PID) to prove it is valid.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import ipaddress
import os
import re

import pytest

from ansible_collections.natsops.nats.tests.unit.nats_harness import free_ports, startup_outcome

cryptography = pytest.importorskip("cryptography")

from cryptography import x509  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402 pylint: disable=wrong-import-position


def make_certs(directory):
    """ca.pem, server.pem, server-key.pem (127.0.0.1/localhost, server+client auth)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"natsops test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(u"localhost"),
                                                        x509.IPAddress(ipaddress.ip_address(u"127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(directory, "server.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(directory, "server-key.pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


TLS = '{\n    cert_file: "{DIR}/server.pem"\n    key_file: "{DIR}/server-key.pem"\n    ca_file: "{DIR}/ca.pem"\n  }'

CONFIGS = {
    "jetstream_cluster_node": """
server_name: n1
listen: 127.0.0.1:{P1}
http: 127.0.0.1:{P2}
SYS_PASS: "sys-pw"
jetstream {
  store_dir: "{DIR}/js"
  max_mem: 64M
  max_file: 1G
  domain: hub
}
accounts {
  SYS: { users = [ { user: sys, password: $SYS_PASS } ] }
  APP: {
    jetstream: enabled
    users = [ { user: app, password: "app-pw" } ]
  }
}
system_account: SYS
cluster {
  name: east
  listen: 127.0.0.1:{P3}
  routes: [
    "nats://127.0.0.1:{P3}"
    "nats://127.0.0.1:{P4}"
    "nats://127.0.0.1:{P5}"
  ]
  pool_size: 3
  compression: s2_auto
}
lame_duck_duration: "2m"
lame_duck_grace_period: "10s"
max_payload: 8MB
""",
    "supercluster_node": """
server_name: e1
listen: 127.0.0.1:{P1}
accounts {
  SYS: {}
  A: { users = [ { user: a, password: a-pw } ] }
}
system_account: SYS
cluster {
  name: east
  listen: 127.0.0.1:{P2}
  routes = [ "nats-route://127.0.0.1:{P2}", "nats-route://127.0.0.1:{P3}" ]
  accounts: [A]
}
gateway {
  name: east
  listen: 127.0.0.1:{P4}
  gateways = [
    { name: east, urls: ["nats://127.0.0.1:{P4}"] }
    { name: west, url: "nats://127.0.0.1:{P5}" }
  ]
}
""",
    "leafnode_hub": """
server_name: hub1
listen: 127.0.0.1:{P1}
accounts {
  SYS: {}
  LEAF: {}
}
system_account: SYS
leafnodes {
  listen: 127.0.0.1:{P2}
  authorization {
    users = [ { user: leaf, password: leaf-pw, account: LEAF } ]
  }
  compression: { mode: s2_auto, rtt_thresholds: ["10ms", "50ms", "100ms"] }
}
gateway {
  name: hub
  listen: 127.0.0.1:{P3}
}
cluster {
  name: hub
  listen: 127.0.0.1:{P4}
}
""",
    "leaf": """
server_name: leaf1
listen: 127.0.0.1:{P1}
accounts {
  LOCAL: { users = [ { user: u, password: u-pw } ] }
}
leafnodes {
  remotes = [
    { url: "nats://leaf:leaf-pw@127.0.0.1:{P2}", account: LOCAL }
    { urls: ["ws://127.0.0.1:{P3}", "wss://127.0.0.1:{P4}"] }
  ]
  reconnect: "2s"
}
""",
    "tls_everywhere": """
server_name: t1
listen: 127.0.0.1:{P1}
tls TLSBLOCK
https: 127.0.0.1:{P2}
cluster {
  name: tls
  listen: 127.0.0.1:{P3}
  tls TLSBLOCK
}
gateway {
  name: tls
  listen: 127.0.0.1:{P4}
  tls TLSBLOCK
}
leafnodes {
  listen: 127.0.0.1:{P5}
  tls TLSBLOCK
}
accounts { SYS: {} }
system_account: SYS
websocket {
  listen: 127.0.0.1:{P6}
  tls TLSBLOCK
  allowed_origins: ["https://example.com", "http://localhost:8080"]
  headers { "X-Frame-Options": "DENY" }
}
""",
    "mqtt_websocket_jetstream": """
server_name: m1
port: {P1}
host: 127.0.0.1
jetstream: { store_dir: "{DIR}/js" }
authorization {
  users = [
    { user: bob, password: bob-pw, permissions: { publish: ">", subscribe: ">" } }
    { user: eve, password: eve-pw, allowed_connection_types: ["STANDARD", "WEBSOCKET", "MQTT"] }
  ]
}
no_auth_user: bob
mqtt {
  listen: 127.0.0.1:{P2}
  ack_wait: "30s"
  max_ack_pending: 100
  no_auth_user: eve
}
websocket {
  listen: 127.0.0.1:{P3}
  no_tls: true
  compression: true
}
""",
    "accounts_imports_exports": """
listen: 127.0.0.1:{P1}
accounts {
  PROVIDER: {
    users = [ { user: p, password: p-pw } ]
    exports = [
      { stream: "events.>" }
      { service: "help", accounts: [CONSUMER] }
    ]
  }
  CONSUMER: {
    users = [ { user: c, password: c-pw } ]
    imports = [
      { stream: { account: PROVIDER, subject: "events.>" }, prefix: "ext" }
      { service: { account: PROVIDER, subject: "help" } }
    ]
  }
}
max_connections: 1000
ping_interval: "20s"
write_deadline: "5s"
logtime: true
debug: false
""",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("valid-configs")
    out = {}
    for name, text in CONFIGS.items():
        d = str(base / name)
        os.makedirs(d)
        make_certs(d)
        ports = free_ports(6)
        subst = {"DIR": d}
        subst.update(("P%d" % (i + 1), p) for i, p in enumerate(ports))
        text = text.replace("TLSBLOCK", TLS)
        text = re.sub(r"\{(P[0-9]|DIR)\}", lambda m: str(subst[m.group(1)]), text)
        path = os.path.join(d, "nats.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out[name] = (d, path, text)
    return out


def test_real_server_starts_them(rendered):
    def run(item):
        name, (d, path, dummy) = item
        return name, startup_outcome(path, cwd=d, timeout=8.0)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(pool.map(run, rendered.items()))
    failed = dict((n, text[-1500:]) for n, (started, text) in results.items() if not started)
    assert failed == {}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_no_error_findings(name, rendered):
    pytest.importorskip("ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser")
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
    d, dummy, text = rendered[name]
    result, findings = validate_text(text, filename="nats.conf", base_dir=d)
    assert result is not None
    assert [f.format() for f in findings if f.severity == "error"] == []
    # the only warning these configs are expected to produce
    allowed = {"websocket-no-tls"}
    assert [f.format() for f in findings if f.code not in allowed] == []
