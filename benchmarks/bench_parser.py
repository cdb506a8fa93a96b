#!/usr/bin/env python
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: our parser vs ``nats-server -t`` on the same files, in one run.

Generates the configs with gen_configs.py (unless --dir has them), then for each file times
  * ``nats-server -t -c FILE`` (wall time of the process; it parses, hashes and checks options),
  * our ``parse_file`` (parse only), ``parse_file`` + digest, and + positions,
and prints medians, the ratio to nats-server and the peak memory (tracemalloc) of a parse.

Targets: 1.2 MB <= 3x nats-server -t (never above 8x); 5 KB <= 20 ms; peak memory <= 150 MB.
Usage: bench_parser.py [--runs N] [--dir DIR]
"""

from __future__ import annotations

import argparse
import resource
import os
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _setup_path():
    try:
        import ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser  # noqa: F401
        return
    except ImportError:
        pass
    tmp = tempfile.mkdtemp(prefix="natsops-bench-")
    os.makedirs(os.path.join(tmp, "ansible_collections", "natsops"))
    os.symlink(ROOT, os.path.join(tmp, "ansible_collections", "natsops", "nats"))
    sys.path.insert(0, tmp)


_setup_path()

from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_file  # noqa: E402  pylint: disable=wrong-import-position

GEN_CONFIGS = runpy.run_path(os.path.join(HERE, "gen_configs.py"))


def nats_server():
    here = os.path.join(os.path.dirname(sys.executable), "nats-server")
    return here if os.path.exists(here) else shutil.which("nats-server")


def median_time(fn, runs):
    times = []
    for dummy in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def median_cpu(fn, runs, child=False):
    """Median CPU time (user+sys) of fn: of this process, or of its child processes."""
    times = []
    who = resource.RUSAGE_CHILDREN if child else resource.RUSAGE_SELF
    for dummy in range(runs):
        r0 = resource.getrusage(who)
        fn()
        r1 = resource.getrusage(who)
        times.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args(argv)
    outdir = args.dir or tempfile.mkdtemp(prefix="natsops-bench-data-")
    GEN_CONFIGS["main"](["gen_configs.py", outdir])
    server = nats_server()
    rows = []
    for name in ("large.conf", "cluster.conf"):
        path = os.path.join(outdir, name)
        size = os.path.getsize(path)
        srv = srv_cpu = None
        digest_srv = None
        if server:
            def run_server():
                return subprocess.run([server, "-t", "-c", name], cwd=outdir, capture_output=True, check=False)
            out = run_server()
            digest_srv = out.stderr.decode().rsplit("(", 1)[-1].rstrip(")\n") if out.returncode == 0 else None
            srv = median_time(run_server, args.runs)
            srv_cpu = median_cpu(run_server, args.runs, child=True)
        parse = median_time(lambda: parse_file(path), args.runs)
        with_digest = median_time(lambda: parse_file(path).digest, args.runs)
        full = median_time(lambda: len(parse_file(path).key_positions), args.runs)
        ours_cpu = median_cpu(lambda: parse_file(path).digest, args.runs)
        res = parse_file(path)
        tracemalloc.start()
        r = parse_file(path)
        len(r.key_positions)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((name, size, srv, parse, with_digest, full, peak, digest_srv == res.digest if digest_srv else None,
                     srv_cpu, ours_cpu))
    print()
    header = ("file", "bytes", "nats-server", "parse", "+digest", "+positions", "ratio", "cpu ratio", "peak MB", "digest")
    print("%-13s %9s %12s %12s %12s %14s %8s %10s %9s %7s" % header)
    for name, size, srv, parse, with_digest, full, peak, same, srv_cpu, ours_cpu in rows:
        ratio = ("%.2fx" % (with_digest / srv)) if srv else "n/a"
        cpu_ratio = ("%.2fx" % (ours_cpu / srv_cpu)) if srv_cpu else "n/a"
        print("%-13s %9d %11.1fms %10.1fms %10.1fms %12.1fms %8s %10s %9.1f %7s" % (
            name, size, (srv or 0) * 1000, parse * 1000, with_digest * 1000, full * 1000, ratio, cpu_ratio, peak / 1e6,
            {True: "same", False: "DIFF", None: "n/a"}[same]))
    print("\nratio = (parse + digest) / nats-server -t wall time; cpu ratio = the same in CPU seconds (medians of %d runs)"
          % args.runs)
    # parse + every config check (the schema, -t and startup checks) of the small cluster+gateway config
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate
    small = os.path.join(outdir, "cluster.conf")
    parse_small = median_time(lambda: parse_file(small), max(args.runs, 51))
    validate_small = median_time(lambda: validate(parse_file(small)), max(args.runs, 51))
    print("%s (%d bytes): parse %.2f ms, parse + full validation %.2f ms (target <= 2 ms), validation alone %.2f ms" % (
        "cluster.conf", os.path.getsize(small), parse_small * 1000, validate_small * 1000,
        (validate_small - parse_small) * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
