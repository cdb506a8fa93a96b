# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Accounts, as opts.go parseAccounts and accounts.go process them at ``nats-server -t``.

Two passes, like the server:

1. each account's entries: ``nkey``, ``exports``/``imports`` items (parseExportStreamOrService,
   parseImportStreamOrService, parseServiceLatency), ``jetstream`` (parseJetStreamForAccount),
   ``limits`` (parseAccountLimits), ``msg_trace`` (parseAccountMsgTrace);
2. the import/export graph once every account exists: export authorisation (``account_token_position``),
   latency tracking, "not authorized" imports, prefixes with wildcards, duplicates, import transforms and
   cycles. The server runs this pass only when the first found nothing; we always run it.

Undefined and reserved account names stay with ``account-invalid`` (checks/options.py).
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import go_type, is_public_key, quote
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.mappings import go_atoi, go_v, is_int
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import grammar

C = "config"
CODE_EXPORT = "account-export-invalid"
CODE_IMPORT = "account-import-invalid"
CODE_ACCOUNT = "account-options-invalid"

RESPONSE_TYPES = ("single", "singleton", "stream", "chunk", "chunked")
THRESHOLD_KEYS = ("threshold", "response_threshold", "response_max_time", "response_time")
SYS_NOT_SETUP = "system account not setup"


def _conv(value, want):
    return "interface conversion: interface {} is %s, not %s" % (go_type(value), want)


def account_paths(ctx):
    """[(name, path)] of the map-valued accounts the server parses (not used variables, not $G)."""
    out = []
    for name, path in ctx.accounts().items():
        if path in ctx.result.used or name == "$G" or not isinstance(ctx.result.get(path), dict):
            continue
        out.append((name, path))
    return out


# ------------------------------------------------------------------------------ subjects --

def _tokens(subject):
    return subject.split(".")


def subset_match(tokens, test):
    """sublist.go isSubsetMatchTokenized(tokens, tokenize(test))."""
    test_toks = _tokens(test)
    for i, t2 in enumerate(test_toks):
        if i >= len(tokens):
            return False
        if not t2:
            return False
        if t2 == ">":
            return True
        t1 = tokens[i]
        if not t1 or t1 == ">":
            return False
        if t1 == "*":
            if t2 != "*":
                return False
            continue
        if t2[0] != "*" and t1 != t2:
            return False
    return len(tokens) == len(test_toks)


def _analyze(toks):
    return any(t == "*" for t in toks), any(t == ">" for t in toks)


def subjects_collide(s1, s2):
    """sublist.go SubjectsCollide."""
    if s1 == s2:
        return True
    t1, t2 = _tokens(s1), _tokens(s2)
    p1, f1 = _analyze(t1)
    p2, f2 = _analyze(t2)
    l1, l2 = not (p1 or f1), not (p2 or f2)
    if l1 and l2:
        return s1 == s2
    if l1 and not l2:
        return subset_match(t1, s2)
    if l2 and not l1:
        return subset_match(t2, s1)
    if not f1 and not f2 and len(t1) != len(t2):
        return False
    if len(t1) != len(t2) and ((len(t1) < len(t2) and not f1) or (len(t2) < len(t1) and not f2)):
        return False
    for a, b in zip(t1, t2):
        if not a or not b:
            return False
        if a[0] in "*>" or b[0] in "*>":
            continue
        if a != b:
            return False
    return True


def untokenize(subject):
    """subject_transform.go transformUntokenize: $n and {{wildcard(n)}} tokens -> '*'."""
    out = []
    for tok in subject.split("."):
        found = grammar.find_function(tok) if grammar.is_mustache(tok) or "{{" in tok else None
        wildcard = found is not None and found[0] == "wildcard" and len(found[1]) == 1 and found[1][0] != ""
        if (len(tok) > 1 and tok[0] == "$" and "1" <= tok[1] <= "9") or wildcard:
            out.append("*")
        else:
            out.append(tok)
    return ".".join(out)


def tokenize(subject):
    """transformTokenize: '*' tokens -> $1, $2 ..."""
    out, i = [], 1
    for tok in subject.split("."):
        if tok == "*":
            out.append("$%d" % i)
            i += 1
        else:
            out.append(tok)
    return ".".join(out)


