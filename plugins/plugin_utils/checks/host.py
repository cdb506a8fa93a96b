# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Host-dependent checks: the files and directories a config names, read on the managed host.

``host_findings(result, loader)`` reads them with the same ``loader`` the parser used for includes
(``remote/loader.py``: over the connection, become-aware; or local files in tests) and reports:

- TLS files of every ``tls`` block (``cert_file``, ``key_file``, ``ca_file``, ``certs`` pairs): missing or
  unreadable, not PEM, key not matching the certificate, certificate expired (error) or expiring within
  30 days (warning), CA file without a certificate;
- operator JWT files (``operator``): missing, unreadable, not an operator JWT;
- directories: ``jetstream.store_dir``/``store_dir`` and the resolver ``dir`` must not be files, the
  directories of ``pid_file`` and ``log_file`` must exist.

Contents never leave this module: findings carry paths and the server's reasons, not file data.
Relative paths are resolved by nats-server against its working directory, which is not known here:
they are skipped. Key and certificate parsing, key matching and dates need the Python library
``cryptography`` on the controller; without it only existence and the PEM markers are checked.
"""

from __future__ import annotations

import datetime
import posixpath
import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING, apply_policy
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY, register
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import Context
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.tls import tls_blocks
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.resolver import OPERATOR_KEYS, RESOLVER_KEYS, decode_jwt

FILE_MISSING = "host-file-missing"
TLS_FILE_INVALID = "host-tls-file-invalid"
CERT_EXPIRED = "host-cert-expired"
CERT_EXPIRING = "host-cert-expiring"
JWT_INVALID = "host-operator-jwt-invalid"
DIR_INVALID = "host-directory-invalid"
EXPIRY_WARNING_DAYS = 30

_CODES = (
    (FILE_MISSING, ERROR, "a file the config names (TLS cert/key/CA, operator JWT) is missing or unreadable on the host"),
    (TLS_FILE_INVALID, ERROR, "a TLS file on the host is not PEM, the key does not match the certificate, or the CA file "
                              "holds no certificate"),
    (CERT_EXPIRED, ERROR, "a TLS certificate on the host has expired (or is not valid yet)"),
    (CERT_EXPIRING, WARNING, "a TLS certificate on the host expires within 30 days"),
    (JWT_INVALID, ERROR, "an operator JWT file on the host is not a valid operator JWT"),
    (DIR_INVALID, ERROR, "store_dir or the resolver dir is a file, or the directory of pid_file/log_file is missing "
                         "on the host"),
)
for _code, _sev, _summary in _CODES:
    if _code not in REGISTRY:
        register(_code, _sev, "host", _summary)
HOST_CODES = tuple(c[0] for c in _CODES)

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----")
_PEM_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def _os_reason(exc):
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return str(getattr(exc, "strerror", None) or exc)


class _Reader(object):
    """loader with error capture: read(path) -> (bytes or None, reason or None)."""

    def __init__(self, loader):
        self.loader = loader
        self.checked = []

    def read(self, path):
        self.checked.append(path)
        try:
            data = self.loader(path)
        except OSError as exc:
            return None, exc
        return (data if isinstance(data, bytes) else str(data).encode("utf-8")), None

    def kind(self, path):
        """'dir', 'file', 'missing' or 'unknown' of a path on the host."""
        try:
            self.loader(path)
        except IsADirectoryError:
            return "dir"
        except FileNotFoundError:
            return "missing"
        except Exception:  # pylint: disable=broad-except
            return "unknown"
        return "file"


def _crypto():
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return None
    return x509, serialization


def _not_after(cert):
    value = getattr(cert, "not_valid_after_utc", None)
    if value is None:
        value = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return value


def _not_before(cert):
    value = getattr(cert, "not_valid_before_utc", None)
    if value is None:
        value = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)
    return value


def _public_bytes(public_key, serialization):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class HostChecker(object):
    def __init__(self, result, loader, now=None):
        self.result = result
        self.ctx = Context(result)
        self.reader = _Reader(loader)
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.out = []

    def add(self, code, message, path, hint=None):
        self.out.append(self.ctx.finding(code, "%s: %s" % (message, self.ctx.where(path)), path, hint=hint))

    # -- TLS ----------------------------------------------------------------
    def tls(self):
        crypto = _crypto()
        for bpath, dummy in tls_blocks(self.ctx):
            pairs = []
            cert_p, cert = self.ctx.get(bpath, "cert_file")
            key_p, key = self.ctx.get(bpath, "key_file")
            if isinstance(cert, str) and isinstance(key, str) and cert and key:
                pairs.append((cert_p, cert, key_p, key, ""))
            lpath, certs = self.ctx.get(bpath, "certs", "certificates")
            if isinstance(certs, list):
                for i, pair in enumerate(certs):
                    if isinstance(pair, dict) and isinstance(pair.get("cert_file"), str) and isinstance(pair.get("key_file"), str):
                        pairs.append((lpath + (i, "cert_file"), pair["cert_file"], lpath + (i, "key_file"), pair["key_file"],
                                      " %d/%d" % (i + 1, len(certs))))
            # nats-server reports these at the tls key (GenTLSConfig's errors carry the block's token)
            for dummy_c, cfile, dummy_k, kfile, nth in pairs:
                self._pair(crypto, bpath, cfile, bpath, kfile, nth)
            ca_p, ca = self.ctx.get(bpath, "ca_file")
            if isinstance(ca, str) and ca:
                self._ca(crypto, bpath, ca)

    def _absolute(self, path):
        return isinstance(path, str) and posixpath.isabs(path)

    def _pair(self, crypto, cpath, cfile, kpath, kfile, nth):
        if not self._absolute(cfile) or not self._absolute(kfile):
            return
        prefix = "error parsing X509 certificate/key pair%s: " % nth
        cdata, err = self.reader.read(cfile)
        if err is not None:
            self.add(FILE_MISSING, "%sopen %s: %s" % (prefix, cfile, _os_reason(err)), cpath,
                     hint="install the certificate on the host or fix the path")
            return
        kdata, err = self.reader.read(kfile)
        if err is not None:
            self.add(FILE_MISSING, "%sopen %s: %s" % (prefix, kfile, _os_reason(err)), kpath,
                     hint="install the key on the host or fix the path (readable by the nats-server user)")
            return
        if not _PEM_CERT.search(cdata):
            self.add(TLS_FILE_INVALID, "%stls: failed to find any PEM data in certificate input" % prefix, cpath,
                     hint="cert_file must be a PEM certificate")
            return
        if not _PEM_KEY.search(kdata):
            self.add(TLS_FILE_INVALID, "%stls: failed to find any PEM data in key input" % prefix, kpath,
                     hint="key_file must be a PEM private key")
            return
        if crypto is None:
            return
        x509, serialization = crypto
        try:
            cert = x509.load_pem_x509_certificate(cdata)
        except ValueError:
            self.add(TLS_FILE_INVALID, "%sx509: malformed certificate" % prefix, cpath, hint="cert_file must be a PEM certificate")
            return
        try:
            key = serialization.load_pem_private_key(kdata, password=None)
        except (ValueError, TypeError):
            self.add(TLS_FILE_INVALID, "%stls: failed to parse private key" % prefix, kpath,
                     hint="key_file must be an unencrypted PEM private key")
            return
        try:
            same = _public_bytes(key.public_key(), serialization) == _public_bytes(cert.public_key(), serialization)
        except (ValueError, TypeError, AttributeError):
            same = True
        if not same:
            self.add(TLS_FILE_INVALID, "%stls: private key does not match public key" % prefix, kpath,
                     hint="key_file must be the key of cert_file %s" % cfile)
        self._dates(cert, cfile, cpath)

    def _dates(self, cert, cfile, cpath):
        after, before = _not_after(cert), _not_before(cert)
        if after <= self.now:
            self.add(CERT_EXPIRED, "certificate %s expired on %s" % (cfile, after.strftime("%Y-%m-%d %H:%M:%S UTC")), cpath,
                     hint="renew the certificate: peers refuse it")
        elif before > self.now:
            self.add(CERT_EXPIRED, "certificate %s is not valid before %s" % (cfile, before.strftime("%Y-%m-%d %H:%M:%S UTC")),
                     cpath, hint="check the host clock or the certificate")
        elif (after - self.now).days < EXPIRY_WARNING_DAYS:
            self.add(CERT_EXPIRING, "certificate %s expires on %s (in %d days)" % (
                cfile, after.strftime("%Y-%m-%d %H:%M:%S UTC"), (after - self.now).days), cpath,
                hint="renew it within %d days" % EXPIRY_WARNING_DAYS)

    def _ca(self, crypto, path, ca):
        if not self._absolute(ca):
            return
        data, err = self.reader.read(ca)
        if err is not None:
            self.add(FILE_MISSING, "open %s: %s" % (ca, _os_reason(err)), path, hint="install the CA file on the host or fix the path")
            return
        certs = []
        if crypto is not None and hasattr(crypto[0], "load_pem_x509_certificates"):
            try:
                certs = crypto[0].load_pem_x509_certificates(data)
            except ValueError:
                certs = []
        elif _PEM_CERT.search(data):
            certs = [None]
        if not certs:
            self.add(TLS_FILE_INVALID, "failed to parse root ca certificate", path, hint="ca_file must hold PEM certificates")
            return
        for cert in certs:
            if cert is not None and _not_after(cert) <= self.now:
                self.add(CERT_EXPIRED, "CA certificate in %s expired on %s" % (ca, _not_after(cert).strftime("%Y-%m-%d %H:%M:%S UTC")),
                         path, hint="replace the CA certificate")

    # -- operator JWTs ---------------------------------------------------------------
    def operators(self):
        path = self.ctx.key((), *OPERATOR_KEYS)
        if path is None:
            return
        value = self.result.get(path)
        names = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        for name in names:
            if not self._absolute(name):
                continue
            data, err = self.reader.read(name)
            if err is not None:
                self.add(FILE_MISSING, "error parsing operator JWT: open %s: %s" % (name, _os_reason(err)), path,
                         hint="install the operator JWT on the host or fix the path")
                continue
            text = data.decode("utf-8", "replace")
            found = re.search(r"eyJ[A-Za-z0-9_=-]*\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*", text)
            reason = decode_jwt(found.group(0), "operator")[1] if found else "no JWT found"
            if reason is not None:
                self.add(JWT_INVALID, "error parsing operator JWT: %s" % reason, path, hint="%s must hold the operator JWT" % name)

    # -- directories -----------------------------------------------------------------
    def directories(self):
        for path in self._store_dirs():
            value = self.result.get(path)
            if self._absolute(value) and self.reader.kind(value) == "file":
                self.add(DIR_INVALID, "Can't start JetStream: storage directory is not a directory", path,
                         hint="%s is a file on the host" % value)
        rpath = self.ctx.key((), *RESOLVER_KEYS)
        resolver = self.result.get(rpath) if rpath else None
        if isinstance(resolver, dict) and isinstance(resolver.get("dir"), str) and self._absolute(resolver["dir"]):
            if self.reader.kind(resolver["dir"]) == "file":
                self.add(DIR_INVALID, "dir needs to point to an accessible directory", rpath + ("dir",),
                         hint="%s is a file on the host" % resolver["dir"])
        for names, template in ((("pid_file", "pidfile"), "Could not write pidfile: open %s: no such file or directory"),
                                (("log_file", "logfile"), "error opening file: open %s: no such file or directory")):
            ppath, value = self.ctx.get((), *names)
            if not self._absolute(value):
                continue
            parent = posixpath.dirname(value)
            if parent and parent != "/" and self.reader.kind(parent) == "missing":
                self.add(DIR_INVALID, template % value, ppath, hint="create the directory %s on the host" % parent)

    def _store_dirs(self):
        out = []
        p = self.ctx.key((), "store_dir", "storedir")
        if p is not None:
            out.append(p)
        jpath, js = self.ctx.block((), "jetstream")
        if js is not None:
            p = self.ctx.key(jpath, "store_dir", "storedir", "store")
            if p is not None:
                out.append(p)
        return out

    def run(self):
        self.tls()
        self.operators()
        self.directories()
        return self.out


def host_findings(result, loader, disable=(), warnings_as_errors=False, now=None):
    """Findings of the host checks for a ParseResult, policy applied. ``loader(path) -> bytes`` reads the host."""
    findings = HostChecker(result, loader, now=now).run()
    return apply_policy(findings, disable, warnings_as_errors)


__all__ = ["HOST_CODES", "host_findings", "HostChecker"]
