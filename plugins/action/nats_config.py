# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of natsops.nats.nats_config (documented in plugins/modules/nats_config.py).

Everything runs on the controller: the config and its includes are read from
the managed host over the connection (plugin_utils/remote/loader.py), parsed
and checked by the collection's core (plugin_utils/checks/engine.py), and the
result is returned with secrets redacted (plugin_utils/redact.py).
"""

from __future__ import annotations

import posixpath
import re
import traceback

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, Finding, split
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import (
    MAX_RESULT_DEPTH, REDACTED, redact, result_depth, scrub, scrub_finding, unknown_top_level_keys,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.remote.loader import RemoteError, RemoteLoader, run_server_check
from ansible_collections.natsops.nats.plugins.plugin_utils.versions import VersionError, feature, parse_version

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser
    HAS_PYPARSING = getattr(conf_parser, "HAS_PYPARSING", True)
    PYPARSING_IMPORT_ERROR = getattr(conf_parser, "PYPARSING_IMPORT_ERROR", None)
    CORE_IMPORT_ERROR = None
except ImportError:  # the core itself is broken or incomplete: report it, don't crash
    HAS_PYPARSING = True
    PYPARSING_IMPORT_ERROR = None
    CORE_IMPORT_ERROR = traceback.format_exc()

ARGUMENT_SPEC = dict(
    path=dict(type="str"),
    content=dict(type="str", no_log=True),
    base_dir=dict(type="str"),
    env=dict(type="dict", default={}, no_log=True),
    disable=dict(type="list", elements="str", default=[]),
    warnings_as_errors=dict(type="bool", default=False),
    server_binary=dict(type="str"),
    host_checks=dict(type="bool", default=False),
    max_file_size=dict(type="int", default=16 * 1024 * 1024),
    max_total_size=dict(type="int", default=64 * 1024 * 1024),
    server_version=dict(type="str", default="2.15.1"),
)

PARSE_ERROR = "parse-error"
_VALID_LINE = re.compile(r"configuration file (.*?) is valid(?: \((sha256:[0-9a-f]{64})\))?$", re.M)   # 2.10: no digest


def _lookup(config, *path):
    """Value at path with case-insensitive keys (like nats-server), or None."""
    node = config
    for seg in path:
        if not isinstance(node, dict):
            return None
        if seg in node:
            node = node[seg]
            continue
        for k, v in node.items():
            if isinstance(k, str) and k.lower() == seg:
                node = v
                break
        else:
            return None
    return node


def _plain(value):
    """Plain Python types only (GoTime and other str subclasses become str)."""
    if isinstance(value, dict):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return to_text(value)


def _clean_finding(f, secrets):
    return scrub_finding(f.to_dict(), secrets)


def _absolute_only(loader):
    """A loader that treats relative paths as missing (content without base_dir)."""
    def load(path, max_bytes=None):
        if not posixpath.isabs(str(path)):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return loader(path, max_bytes=max_bytes)
    return load


def _bounded(load):
    load.bounded = True
    return load


def _format(d):
    return Finding.from_dict(d).format()


def fails_dash_t(finding):
    """Whether `nats-server -t` fails on this finding too (the core's answer, checks/engine.py).

    Parse errors and option-processing errors do; so do the few warnings that make
    `-t` exit 1 (their summaries say so). Startup checks (cluster/gateway name
    conflict, ...) do not: that is why this collection exists.
    """
    return checks_engine.fails_dash_t(finding)


def server_verdict(rc, stdout, stderr):
    """(valid, digest, message) from the output of `nats-server -t`."""
    # over SSH with a tty (become) the lines end in "\r\n"
    text = "\n".join(t for t in (stderr or "", stdout or "") if t.strip()).replace("\r\n", "\n").replace("\r", "\n")
    m = _VALID_LINE.search(text)
    lines = []
    for line in text.strip().splitlines():
        if line.startswith("nats-server: "):
            line = line[len("nats-server: "):]
        lines.append(line)
    valid = rc == 0 and m is not None
    return valid, (m.group(2) if m else None), "\n".join(lines)


def disagreement(server_valid, expected_valid, server_digest, digest, message, findings):
    """One sentence saying how nats-server's `-t` verdict and ours differ (a bug of natsops.nats either way)."""
    if not server_valid and expected_valid:
        return ("natsops.nats disagrees with nats-server: the server rejects the config (%s) but natsops.nats found no "
                "error that `nats-server -t` reports; please report this to natsops.nats" % message)
    if server_valid and not expected_valid:
        codes = sorted(set(f.code for f in findings if fails_dash_t(f)))
        return ("natsops.nats disagrees with nats-server: natsops.nats predicts that `nats-server -t` fails (%s) but the "
                "server accepts the config; please report this to natsops.nats" % ", ".join(codes or ["parse-error"]))
    return ("natsops.nats disagrees with nats-server: digest %s (nats-server) vs %s (natsops.nats); please report this to "
            "natsops.nats" % (server_digest, digest))


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = True
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result["changed"] = False

        dummy, args = self.validate_argument_spec(
            argument_spec=ARGUMENT_SPEC,
            mutually_exclusive=[("path", "content")],
            required_one_of=[("path", "content")],
        )

        if CORE_IMPORT_ERROR is not None:
            raise AnsibleActionFail("natsops.nats: cannot load the config parser: %s" % CORE_IMPORT_ERROR.strip().splitlines()[-1])
        if not HAS_PYPARSING:
            msg = missing_required_lib("pyparsing", reason="to parse NATS configs on the Ansible controller")
            result.update(failed=True, msg=msg, exception=PYPARSING_IMPORT_ERROR)
            return result

        disable = list(args["disable"] or [])
        self._check_codes(disable)
        try:
            server_version = parse_version(args["server_version"])
        except VersionError as exc:
            raise AnsibleActionFail(to_text(exc))
        env = dict((str(k), "" if v is None else to_text(v)) for k, v in (args["env"] or {}).items())
        path = args["path"]
        content = args["content"]
        base_dir = args["base_dir"]
        if path is not None:
            path = self._remote_path(path, "path")
        if base_dir is not None:
            base_dir = self._remote_path(base_dir, "base_dir")

        try:
            limits = conf_parser.Limits(max_file_size=args["max_file_size"], max_total_size=args["max_total_size"])
        except ValueError as exc:
            raise AnsibleActionFail(to_text(exc))
        loader = RemoteLoader(self, task_vars)
        files_read = []
        try:
            parsed, findings = self._validate(loader, path, content, base_dir, env, disable, args["warnings_as_errors"],
                                              limits, files_read, server_version)
            if args["host_checks"] and parsed is not None:
                findings = findings + self._host_checks(parsed, loader, disable, args["warnings_as_errors"])
            if args["server_binary"] and content is not None and base_dir is not None:
                # the server reads `content` from a temporary file: give it the include tree it would see
                tree = self._include_tree(loader, files_read)
            else:
                tree = None
        finally:
            loader.cleanup()

        # the one redaction: the parser's marks, plus every env value (secret whether the config used it or not)
        secrets = set(parsed.secrets) if parsed is not None else set()
        marks = set(v for v in env.values() if v)
        secrets.update(marks)
        errors, warnings = split(findings)
        error_dicts = [_clean_finding(f, secrets) for f in errors]
        all_dicts = [_clean_finding(f, secrets) for f in findings]
        warning_texts = [_format(_clean_finding(f, secrets)) for f in warnings]

        digest = None
        config = None
        if parsed is not None:
            try:
                digest = parsed.digest
            except NatsConfError as exc:
                err = Finding(PARSE_ERROR, ERROR, exc.message, exc.file, exc.line, exc.column, hint=exc.hint)
                error_dicts.append(_clean_finding(err, secrets))
                all_dicts.append(error_dicts[-1])
            if result_depth(parsed.config) > MAX_RESULT_DEPTH:
                warning_texts.append("the parsed config is nested more than %d levels deep; it is not returned as 'config'"
                                     % MAX_RESULT_DEPTH)
            else:
                config = _plain(redact(parsed.config, secrets, hidden=unknown_top_level_keys(findings), marks=marks | parsed.marks))

        result.update(
            valid=not error_dicts,
            digest=digest,
            config=config,
            cluster_name=_lookup(config, "cluster", "name"),
            gateway_name=_lookup(config, "gateway", "name"),
            server_name=_lookup(config, "server_name"),
            errors=error_dicts,
            findings=all_dicts,
            files=[dict(path=scrub(to_text(f.get("path")), secrets), sha256=to_text(f.get("sha256"))) for f in files_read],
        )
        if warning_texts:
            result["warnings"] = warning_texts

        where = path or "<string>"
        if args["server_binary"]:
            check = self._server_check(args["server_binary"], path, content, env, parsed, digest, findings, secrets,
                                       base_dir, tree)
            result["server_check"] = check
            if check.get("disagreement"):
                result.setdefault("warnings", []).append(check["disagreement"])
            if not check["valid"]:
                # the server is the judge: its rejection fails the task, with its own message first
                rejected = dict(code=checks_engine.SERVER_REJECTED, severity=ERROR, message="nats-server rejected %s: %s" % (
                    where, check["message"]), file=path, line=None, column=None, path=None,
                    hint="the server's own verdict (server_binary); fix what it names")
                # first when it is the only error (we missed it), after ours when we agree
                where_in = 0 if not error_dicts else len(error_dicts)
                error_dicts.insert(where_in, rejected)
                all_dicts.insert(0 if where_in == 0 else len(all_dicts), rejected)
                result.update(valid=False, errors=error_dicts, findings=all_dicts)

        if error_dicts:
            n = len(error_dicts)
            result["failed"] = True
            result["msg"] = "%d error%s in %s:\n%s" % (n, "" if n == 1 else "s", where, "\n".join(_format(d) for d in error_dicts))
        else:
            result["msg"] = "%s is valid (%s)%s" % (
                where, digest or "nats-server %s prints no digest" % (server_version,),
                "" if not warnings else ", %d warning%s" % (len(warnings), "" if len(warnings) == 1 else "s"))
        return result

    # -- helpers ----------------------------------------------------------
    @staticmethod
    def _check_codes(disable):
        problem = checks_engine.disable_problem(disable)
        if problem:
            raise AnsibleActionFail(problem)

    def _remote_path(self, value, name):
        if value.startswith("~"):
            value = self._remote_expand_user(value)
        if not posixpath.isabs(value):
            raise AnsibleActionFail("%s must be an absolute path on the managed host, not %r" % (name, value))
        return posixpath.normpath(value)

    @staticmethod
    def _include_tree(loader, files_read):
        """{absolute path: bytes} of every include read (the loader cached them)."""
        tree = {}
        for f in files_read[1:]:
            p = to_text(f.get("path"))
            try:
                tree[p] = loader(p)
            except (OSError, RemoteError):
                continue
        return tree

    def _validate(self, loader, path, content, base_dir, env, disable, warnings_as_errors, limits, files, server_version=None):
        """(ParseResult or None, [Finding]) for nats-server ``server_version``."""
        try:
            if path is not None:
                try:
                    text = conf_parser.load_bounded(loader, path, limits.max_file_size)
                except OSError as exc:
                    raise AnsibleActionFail("cannot read %s on the managed host: %s" % (path, exc.strerror or exc))
                return checks_engine.validate_text(text, filename=path, env=env, loader=loader,
                                                   disable=disable, warnings_as_errors=warnings_as_errors,
                                                   limits=limits, files=files, server_version=server_version)
            if base_dir is None:
                # nothing to resolve relative includes of `content` against: refuse to guess
                parsed, findings = checks_engine.validate_text(content, filename=None, env=env, loader=_bounded(_absolute_only(loader)),
                                                               disable=disable, warnings_as_errors=warnings_as_errors,
                                                               limits=limits, files=files, server_version=server_version)
                for f in findings:
                    if f.code == PARSE_ERROR and "error parsing include file" in f.message and not f.hint:
                        f.hint = "set base_dir to the directory on the managed host that includes of content are resolved from"
                return parsed, findings
            return checks_engine.validate_text(content, filename=None, base_dir=base_dir, env=env, loader=loader,
                                               disable=disable, warnings_as_errors=warnings_as_errors,
                                               limits=limits, files=files, server_version=server_version)
        except RemoteError as exc:
            raise AnsibleActionFail(to_text(exc))
        except ValueError as exc:
            if "unknown check code" not in to_text(exc):
                raise
            raise AnsibleActionFail("disable: %s" % to_text(exc))  # the core refusing a disable list
        except NatsConfError as exc:  # validate_text should turn these into findings; be safe anyway
            return None, [Finding(PARSE_ERROR, ERROR, exc.message, exc.file, exc.line, exc.column, hint=exc.hint)]

    @staticmethod
    def _host_checks(parsed, loader, disable, warnings_as_errors):
        """Findings about the files and directories the config names, read on the managed host."""
        try:
            return checks_engine.host_findings(parsed, loader, disable=disable, warnings_as_errors=warnings_as_errors)
        except RemoteError as exc:
            raise AnsibleActionFail(to_text(exc))

    def _server_check(self, binary, path, content, env, parsed, digest, findings, secrets, base_dir=None, tree=None):
        if not binary.startswith("/"):
            raise AnsibleActionFail("server_binary must be an absolute path on the managed host, not %r" % binary)
        rc, out, err = run_server_check(self, binary, conf_path=path, content=content, env=env,
                                        base_dir=base_dir if content is not None else None, tree=tree)
        valid, server_digest, message = server_verdict(rc, out, err)
        if parsed is not None:
            # judge `-t` on every finding, whatever the task's disable/warnings_as_errors policy
            findings = checks_engine.validate(parsed)
        no_digest = parsed is not None and not feature("digest", parsed.server_version)    # 2.10 prints none
        expected = parsed is not None and (digest is not None or no_digest) and not any(fails_dash_t(f) for f in findings)
        agrees = (valid == expected) and (not valid or server_digest == digest)
        message = scrub(message, secrets)
        out = dict(rc=rc, valid=valid, digest=server_digest, agrees=agrees, message=message)
        if not agrees:
            out["disagreement"] = disagreement(valid, expected, server_digest, digest, message, findings)
        return out


__all__ = ["ActionModule", "ARGUMENT_SPEC", "server_verdict", "REDACTED"]
