# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Subject mappings (``mappings``/``maps``, top level and per account), as opts.go parseAccountMappings,
parseAccountMapDest and accounts.go AddWeightedMappings process them at ``nats-server -t``.

The destinations' grammar (``$1``, ``{{wildcard(1)}}``, ``{{partition(3,1)}}`` ...) is in
``conf/grammar.py``; this module walks the config and words the findings.
"""

from __future__ import annotations

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import check
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import go_type, quote
from ansible_collections.natsops.nats.plugins.plugin_utils.conf import grammar

C = "config"
CODE = "mapping-invalid"


def go_v(value):
    """Go's %v of a config value (scalars exactly, containers roughly)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, list):
        return "[%s]" % " ".join(go_v(v) for v in value)
    if isinstance(value, dict):
        return "map[%s]" % " ".join("%s:%s" % (k, go_v(v)) for k, v in sorted(value.items()))
    return str(value)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def go_atoi(text):
    """strconv.Atoi -> int or None."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    return int(text)


def mapping_blocks(ctx):
    """[(path of the mappings key)] at top level and in every account map."""
    out = []
    p = ctx.key((), "mappings", "maps")
    if p is not None:
        out.append(p)
    for dummy, apath in ctx.accounts().items():
        if apath in ctx.result.used or not isinstance(ctx.result.get(apath), dict):
            continue
        p = ctx.key(apath, "mappings", "maps")
        if p is not None:
            out.append(p)
    return out


def _dest(ctx, path, value, problems):
    """parseAccountMapDest -> (subject, weight, cluster) or None after adding the problem."""
    if not isinstance(value, dict):
        problems.append(("Expected an entry for the mapping destination", path))
        return None
    subject, weight, cluster, seen = "", 0, "", False
    for key, val in value.items():
        kpath = path + (key,)
        low = key.lower()
        if low in ("dest", "destination"):
            if not isinstance(val, str):
                problems.append(("interface conversion: interface {} is %s, not string" % go_type(val), kpath))
                return None
            subject = val
        elif low == "weight":
            if isinstance(val, str):
                text = val[:-1] if val.endswith("%") else val
                number = go_atoi(text)
                if number is None:
                    problems.append(("Invalid weight %s for mapping destination" % quote(text), kpath))
                    return None
                if number > 100 or number < 0:
                    problems.append(("Invalid weight %d for mapping destination" % number, kpath))
                    return None
                weight = number
            elif is_int(val):
                if val > 100 or val < 0:
                    problems.append(("Invalid weight %d for mapping destination" % val, kpath))
                    return None
                weight = val
            else:
                problems.append(("Unknown entry type for weight of %s" % go_v(val), kpath))  # the server adds a newline
                return None
            seen = True
        elif low == "cluster":
            if not isinstance(val, str):
                problems.append(("interface conversion: interface {} is %s, not string" % go_type(val), kpath))
                return None
            cluster = val
        else:
            problems.append(("Unknown field %s for mapping destination" % quote(key), kpath))
            return None
    if not seen:
        problems.append(("Missing weight for mapping destination %s" % quote(subject), path))
        return None
    return subject, weight, cluster


def weighted_error(src, dests):
    """AddWeightedMappings(src, dests): the server's error text or None."""
    seen = set()
    totals = {}
    for subject, weight, cluster in dests:
        if subject in seen:
            return "duplicate entry for %s" % quote(subject)
        seen.add(subject)
        totals[cluster] = totals.get(cluster, 0) + weight
        if totals[cluster] > 100:
            return "total weight needs to be <= 100"
        err = grammar.mapping_error(src, subject)
        if err:
            return err
    return None


def mapping_problems(ctx, mpath):
    """[(message, path)] for one mappings block."""
    block = ctx.result.get(mpath)
    if not isinstance(block, dict):
        return []  # the option schema's interface conversion (option-wrong-type)
    problems = []
    for src, value in block.items():
        spath = mpath + (src,)
        if not grammar.valid_subject(src):
            problems.append(("Subject %s is not a valid subject" % quote(src), mpath))  # the server points at the block
            continue
        if isinstance(value, str):
            err = weighted_error(src, [(value, 100, "")])
            if err:
                problems.append(("Error adding mapping for %s to %s : %s" % (quote(src), quote(value), err), spath))
            continue
        if isinstance(value, list):
            dests = []
            for i, item in enumerate(value):
                dest = _dest(ctx, spath + (i,), item, problems)
                if dest is not None:
                    dests.append(dest)
        else:
            dest = _dest(ctx, spath, value, problems)
            if dest is None:
                continue
            dests = [dest]
        err = weighted_error(src, dests)
        if err:
            problems.append(("Error adding mapping for %s : %s" % (quote(src), err), spath))
    return problems


@check(CODE, ERROR, C, "a subject mapping nats-server refuses: bad source subject, destination, weight or transform function")
def mappings_invalid(result, ctx):
    for mpath in mapping_blocks(ctx):
        for message, path in mapping_problems(ctx, mpath):
            yield ctx.finding(CODE, "%s: %s" % (message, ctx.where(path)), path,
                              hint="see the subject mapping functions: {{wildcard(n)}}, {{partition(n,i...)}}, ...")