# -------------------------------------------------------------------------- pass one --

class Entry(object):
    """One parsed export or import item."""

    def __init__(self, account, path, kind):
        self.account = account
        self.path = path
        self.kind = kind          # "stream" or "service"
        self.subject = None       # export subject / import remote subject
        self.accounts = None      # export: approved account names (None = public)
        self.token_pos = 0
        self.latency = None       # (results subject, sampling)
        self.response = "single"  # service response type
        self.remote = None        # import: exporting account
        self.prefix = ""
        self.to = ""


def _latency(lpath, value, out):
    """parseServiceLatency -> (subject, sampling) or None."""
    if isinstance(value, str):
        return value, 100
    if not isinstance(value, dict):
        return None  # the option schema's option-wrong-type
    sampling = 100
    if "sampling" in value:
        spath, sval = lpath + ("sampling",), value["sampling"]
        if is_int(sval):
            sampling = sval
        elif isinstance(sval, str):
            if sval.strip().lower() == "headers":
                sampling = 0
            else:
                text = sval[:-1] if sval.endswith("%") else sval
                number = go_atoi(text)
                if number is None:
                    out.append(("Failed to parse latency sample: strconv.Atoi: parsing %s: invalid syntax" % quote(text),
                                spath))
                    return None
                sampling = number
        else:
            out.append(("Expected latency sample to be a string or map/struct, got %s" % go_type(sval), spath))
            return None
        if sampling != 0 or not isinstance(sval, str):
            if sampling < 1 or sampling > 100:
                out.append(("bad sampling percentage, should be 1-100", spath))
                return None
    if "subject" not in value:
        out.append(("Latency subject required, but missing", lpath))
        return None
    subject = value["subject"]
    if not isinstance(subject, str):
        out.append(("Expected latency subject to be a string, got string", lpath + ("subject",)))
        return None
    return subject, sampling


def parse_export(ctx, account, path, item, out):
    """parseExportStreamOrService -> Entry or None; problems appended to out as (code, message, path)."""
    if not isinstance(item, dict):
        return None  # the option schema's block-wrong-type
    entry = None
    seen = {}
    problems = []
    accounts = None
    latency = None
    for key, value in item.items():
        kpath = path + (key,)
        low = key.lower()
        if low == "stream":
            if entry is not None and entry.kind == "service":
                problems.append(("Detected stream %s but already saw a service" % quote(go_v(value)), kpath))
                continue
            for directive, what in (("response", "response"), ("latency", "latency"), ("allow_trace", "allow_trace")):
                if directive in seen:
                    problems.append(("Detected %s directive on non-service" % what, seen[directive]))
            if not isinstance(value, str):
                continue  # the option schema's option-wrong-type
            entry = Entry(account, path, "stream")
            entry.subject = value
        elif low == "service":
            if entry is not None and entry.kind == "stream":
                problems.append(("Detected service %s but already saw a stream" % quote(go_v(value)), kpath))
                continue
            if not isinstance(value, str):
                continue
            entry = Entry(account, path, "service")
            entry.subject = value
        elif low in ("response", "response_type"):
            if "response" in seen:
                problems.append(("Duplicate response type definition", kpath))
                continue
            seen["response"] = kpath
            if not isinstance(value, str) or value.lower() not in RESPONSE_TYPES:
                continue  # the option schema's option-wrong-type / option-invalid-value
            seen["response_type"] = value.lower()
            if entry is not None and entry.kind == "stream":
                problems.append(("Detected response directive on non-service", kpath))
        elif low in THRESHOLD_KEYS:
            if "threshold" in seen:
                problems.append(("Duplicate response threshold detected", kpath))
                continue
            seen["threshold"] = kpath
            if not isinstance(value, str):
                continue
            if grammar.duration_error(value):
                problems.append(("Expected response threshold to be a parseable time duration, got %s" % quote(value),
                                 kpath))
                continue
            if entry is not None and entry.kind == "stream":
                problems.append(("Detected response directive on non-service", kpath))
        elif low == "accounts":
            if not isinstance(value, list):
                continue
            names = []
            for i, name in enumerate(value):
                if not isinstance(name, str):
                    problems.append((_conv(name, "string"), kpath + (i,)))
                    break
                names.append(name)
            accounts = names
        elif low == "latency":
            seen["latency"] = kpath
            latency = _latency(kpath, value, problems)
            if latency is not None and entry is not None and entry.kind == "stream":
                problems.append(("Detected latency directive on non-service", kpath))
        elif low == "account_token_position":
            if not is_int(value):
                continue
            seen["token_pos"] = value
        elif low == "allow_trace":
            seen["allow_trace"] = kpath
            if not isinstance(value, bool):
                problems.append((_conv(value, "bool"), kpath))
                continue
            if entry is not None and entry.kind == "stream":
                problems.append(("Detected allow_trace directive on non-service", kpath))
        # unknown keys: the option schema's unknown-field
    out.extend((CODE_EXPORT, m, p) for m, p in problems)
    if entry is not None:
        entry.accounts = accounts
        entry.token_pos = seen.get("token_pos", 0)
        if entry.kind == "service":
            entry.latency = latency
            entry.response = seen.get("response_type", "single")
    return entry


