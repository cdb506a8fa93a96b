# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Host checks (issue 11 part 3): the files a config names, read through a loader like includes.

Certificates and keys are generated here with ``cryptography`` (a fixed clock makes the dates exact).
The real nats-server confirms the messages it prints itself (missing files, key mismatch, CA).
"""

from __future__ import annotations

import datetime
import os

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string
from ansible_collections.natsops.nats.tests.unit.nats_harness import check_text

crypto = pytest.importorskip("cryptography")
from cryptography import x509  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.x509.oid import NameOID  # noqa: E402 pylint: disable=wrong-import-position

NOW = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


def _cert(key, not_before, not_after):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"localhost")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after))
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture()
def host(tmp_path):
    """A 'managed host' directory with a valid pair, an expiring pair, an expired cert and a foreign key."""
    key = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    files = {
        "good.pem": _cert(key, NOW - datetime.timedelta(days=10), NOW + datetime.timedelta(days=400)),
        "soon.pem": _cert(key, NOW - datetime.timedelta(days=10), NOW + datetime.timedelta(days=5)),
        "old.pem": _cert(key, NOW - datetime.timedelta(days=100), NOW - datetime.timedelta(days=1)),
        "key.pem": _key_pem(key),
        "other.key": _key_pem(other),
        "junk.pem": b"hello\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "afile").write_text("x")
    return tmp_path


def _run(text, base):
    result = parse_string(text, filename=os.path.join(str(base), "nats.conf"))
    calls = []

    def loader(path):
        calls.append(path)
        with open(path, "rb") as fh:
            return fh.read()
    return engine.host_findings(result, loader, now=NOW), calls


def _found(findings):
    """(code, severity, the server's text) -- the message without its ': <path> (<file:line:col>)' tail."""
    return [(f.code, f.severity, f.message[:f.message.rindex(": " + f.path + " (")]) for f in findings]


def test_valid_pair_has_no_findings(host):
    findings, calls = _run('tls { cert_file: "%s/good.pem", key_file: "%s/key.pem", ca_file: "%s/good.pem" }' % (
        host, host, host), host)
    assert findings == []
    assert calls == ["%s/good.pem" % host, "%s/key.pem" % host, "%s/good.pem" % host]


def test_tls_file_problems(host):
    d = str(host)
    text = ('tls { cert_file: "%s/missing.pem", key_file: "%s/key.pem" }\n'
            'cluster { listen: "127.0.0.1:-1", tls { cert_file: "%s/good.pem", key_file: "%s/other.key" } }\n'
            'gateway { name: g, listen: "127.0.0.1:-1", tls { cert_file: "%s/junk.pem", key_file: "%s/key.pem" } }\n'
            'leafnodes { listen: "127.0.0.1:-1", tls { cert_file: "%s/old.pem", key_file: "%s/key.pem", ca_file: "%s/junk.pem" } }\n'
            'websocket { listen: "127.0.0.1:-1", tls { cert_file: "%s/soon.pem", key_file: "%s/key.pem", ca_file: "%s/nope.pem" } }\n'
            % ((d,) * 12))
    findings, dummy = _run(text, host)
    assert _found(findings) == [
        ("host-file-missing", "error", "error parsing X509 certificate/key pair: open %s/missing.pem: no such file or directory" % d),
        ("host-tls-file-invalid", "error", "error parsing X509 certificate/key pair: tls: private key does not match public key"),
        ("host-tls-file-invalid", "error", "error parsing X509 certificate/key pair: tls: failed to find any PEM data in "
                                           "certificate input"),
        ("host-cert-expired", "error", "certificate %s/old.pem expired on 2029-12-31 00:00:00 UTC" % d),
        ("host-tls-file-invalid", "error", "failed to parse root ca certificate"),
        ("host-cert-expiring", "warning", "certificate %s/soon.pem expires on 2030-01-06 00:00:00 UTC (in 5 days)" % d),
        ("host-file-missing", "error", "open %s/nope.pem: no such file or directory" % d),
    ]
    lines = [(f.line, f.path) for f in findings]
    assert lines == [(1, "tls"), (2, "cluster.tls"), (3, "gateway.tls"), (4, "leafnodes.tls"), (4, "leafnodes.tls"),
                     (5, "websocket.tls"), (5, "websocket.tls")]
    # file contents never reach a finding
    for f in findings:
        assert "BEGIN" not in f.message and "hello" not in f.message


def test_directories_and_operator_files(host):
    d = str(host)
    text = ('jetstream { store_dir: "%s/afile" }\nresolver { type: full, dir: "%s/afile" }\n'
            'pid_file: "%s/nodir/n.pid"\nlog_file: "%s/nodir/n.log"\noperator: "%s/nope.jwt"\n' % ((d,) * 5))
    findings, dummy = _run(text, host)
    assert _found(findings) == [
        ("host-directory-invalid", "error", "Can't start JetStream: storage directory is not a directory"),
        ("host-directory-invalid", "error", "dir needs to point to an accessible directory"),
        ("host-directory-invalid", "error", "Could not write pidfile: open %s/nodir/n.pid: no such file or directory" % d),
        ("host-directory-invalid", "error", "error opening file: open %s/nodir/n.log: no such file or directory" % d),
        ("host-file-missing", "error", "error parsing operator JWT: open %s/nope.jwt: no such file or directory" % d),
    ]
    findings, dummy = _run('operator: "%s/junk.pem"\npid_file: "%s/n.pid"\njetstream { store_dir: "%s" }' % (d, d, d), host)
    assert _found(findings) == [("host-operator-jwt-invalid", "error", "error parsing operator JWT: no JWT found")]


def test_relative_paths_are_skipped_and_codes_can_be_disabled(host):
    findings, calls = _run('tls { cert_file: "rel.pem", key_file: "key.pem" }\npid_file: "x/n.pid"', host)
    assert findings == [] and calls == []
    result = parse_string('tls { cert_file: "%s/missing.pem", key_file: "%s/key.pem" }' % (host, host), filename="n.conf")
    assert engine.host_findings(result, lambda p: open(p, "rb").read(), disable=["host-file-missing"], now=NOW) == []


def test_server_agrees_on_the_texts_it_prints(host):
    """nats-server -t loads TLS files: it prints the same reasons for a missing file, a foreign key and a bad CA."""
    d = str(host)
    for tls, expected in (('cert_file: "%s/missing.pem", key_file: "%s/key.pem"' % (d, d),
                           "error parsing X509 certificate/key pair: open %s/missing.pem: no such file or directory" % d),
                          ('cert_file: "%s/good.pem", key_file: "%s/other.key"' % (d, d),
                           "error parsing X509 certificate/key pair: tls: private key does not match public key"),
                          ('cert_file: "%s/junk.pem", key_file: "%s/key.pem"' % (d, d),
                           "error parsing X509 certificate/key pair: tls: failed to find any PEM data in certificate input"),
                          ('cert_file: "%s/good.pem", key_file: "%s/key.pem", ca_file: "%s/junk.pem"' % (d, d, d),
                           "failed to parse root ca certificate"),
                          ('cert_file: "%s/good.pem", key_file: "%s/key.pem", ca_file: "%s/nope.pem"' % (d, d, d),
                           "open %s/nope.pem: no such file or directory" % d)):
        text = "listen: 127.0.0.1:-1\ntls { %s }\n" % tls
        res = check_text(text, d, name="t.conf")
        assert res.error is not None and expected in res.error, res.error
        findings, dummy = _run(text, host)
        assert any(f.message.startswith(expected) for f in findings), findings
