# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Single-config semantic checks: what `nats-server -t` accepts but a real start refuses.

``validate(result)`` runs every registered ``config`` check over a
``ParseResult`` and returns all findings at once (nats-server stops at the
first), together with the parser's quirk warnings, filtered by the policy.
``validate_text(text, ...)`` parses first; a parse error becomes one
``parse-error`` finding with the server's exact message.

The checks live in ``checks_options`` (option processing, what `-t`
reports) and ``checks_startup`` (what only a real start reports).
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import (
    ERROR, MAX_FINDINGS_PER_CODE, Finding, apply_policy, cap_findings,
)
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY, checks, register
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import Context, DEFAULTS
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import options as checks_options  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import startup as checks_startup  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import operator as checks_operator  # noqa: F401 pylint: disable=unused-import
# semantic option processing (issue 11 part 2): one module per area
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import mappings as checks_mappings  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import tls as checks_tls  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import accounts as checks_accounts  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import auth_timeouts as checks_auth_timeouts  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import resolver as checks_resolver  # noqa: F401 pylint: disable=unused-import
from ansible_collections.natsops.nats.plugins.plugin_utils.checks import host as checks_host  # noqa: F401 pylint: disable=unused-import

# Modules whose errors `nats-server -t` reports too (option processing), and the summary phrase of the
# server warnings that make `-t` exit 1.
DASH_T_MODULES = ("options", "tls", "accounts", "mappings", "resolver", "auth_timeouts")
DASH_T_SUMMARY = "nats-server -t exit"

PARSE_ERROR = "parse-error"
INTERNAL_ERROR = "check-internal-error"

if PARSE_ERROR not in REGISTRY:
    register(PARSE_ERROR, ERROR, "parser", "the config cannot be parsed (syntax, include, variable); nats-server -t fails too")
SERVER_REJECTED = "server-rejected"
if SERVER_REJECTED not in REGISTRY:
    register(SERVER_REJECTED, ERROR, "config",
             "nats_config with server_binary: nats-server -t on the managed host rejects the config (the server is the judge)")
if INTERNAL_ERROR not in REGISTRY:
    register(INTERNAL_ERROR, ERROR, "config", "a check crashed on this config (a bug in natsops.nats; please report it)")


def _load_parser_codes():
    """Import the parser so its quirk codes are registered (it may be missing during development)."""
    try:
        from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        return None
    return conf_parser


def check_disable(disable):
    """Validate a disable list against the registry; raise ValueError naming the valid codes."""
    _load_parser_codes()
    disable = list(disable or ())
    unknown = [c for c in disable if c not in REGISTRY]
    if unknown:
        raise ValueError("unknown check code(s) %s; valid codes: %s" % (
            ", ".join(sorted(str(c) for c in unknown)), ", ".join(sorted(REGISTRY))))
    return disable


def disable_problem(disable):
    """Why a plugin's ``disable`` list is refused, as the message its task fails with; None when it is fine.

    ``parse-error`` cannot be disabled. Codes of every scope are valid (a shared disable list may carry
    topology codes), so the topology codes are loaded before a code is called unknown.
    """
    disable = list(disable or ())
    if PARSE_ERROR in disable:
        return "disable: %s cannot be disabled (a config that does not parse cannot be checked)" % PARSE_ERROR
    _load_parser_codes()
    unknown = [c for c in disable if c not in REGISTRY]
    if unknown:
        try:
            from ansible_collections.natsops.nats.plugins.plugin_utils.topology import checks as topology_checks  # noqa: F401 pylint: disable=unused-import
        except ImportError:
            pass
        unknown = [c for c in disable if c not in REGISTRY]
    if not unknown:
        return None
    return "disable: unknown check code%s %s; valid codes: %s" % (
        "" if len(unknown) == 1 else "s", ", ".join(unknown), ", ".join(sorted(c for c in REGISTRY if c != PARSE_ERROR)))


def _sort_key(f):
    return (f.file or "", f.line if f.line is not None else 0, f.column if f.column is not None else 0, f.code, f.message)


# Checks whose failure nats-server reports from Start() through its logger: with `log_file` set, the
# reason is only in that file (stderr stays empty).
START_PHASE = frozenset((
    "jetstream-cluster-requires-routes", "jetstream-system-account", "jetstream-key-with-tpm",
    "jetstream-account-limits-exceed-server", "monitoring-invalid", "advertise-invalid", "duplicate-listen-port",
    "resolver-without-operator",
))