def _remote(ctx, path, value, out):
    """parseAccount: the {account, subject} map of an import -> (account, subject)."""
    name, subject = "", ""
    for key, val in value.items():
        kpath = path + (key,)
        low = key.lower()
        # other value types and unknown keys: the option schema's findings
        if low == "account" and isinstance(val, str):
            name = val
        elif low == "subject" and isinstance(val, str):
            subject = val
    return name, subject


def parse_import(ctx, account, path, item, out):
    """parseImportStreamOrService -> Entry or None."""
    if not isinstance(item, dict):
        return None  # the option schema's block-wrong-type
    entry = None
    problems = []
    pre, to, trace_path = "", "", None
    for key, value in item.items():
        kpath = path + (key,)
        low = key.lower()
        if low in ("stream", "service"):
            other = "service" if low == "stream" else "stream"
            if entry is not None and entry.kind == other:
                problems.append(("Detected %s but already saw a %s" % (low, other), kpath))
                continue
            if low == "service" and trace_path is not None:
                problems.append(("Detected allow_trace directive on a non-stream", trace_path))
                continue
            if not isinstance(value, dict):
                problems.append(("%s entry should be an account map, got %s" % (low.capitalize(), go_type(value)), kpath))
                continue
            name, subject = _remote(ctx, kpath, value, problems)
            if not name or not subject:
                problems.append(("Expect an account name and a subject", kpath))
                continue
            entry = Entry(account, path, low)
            entry.remote, entry.subject = name, subject
        elif low == "prefix":
            if not isinstance(value, str):
                continue  # the option schema's interface conversion
            pre = value
        elif low == "to":
            if not isinstance(value, str):
                continue
            to = value
            # the server complains only when it meets `to` after the stream and `prefix` (Go's random map
            # order) and otherwise silently prefers one of them: always report it
            if pre or any(k.lower() == "prefix" for k in item):
                problems.append(("Stream import can not have a 'prefix' and a 'to' property", kpath))
        elif low == "allow_trace":
            if entry is not None and entry.kind == "service":
                problems.append(("Detected allow_trace directive on a non-stream", kpath))
                continue
            if not isinstance(value, bool):
                problems.append((_conv(value, "bool"), kpath))
                continue
            trace_path = kpath
        # share's type and unknown keys: the option schema's findings
    if entry is None or entry.kind != "stream":
        problems = [(m, p) for m, p in problems if not m.startswith("Stream import can not have")]
    out.extend((CODE_IMPORT, m, p) for m, p in problems)
    if entry is not None:
        entry.prefix = pre
        entry.to = to if to else (entry.subject if entry.kind == "service" else "")
    return entry


