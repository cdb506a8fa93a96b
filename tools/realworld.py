# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare natsops.nats with the real nats-server on a directory of real-world configs (not part of `make test`).

    python tools/realworld.py DIR [--start] [--binary PATH] [--show N] [--json OUT]

DIR holds ``manifest.json`` (a list of cases: ``id``, ``file``, ``cwd``, provenance) and the case files; the
data is others' and is never committed here. For every case this runs ``nats-server -t`` (cwd = the case's
``cwd``) and our parser + checks, and counts:

- digests: both valid, same ``sha256:`` digest or not;
- ``-t`` verdicts (rejections for a missing file, ``t_reject_host``, are counted apart: the data does not ship
  the certificates and JWTs its configs name): the server rejects, we predict no ``-t`` error (a miss), or we predict one and the server
  accepts (a false positive); what counts as "we predict a -t error" is the same rule the ``nats_config``
  module uses for ``server_check.agrees`` (a parse error or an error of the option checks);
- with ``--start`` and for configs ``-t`` accepts: a real start (bounded, stopped by PID), whose verdict is
  compared with "we report an error"; starts that fail for host reasons (a port in use, a missing file) are
  counted apart.

Run it from the collection root with the project's venv: ``.venv/bin/python tools/realworld.py ../shared/realworld``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
_VALID = re.compile(r"configuration file (.*) is valid \((sha256:[0-9a-f]{64})\)")
_T_HOST = re.compile(r"no such file or directory|permission denied|cert_store not compatible|is a directory", re.I)
_HOST = re.compile(r"address already in use|no such file or directory|permission denied|can't assign|"
                   r"could not create storage directory|error opening file|Could not write pidfile", re.I)


def _import_core():
    """Import the collection from this checkout (through a temporary ansible_collections/natsops/nats link)."""
    base = tempfile.mkdtemp(prefix="realworld-coll-")
    os.makedirs(os.path.join(base, "ansible_collections", "natsops"))
    os.symlink(ROOT, os.path.join(base, "ansible_collections", "natsops", "nats"))
    sys.path.insert(0, base)
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
    from ansible_collections.natsops.nats.plugins.action.nats_config import fails_dash_t
    return engine, NatsConfError, fails_dash_t, base


def _binary(given):
    if given:
        return given
    here = os.path.join(os.path.dirname(sys.executable), "nats-server")
    return here if os.path.exists(here) else (shutil.which("nats-server") or "nats-server")