def _log_file_note(findings, ctx):
    dummy, log_file = ctx.get((), "log_file", "logfile")
    if not isinstance(log_file, str) or not log_file:
        return findings
    out = []
    for f in findings:
        if f.code in START_PHASE and f.severity == ERROR:
            note = "nats-server reports this only in the log file %s, not on stderr" % log_file
            f = Finding(f.code, f.severity, f.message, f.file, f.line, f.column, f.path,
                        "%s; %s" % (f.hint, note) if f.hint else note, f.host)
        out.append(f)
    return out


def run_checks(result, defaults=None):
    """All config findings (no policy applied)."""
    ctx = Context(result, defaults)
    out = []
    for entry in checks("config"):
        try:
            found = list(entry.func(result, ctx) or ())
        except Exception as exc:  # pylint: disable=broad-except
            found = [Finding(INTERNAL_ERROR, ERROR, "check %s failed: %s: %s" % (entry.code, type(exc).__name__, exc),
                             hint="disable %s to continue, and report this" % entry.code)]
        out.extend(found)
    return _log_file_note(out, ctx)


def _scrub(findings, result):
    """Mask the config's secrets (the parser's marks: passwords, tokens, URL credentials, env values) in
    every text of the findings (message, hint, file, path) -- the one redaction of plugin_utils/redact.py."""
    from ansible_collections.natsops.nats.plugins.plugin_utils.redact import scrub_finding
    secrets = getattr(result, "secrets", None) or set()
    return [scrub_finding(f, secrets) for f in findings]


class _Marks(object):
    """The secrets of a config that did not parse (what _scrub reads from a ParseResult)."""

    def __init__(self, secrets):
        self.secrets = secrets


def validate(result, disable=(), warnings_as_errors=False, defaults=None):
    """Findings of every config check plus the parser's warnings, policy applied, sorted by file/line/column,
    at most MAX_FINDINGS_PER_CODE per code."""
    disable = check_disable(disable)
    findings = list(result.warnings or ()) + run_checks(result, defaults)
    findings = apply_policy(findings, disable, warnings_as_errors)
    findings.sort(key=_sort_key)
    findings = cap_findings(findings)
    findings = _scrub(findings, result)
    return findings


def parse_error_finding(exc):
    return Finding(PARSE_ERROR, ERROR, exc.message, exc.file, exc.line, exc.column, hint=exc.hint)


def validate_text(text, filename=None, base_dir=None, env=None, loader=None, disable=(), warnings_as_errors=False,
                  defaults=None, limits=None, files=None, server_version=None):
    """Parse then validate -> (ParseResult or None, [Finding]).

    limits: the parser's ``Limits`` (size caps, expansion budget); files: a list that receives every
    file read, also when parsing fails; server_version: the nats-server version to check for
    (plugin_utils/versions.py, default 2.15.1; an unsupported one raises versions.VersionError)."""
    disable = check_disable(disable)
    parser = _load_parser_codes()
    if parser is None:
        raise RuntimeError("the natsops.nats parser (conf_parser) is not available")
    try:
        result = parser.parse_string(text, filename=filename, base_dir=base_dir, env=env, loader=loader, limits=limits, files=files,
                                     server_version=server_version)
    except NatsConfError as exc:
        marks = set(getattr(exc, "marks", ()))
        marks.update(v for v in (env or {}).values() if isinstance(v, str) and v)
        return None, _scrub(apply_policy([parse_error_finding(exc)], disable, warnings_as_errors), _Marks(marks))
    return result, validate(result, disable, warnings_as_errors, defaults)


def host_findings(result, loader, disable=(), warnings_as_errors=False, now=None):
    """Host checks (checks/host.py) over ``loader``, sorted, secrets masked like validate()'s findings."""
    disable = check_disable(disable)
    findings = checks_host.host_findings(result, loader, disable, warnings_as_errors, now=now)
    findings = _scrub(findings, result)
    findings.sort(key=_sort_key)
    return findings


def fails_dash_t(finding):
    """Whether `nats-server -t` (which only parses and processes options) fails on this finding too."""
    if finding.code == PARSE_ERROR:
        return True
    entry = REGISTRY.get(finding.code)
    if entry is None:
        return False
    if DASH_T_SUMMARY in (entry.summary or "") or "nats-server -t fails" in (entry.summary or ""):
        return True
    module = (getattr(entry.func, "__module__", "") or "").rsplit(".", 1)[-1]
    return finding.severity == ERROR and module in DASH_T_MODULES


__all__ = ["DEFAULTS", "fails_dash_t", "host_findings", "PARSE_ERROR", "SERVER_REJECTED", "MAX_FINDINGS_PER_CODE", "cap_findings", "validate", "validate_text",
           "check_disable", "disable_problem", "run_checks"]