def _msg_trace(kpath, key, value, out):
    # the value's shape, dest's type, sampling's type and integer range, unknown keys: the option schema's
    # findings (checks/schema.py MSG_TRACE); here: the subject and a sampling percentage string
    def dest(path, val):
        if not isinstance(val, str):
            return None
        if not grammar.valid_literal_subject(val):
            out.append(("Trace destination %s is not valid" % quote(val), path))
            return None
        return val

    if isinstance(value, str):
        dest(kpath, value)
        return
    if not isinstance(value, dict):
        return
    has_dest, sampling = False, 0
    for k, v in value.items():
        path = kpath + (k,)
        low = k.lower()
        if low == "dest":
            if dest(path, v) is None:
                return
            has_dest = True
        elif low == "sampling":
            if is_int(v):
                if v <= 0 or v > 100:
                    return
                number = v
            elif isinstance(v, str):
                number = go_atoi(v[:-1] if v.endswith("%") else v)
                if number is None:
                    out.append(("Invalid trace destination sampling value %s" % quote(v), path))
                    return
                if number <= 0 or number > 100:
                    out.append(("Ttrace destination sampling value %d is invalid, needs to be [1..100]" % number, path))
                    return
            else:
                return
            sampling = number
        else:
            return
    if sampling and not has_dest:
        # a warning, but `nats-server -t` exits 1 on it
        out.append(("Trace destination sampling ignored since no destination was set", kpath))


def _jetstream(kpath, value, out):
    """The string form of an account's jetstream (its other shapes and values: the option schema's)."""
    if isinstance(value, str) and value.lower() not in ("enabled", "enable", "disabled", "disable"):
        out.append(("Expected 'enabled' or 'disabled' for string value, got '%s'" % value, kpath))


def first_pass(ctx):
    """(problems [(code, message, path)], exports [Entry], imports [Entry])."""
    cached = getattr(ctx, "_accounts_pass", None)
    if cached is not None:
        return cached
    problems, exports, imports = [], [], []
    for name, apath in account_paths(ctx):
        for key, value in ctx.result.get(apath).items():
            kpath = apath + (key,)
            low = key.lower() if isinstance(key, str) else key
            if low == "nkey":
                if not isinstance(value, str) or not is_public_key(value, "A"):
                    problems.append((CODE_ACCOUNT, "Not a valid public nkey for an account: %s" % quote(go_v(value)), kpath))
            elif low == "exports":
                if not isinstance(value, list):
                    continue  # the option schema's block-wrong-type
                for i, item in enumerate(value):
                    entry = parse_export(ctx, name, kpath + (i,), item, problems)
                    if entry is not None:
                        exports.append(entry)
            elif low == "imports":
                if not isinstance(value, list):
                    continue
                seen = {}
                for i, item in enumerate(value):
                    entry = parse_import(ctx, name, kpath + (i,), item, problems)
                    if entry is None:
                        continue
                    if entry.kind == "service":
                        dup = [d for d in seen.get(entry.to, ()) if d.remote == entry.remote]
                        if dup:
                            problems.append((CODE_IMPORT, "Duplicate service import subject %s, previously used in import "
                                             "for account %s, subject %s" % (quote(entry.to), quote(dup[0].remote),
                                                                             quote(dup[0].subject)), entry.path))
                            continue
                        seen.setdefault(entry.to, []).append(entry)
                    imports.append(entry)
            elif low == "jetstream":
                out = []
                _jetstream(kpath, value, out)
                problems.extend((CODE_ACCOUNT, m, p) for m, p in out)
            # limits: all of it is the option schema's (ACCOUNT_LIMITS)
            elif low in ("msg_trace", "trace_dest"):
                out = []
                _msg_trace(kpath, key, value, out)
                problems.extend((CODE_ACCOUNT, m, p) for m, p in out)
    ctx._accounts_pass = (problems, exports, imports)  # pylint: disable=protected-access
    return ctx._accounts_pass  # pylint: disable=protected-access


# -------------------------------------------------------------------------- pass two --

class _Acc(object):
    def __init__(self, name):
        self.name = name
        self.streams = {}     # export subject -> auth dict or None (public)
        self.services = {}    # export subject -> auth dict or None
        self.stream_imports = []   # (exporting account name, from, to)
        self.service_imports = {}  # from -> [(exporting account name, from, to)]