def server_t(binary, conf, cwd):
    try:
        p = subprocess.run([binary, "-t", "-c", conf], cwd=cwd, env={"PATH": os.environ.get("PATH", "")},
                           capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return None, None, "timeout"
    text = p.stderr.decode("utf-8", "replace") + p.stdout.decode("utf-8", "replace")
    m = _VALID.search(text)
    valid = p.returncode == 0 and m is not None
    return valid, (m.group(2) if m else None), text.strip()


def server_start(binary, conf, cwd, timeout=4.0):
    """(started, text): a real start, stopped by PID right after it is ready or has exited."""
    log = tempfile.NamedTemporaryFile(prefix="realworld-start-", delete=False)
    proc = subprocess.Popen([binary, "-c", conf], cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                            env={"PATH": os.environ.get("PATH", "")}, start_new_session=True)
    started = False
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                break
            with open(log.name, "rb") as f:
                if b"Server is ready" in f.read():
                    time.sleep(0.3)
                    started = proc.poll() is None
                    break
            time.sleep(0.05)
        else:
            started = proc.poll() is None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()
    with open(log.name, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    os.unlink(log.name)
    return started, text


def ours(engine, conf_error, conf, cwd):
    path = conf if os.path.isabs(conf) else os.path.join(cwd, conf)
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "surrogateescape")
    result, findings = engine.validate_text(text, filename=path, base_dir=os.path.dirname(path), env={})
    digest = None
    if result is not None:
        try:
            digest = result.digest
        except conf_error as exc:
            return None, [engine.parse_error_finding(exc)]
    return digest, findings


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("dir")
    ap.add_argument("--start", action="store_true", help="also compare real starts (configs -t accepts)")
    ap.add_argument("--binary")
    ap.add_argument("--show", type=int, default=40, help="cases listed per disagreement kind")
    ap.add_argument("--json", help="write every case's verdicts here")
    args = ap.parse_args(argv)
    engine, conf_error, fails_dash_t, base = _import_core()
    binary = _binary(args.binary)
    with open(os.path.join(args.dir, "manifest.json"), "r", encoding="utf-8") as f:
        manifest = json.load(f)
    counts = dict(cases=0, t_reject=0, t_reject_host=0, t_accept=0, t_miss=0, t_false_positive=0, digest_both=0, digest_same=0,
                  digest_differ=0, start_run=0, start_failed=0, start_host=0, start_miss=0, start_false_positive=0)
    lists = dict(t_miss=[], t_false_positive=[], digest_differ=[], start_miss=[], start_false_positive=[])
    rows = []
    try:
        for case in manifest:
            cwd = os.path.join(args.dir, case.get("cwd") or ".")
            if not os.path.isdir(cwd):  # support folder not shipped: run from the file's folder
                cwd = os.path.dirname(os.path.join(args.dir, case["file"]))
            conf = os.path.relpath(os.path.join(args.dir, case["file"]), cwd)
            counts["cases"] += 1
            valid, sdigest, stext = server_t(binary, conf, cwd)
            try:
                digest, findings = ours(engine, conf_error, conf, cwd)
            except Exception as exc:  # pylint: disable=broad-except
                digest, findings = None, []
                stext += "\n[natsops.nats crashed: %s: %s]" % (type(exc).__name__, exc)
            errors = [f for f in findings if f.severity == "error"]
            predict_t_fail = digest is None or any(fails_dash_t(f) for f in findings)
            row = dict(id=case["id"], repo=case.get("repo"), path=case.get("path"), server_valid=valid,
                       server=stext[-300:], ours=[f.format()[:300] for f in errors][:5])
            if valid:
                counts["t_accept"] += 1
                if predict_t_fail:
                    counts["t_false_positive"] += 1
                    lists["t_false_positive"].append(row)
                if digest is not None:
                    counts["digest_both"] += 1
                    if digest == sdigest:
                        counts["digest_same"] += 1
                    else:
                        counts["digest_differ"] += 1
                        lists["digest_differ"].append(row)
                if args.start:
                    counts["start_run"] += 1
                    started, text = server_start(binary, conf, cwd)
                    row["started"] = started
                    if not started:
                        counts["start_failed"] += 1
                        if _HOST.search(text):
                            counts["start_host"] += 1
                            row["start_host"] = True
                        elif not errors:
                            counts["start_miss"] += 1
                            row["server"] = text[-300:]
                            lists["start_miss"].append(row)
                    elif errors:
                        counts["start_false_positive"] += 1
                        lists["start_false_positive"].append(row)
            elif _T_HOST.search(stext.strip().splitlines()[-1] if stext.strip() else ""):
                counts["t_reject_host"] += 1  # a file the config names is not there (a host matter, not the text's)
            else:
                counts["t_reject"] += 1
                if not predict_t_fail:
                    counts["t_miss"] += 1
                    lists["t_miss"].append(row)
            rows.append(row)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    for kind, items in lists.items():
        if items:
            print("== %s (%d)" % (kind, len(items)))
            for row in items[:args.show]:
                print("  %s %s:%s" % (row["id"], row["repo"], row["path"]))
                print("    server: %s" % row["server"].strip().splitlines()[-1][:240] if row["server"].strip() else "    server: -")
                for line in row["ours"][:2]:
                    print("    ours:   %s" % line[:240])
    print("== summary (nats-server %s)" % binary)
    for k, v in counts.items():
        print("%-22s %d" % (k, v))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(dict(counts=counts, cases=rows), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
