# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure the census of nats-server 2.15.1 error templates (not part of `make test`).

    python tools/census.py [--verify] [--server] [--uncovered [PHASE]] [--json OUT]

Reads ``tests/unit/plugins/plugin_utils/data/census/`` (templates.txt: the 415 templates, census.json: the
cases) and prints, per phase (``parse`` = what ``nats-server -t`` reports, ``startup`` = only a real start,
``host-dependent``), how many templates have

- a case: at least one census case names the template;
- predicted: at least one case whose finding of ours must say the server's text (``predicted`` is not false);
- explained: no predicted case, but a reason why the text cannot predict it (``not_predicted`` or ``why``);
- none: neither.

``--verify`` runs our parser and checks on every predicted case (no server needed) and counts a template as
predicted only when a finding with the case's code and severity ``error`` says the expected text;
``--server`` also runs the real nats-server on every case (``-t`` or a bounded real start, as the case says) and
counts a case only when the server printed the expected text. README's census figures are this tool's
output (with ``--verify --server`` on a machine with nats-server 2.15.1 on PATH or next to the Python).

Run it from the collection root with the project's venv: ``.venv/bin/python tools/census.py --verify``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHASES = ("parse", "startup", "host-dependent")


def _import_census():
    """The census test module of this checkout (through a temporary ansible_collections/natsops/nats link)."""
    base = tempfile.mkdtemp(prefix="census-coll-")
    os.makedirs(os.path.join(base, "ansible_collections", "natsops"))
    os.symlink(ROOT, os.path.join(base, "ansible_collections", "natsops", "nats"))
    sys.path.insert(0, base)
    from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils import test_census
    return test_census, base


def _ours(census, case):
    """True when our findings say the case's text under its code, as an error."""
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
    case_dir = tempfile.mkdtemp(prefix="census-measure-")
    try:
        conf, env, sub = census.materialize(case, case_dir)
        expect = sub(case["expect"])
        dummy, findings = validate_text(conf, filename=os.path.join(case_dir, "f.conf"), base_dir=case_dir, env=env)
        return any(expect in f.message and f.code == case["code"] and f.severity == "error" for f in findings)
    finally:
        shutil.rmtree(case_dir, ignore_errors=True)


def _server(census, case):
    """True when the real binary prints the case's text."""
    case_dir = tempfile.mkdtemp(prefix="census-measure-")
    try:
        conf, env, sub = census.materialize(case, case_dir)
        return sub(case["expect"]) in census.run_server(case, case_dir, env)
    finally:
        shutil.rmtree(case_dir, ignore_errors=True)


def measure(census, verify=False, server=False, log=None):
    """{"phases": {phase: {...counts...}}, "templates": {template: status}, "failed": [case ids]}."""
    data = census.load_census()
    templates = census.load_templates()
    failed = []
    status = {}
    by_template = {}
    for case in data["cases"]:
        by_template.setdefault(case["template"], []).append(case)
    for phase, template in templates:
        cases = by_template.get(template, [])
        predicted = False
        for case in cases:
            if case.get("predicted", True) is False:
                continue
            ok = True
            if server and not _server(census, case):
                ok = False
            if ok and verify and not _ours(census, case):
                ok = False
            if not ok:
                failed.append(case["id"])
                if log:
                    log("FAILED %s" % case["id"])
                continue
            predicted = True
        if predicted:
            state = "predicted"
        elif template in data["not_predicted"] or any(c.get("why") for c in cases):
            state = "explained"
        else:
            state = "none"
        status[template] = (phase, bool(cases), state)
    phases = {}
    for phase in PHASES + ("all",):
        rows = [v for v in status.values() if phase in ("all", v[0])]
        phases[phase] = {
            "templates": len(rows),
            "case": sum(1 for v in rows if v[1]),
            "predicted": sum(1 for v in rows if v[2] == "predicted"),
            "explained": sum(1 for v in rows if v[2] == "explained"),
            "none": sum(1 for v in rows if v[2] == "none"),
        }
    return {"cases": len(data["cases"]), "phases": phases,
            "templates": dict((t, {"phase": v[0], "case": v[1], "state": v[2]}) for t, v in status.items()),
            "failed": failed}


def report(result):
    lines = ["census: %d cases" % result["cases"],
             "%-15s %9s %6s %10s %10s %6s" % ("phase", "templates", "case", "predicted", "explained", "none")]
    for phase, row in result["phases"].items():
        counts = (phase, row["templates"], row["case"], row["predicted"], row["explained"], row["none"])
        lines.append("%-15s %9d %6d %10d %10d %6d" % counts)
    if result["failed"]:
        lines.append("failed cases (not counted): %s" % ", ".join(result["failed"]))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--verify", action="store_true", help="run our checks on every predicted case")
    parser.add_argument("--server", action="store_true", help="run the real nats-server on every case")
    parser.add_argument("--uncovered", nargs="?", const="all", metavar="PHASE",
                        help="also list the templates without a case (of one phase, or all)")
    parser.add_argument("--json", metavar="OUT", help="write the result as JSON")
    args = parser.parse_args(argv)
    census, base = _import_census()
    try:
        result = measure(census, verify=args.verify, server=args.server, log=lambda s: print(s, file=sys.stderr))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(report(result))
    if args.uncovered:
        for template, row in result["templates"].items():
            if not row["case"] and args.uncovered in ("all", row["phase"]):
                print("%s\t%s" % (row["phase"], template))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