def _auth(subject, accounts, pos):
    """setExportAuth -> (auth or None, error)."""
    if accounts is None and not pos:
        return None, None
    if pos > 0:
        toks = subject.split(".")
        if len(toks) < pos or toks[pos - 1] != "*":
            return None, "sublist: invalid subject"
    return {"pos": pos, "approved": accounts}, None


def _approved(exports, importer, subject):
    """checkStreamExportApproved / checkServiceExportApproved for one importing account name."""
    def check_auth(auth, tokens):
        if auth is None or (not auth["approved"] and not auth["pos"]):
            return True
        if auth["pos"] > 0:
            return tokens is not None and auth["pos"] <= len(tokens) and tokens[auth["pos"] - 1] == importer
        return importer in auth["approved"]
    if subject in exports:
        return check_auth(exports[subject], None)
    tokens = subject.split(".")
    for subj, auth in exports.items():
        if subset_match(tokens, subj):
            return check_auth(auth, tokens)
    return False


def _service_cycle(accs, dest, from_subject, visited, depth=0):
    if len(visited) >= 1024 or depth > 1024:
        return "search cycle depth exhausted"
    for sis in list(accs[dest].service_imports.values()):
        for (exporter, si_from, si_to) in sis:
            if subjects_collide(from_subject, si_to):
                if exporter in visited:
                    return "import forms a cycle"
                visited.add(dest)
                f = si_from if subset_match(_tokens(si_from), from_subject) else from_subject
                err = _service_cycle(accs, exporter, f, visited, depth + 1)
                if err:
                    return err
    return None


def _stream_cycle(accs, dest, to, visited, depth=0):
    if len(visited) >= 1024 or depth > 1024:
        return "search cycle depth exhausted"
    acc = accs[dest]
    if not any(subset_match(_tokens(to), subj) for subj in acc.streams):
        return None
    for (exporter, dummy, si_to) in acc.stream_imports:
        if subjects_collide(to, si_to):
            if exporter in visited:
                return "import forms a cycle"
            visited.add(dest)
            t = si_to if subset_match(_tokens(si_to), to) else to
            err = _stream_cycle(accs, exporter, t, visited, depth + 1)
            if err:
                return err
    return None


def _add_stream_import(accs, acc, entry):
    exporter = accs[entry.remote]
    subject = entry.subject
    if not grammar.valid_subject(subject) or not exporter.streams or not _approved(exporter.streams, acc.name, subject):
        return "stream import not authorized"
    to = entry.to
    if entry.prefix:
        if any(t in ("*", ">") for t in entry.prefix.split(".")):
            return "stream import prefix can not contain wildcard tokens"
        to = entry.prefix + ("" if entry.prefix.endswith(".") else ".") + subject
    if not to:
        to = subject
    for target in (to, subject):
        err = _stream_cycle(accs, entry.remote, target, {acc.name})
        if err:
            return err
    if grammar.subject_has_wildcard(subject) and to != subject:
        err = grammar.transform_error(subject, tokenize(to), strict=True)
        if err is not None:
            return "failed to create mapping transform for stream import subject from %s to %s: %s" % (
                quote(subject), quote(to), err)
        to = untokenize(to)
    if any(e == entry.remote and f == subject for (e, f, dummy) in acc.stream_imports):
        return "stream import already exists"
    acc.stream_imports.append((entry.remote, subject, to))
    return None


def _add_service_import(accs, acc, entry):
    exporter = accs[entry.remote]
    from_subject, to = entry.to, entry.subject   # AddServiceImport(ta, service.to, service.sub)
    if not to:
        to = from_subject
    if not grammar.valid_subject(from_subject) or not grammar.valid_subject(to):
        return "sublist: invalid subject"
    if not exporter.services or not _approved(exporter.services, acc.name, to):
        return "service import not authorized"
    from_t = untokenize(from_subject) if grammar.subject_has_wildcard(to) else from_subject
    err = _service_cycle(accs, entry.remote, from_t, {acc.name})
    if err:
        return err
    for (e, dummy_from, si_to) in acc.service_imports.get(from_subject, ()):
        if e == entry.remote:
            return "duplicate service import subject %s, previously used in import for account %s, subject %s" % (
                quote(from_subject), quote(e), quote(si_to))
    si_from = from_subject
    if grammar.subject_has_wildcard(to) and to != from_subject:
        to = untokenize(to)
        terr = grammar.transform_error(to, tokenize(from_subject), strict=True)
        if terr is not None:
            return "failed to create mapping transform for service import subject from %s to %s: %s" % (
                quote(from_subject), quote(to), terr)
        si_from = untokenize(from_subject)
    acc.service_imports.setdefault(si_from, []).append((entry.remote, si_from, to))
    return None


def second_pass(ctx, exports, imports):
    """[(code, message, path)] of the graph: export auth, latency, imports."""
    problems = []
    where = ctx.key((), "accounts")  # the server reports this pass at the accounts key
    accs = dict((name, _Acc(name)) for name, dummy in account_paths(ctx))
    no_system = ctx.no_system_account()
    for kind in ("stream", "service"):
        for entry in [e for e in exports if e.kind == kind]:
            if entry.accounts is not None and any(a not in ctx.accounts() for a in entry.accounts):
                continue  # "account not defined": account-invalid
            approved = list(entry.accounts) if entry.accounts else None
            table = accs[entry.account].streams if kind == "stream" else accs[entry.account].services
            auth, err = _auth(entry.subject, approved, entry.token_pos)
            if err:
                problems.append((CODE_EXPORT, "Error adding %s export %s: %s" % (kind, quote(entry.subject), err), where))
                continue
            table[entry.subject] = auth
            if kind == "service" and entry.latency is not None:
                subject, sampling = entry.latency
                if no_system:
                    problems.append((CODE_EXPORT, "Error adding service latency sampling for %s: %s" % (
                        quote(entry.subject), SYS_NOT_SETUP), where))
                    continue
                err = None
                if sampling != 0 and (sampling < 1 or sampling > 100):
                    err = "bad sampling percentage, should be 1-100"
                elif not grammar.valid_literal_subject(subject) or subject in table:
                    err = "invalid publish subject"
                elif entry.response not in ("single", "singleton"):
                    err = "bad service response type"
                if err:
                    problems.append((CODE_EXPORT, "Error adding service latency sampling for %s on subject %s: %s" % (
                        quote(entry.subject), quote(subject), err), where))
    for kind in ("stream", "service"):
        for entry in [e for e in imports if e.kind == kind]:
            if entry.remote not in accs:
                continue  # "account not defined": account-invalid
            acc = accs[entry.account]
            err = _add_stream_import(accs, acc, entry) if kind == "stream" else _add_service_import(accs, acc, entry)
            if err:
                problems.append((CODE_IMPORT, "Error adding %s import %s: %s" % (kind, quote(entry.subject), err), where))
    return problems


def _all(ctx):
    cached = getattr(ctx, "_accounts_all", None)
    if cached is None:
        problems, exports, imports = first_pass(ctx)
        cached = list(problems) + second_pass(ctx, exports, imports)
        ctx._accounts_all = cached  # pylint: disable=protected-access
    return cached


def _emit(ctx, code, hint):
    for c, message, path in _all(ctx):
        if c == code:
            yield ctx.finding(code, "%s: %s" % (message, ctx.where(path)), path, hint=hint)


@check(CODE_EXPORT, ERROR, C, "an account export nats-server refuses: shape, types, response/latency directives, "
       "account_token_position, latency tracking")
def exports_invalid(result, ctx):
    return _emit(ctx, CODE_EXPORT, "an export is {stream: subject} or {service: subject, ...}")


@check(CODE_IMPORT, ERROR, C, "an account import nats-server refuses: shape, not authorized by the export, "
       "wildcard prefix, duplicates, transforms, import cycles")
def imports_invalid(result, ctx):
    return _emit(ctx, CODE_IMPORT, "an import is {stream|service: {account: A, subject: s}} matching an export of A")


@check(CODE_ACCOUNT, ERROR, C, "an account's nkey, jetstream, limits or msg_trace that nats-server refuses")
def account_options_invalid(result, ctx):
    return _emit(ctx, CODE_ACCOUNT, "see the account options of nats-server")
