#!/usr/bin/env python
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fuzz the NATS conf parser.

Asserts, for every input: the parser either returns a result or raises NatsConfError
(digest and positions included) -- never any other exception -- and no input takes
more CPU time than 1 s per 10 KB (minimum budget 2 s); an input still running after 10x its
budget in CPU time, or blocked for 60 s, is interrupted and counted as a hang. Times are CPU
times, so a loaded machine does not fail the run. Peak memory (max RSS) is reported.

Hostile shapes (issue 15) are part of the generated inputs: includes of a FIFO, of
/dev/zero, of a directory and of a file over the size cap (real files in a temporary
directory, read by the parser's own loader), env values that reference each other
exponentially ("billion laughs") or in chains thousands deep, variables that multiply,
lone surrogates.

Engines:
  atheris     coverage-guided (libFuzzer), used when ``import atheris`` works;
  hypothesis  property-based generation (structured fragments + raw bytes), the fallback.

Usage:
  fuzz/run_fuzz.py --seconds 60 --max-examples 100000 [--engine auto|atheris|hypothesis]
                   [--differential] [--record]

--differential (hypothesis engine) also compares every input with ``nats-server -t``
(slow: use a few thousand examples); mismatches and crashes are written with --record to
tests/unit/plugins/plugin_utils/data/regressions_fuzz.json as regular regression cases
(expectation taken from the real server), which test_parser_cases.py then runs.
Exit status 0 = nothing found.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "tests", "unit", "plugins", "plugin_utils", "data")


def _setup_path():
    """Make ``ansible_collections.natsops.nats`` importable from a checkout."""
    try:
        import ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser  # noqa: F401
        return
    except ImportError:
        pass
    tmp = tempfile.mkdtemp(prefix="natsops-fuzz-")
    os.makedirs(os.path.join(tmp, "ansible_collections", "natsops"))
    os.symlink(ROOT, os.path.join(tmp, "ansible_collections", "natsops", "nats"))
    sys.path.insert(0, tmp)


_setup_path()

FILES = {
    "inc.conf": b"a = 1\nb { c = [1, 2 ] }\n",
    "cyc.conf": b"include cyc.conf\n",
    "bad.conf": b"x = [1, 2]\n",
}
ENV = {"A": "1k", "B": "$A", "C": "$D", "D": "$C", "S": "hello world", "M": "{a: [1, $B ]}",
       "U": "x\ud800y", "E": "'unclosed", "N": "99999999999999999999"}
# exponential env references: L7 expands to 10**7 values (the server would run out of memory)
for _i in range(1, 8):
    ENV["L%d" % _i] = "[" + ", ".join(["$L%d" % (_i - 1)] * 10) + " ]"
ENV["L0"] = "x"
# a chain 1,000 deep (no recursion may be involved) ending in a value, and one ending in a cycle
for _i in range(1000):
    ENV["H%d" % _i] = "$H%d" % (_i + 1)
    ENV["K%d" % _i] = "[$K%d]" % (_i + 1)
ENV["H1000"] = "{deep: true}"
ENV["K1000"] = "$K100"

# size caps small enough that the fuzz files exceed them
CAP_FILE = 64 * 1024
CAP_TOTAL = 256 * 1024
BIG = b"# " + b"x" * (CAP_FILE + 10) + b"\n"
_HOSTILE_DIR = [None]


class SlowInput(Exception):
    pass


class Hang(Exception):
    pass


def hostile_dir():
    """A directory with the fuzz files plus a FIFO, a /dev/zero link, a directory and a file over the cap."""
    if _HOSTILE_DIR[0] is None:
        d = tempfile.mkdtemp(prefix="natsops-fuzz-files-")
        for name, data in FILES.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        with open(os.path.join(d, "big.conf"), "wb") as f:
            f.write(BIG)
        os.mkfifo(os.path.join(d, "fifo.conf"))
        os.symlink("/dev/zero", os.path.join(d, "zero.conf"))
        os.mkdir(os.path.join(d, "dir.conf"))
        _HOSTILE_DIR[0] = d
    return _HOSTILE_DIR[0]


def _alarm(signum, frame):
    raise Hang()


def check_one(data):
    """Run the parser on data; raise if anything but NatsConfError happens or it is too slow."""
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import Limits, parse_string
    from ansible_collections.natsops.nats.plugins.plugin_utils.redact import redact, result_depth

    budget = max(2.0, len(data) / 10240.0)
    start = time.process_time()         # CPU time: the verdict does not depend on the machine's load
    outcome = None
    old = signal.signal(signal.SIGALRM, _alarm)
    old_prof = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, budget * 10)            # spinning: 10x the budget in CPU time
    signal.setitimer(signal.ITIMER_REAL, max(60.0, budget * 30))  # blocked (a read that never returns)
    try:
        try:
            r = parse_string(data, filename="test.conf", base_dir=hostile_dir(), env=ENV,
                             limits=Limits(max_file_size=CAP_FILE, max_total_size=CAP_TOTAL))
            len(r.key_positions)
            len(r.used)
            if result_depth(r.config) <= 100:
                redact(r.config)
            outcome = ("ok", r.digest)
        except NatsConfError as e:
            if not isinstance(e.message, str) or not e.message:
                raise AssertionError("empty error message")
            outcome = ("error", e.message)
    except Hang:
        raise Hang("input of %d bytes interrupted after %.1fs of CPU time (or 60s blocked): a hang" % (len(data), budget * 10)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGALRM, old)
        signal.signal(signal.SIGPROF, old_prof)
    elapsed = time.process_time() - start
    if elapsed > budget:
        raise SlowInput("input of %d bytes took %.2fs of CPU time (budget %.2fs)" % (len(data), elapsed, budget))
    return outcome


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _seeds():
    seeds = []
    for name in ("parser_cases.json", "regressions.json"):
        path = os.path.join(DATA, name)
        if os.path.exists(path):
            with open(path) as f:
                for case in json.load(f):
                    seeds.append(case["input"].encode("utf-8", "surrogateescape"))
    return seeds


def _record(cases):
    path = os.path.join(DATA, "regressions_fuzz.json")
    existing = []
    if os.path.exists(path):
        with open(path) as f:
            existing = json.load(f)
    names = set(c["name"] for c in existing)
    for case in cases:
        base = case["name"]
        i = 0
        while case["name"] in names:
            i += 1
            case["name"] = "%s_%d" % (base, i)
        names.add(case["name"])
        existing.append(case)
    with open(path, "w") as f:
        json.dump(existing, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("recorded %d case(s) in %s" % (len(cases), path))


def _server_env():
    """ENV without the values an OS environment cannot carry (lone surrogates)."""
    out = {}
    for k, v in ENV.items():
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            continue
        out[k] = v
    return out


def _server_case(text, name):
    """A regression case whose expectation comes from the real nats-server."""
    from ansible_collections.natsops.nats.tests.unit import nats_harness
    d = tempfile.mkdtemp(prefix="natsops-fuzz-case-")
    try:
        r = nats_harness.check_text(text, d, files=dict(FILES), env=_server_env())
    finally:
        shutil.rmtree(d, ignore_errors=True)
    case = {"name": name, "description": "found by fuzz/run_fuzz.py", "input": text,
            "files": {k: v.decode() for k, v in FILES.items()}, "env": _server_env()}
    if r.valid:
        case.update(valid=True, digest=r.digest, layer="parser")
    elif any(s in r.error for s in ("unknown field", "config has no values", "interface conversion")) or \
            r.error.startswith("test.conf:"):
        case.update(valid=False, error=r.error, layer="server")
    else:
        case.update(valid=False, error=r.error, layer="parser")
    return case


# ---------------------------------------------------------------------------
# atheris engine
# ---------------------------------------------------------------------------
def run_atheris(seconds, max_examples):
    import atheris

    with atheris.instrument_imports():
        from ansible_collections.natsops.nats.plugins.plugin_utils.conf import lexer as conf_lexer  # noqa: F401
        from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser  # noqa: F401
    corpus = tempfile.mkdtemp(prefix="natsops-fuzz-corpus-")
    for i, seed in enumerate(_seeds()):
        with open(os.path.join(corpus, "seed%04d" % i), "wb") as f:
            f.write(seed)

    def one(data):
        check_one(data)

    argv = [sys.argv[0], "-max_total_time=%d" % seconds, "-runs=%d" % max_examples, "-max_len=4096",
            "-timeout=10", "-rss_limit_mb=2048", "-artifact_prefix=%s/" % os.path.join(HERE, "crashes"), corpus]
    os.makedirs(os.path.join(HERE, "crashes"), exist_ok=True)
    atheris.Setup(argv, one)
    atheris.Fuzz()       # exits the process (non-zero on a crash)


# ---------------------------------------------------------------------------
# hypothesis engine
# ---------------------------------------------------------------------------
ATOMS = [
    "a", "t", "port", "include ", "inc.conf", "cyc.conf", "bad.conf", "=", ":", " ", "\t", "\n", "\r\n", "\r", "{", "}",
    "[", "]", ",", ";", "#", "//", "/", '"', "'", "(", ")", "\\", "\\x41", "\\xZ", "\\n", "$", "$a", "$t", "$A", "$C",
    "$M", "$S", "1", "0", "-", "-1", "1.5", "1.", ".5", "1k", "1kbi", "2m", "1e5", "2016-05-04T18:53:41Z", "2016-",
    "127.0.0.1", "true", "yes'", "é", "\x00", "\udcff", "\u00a0", "３", "İnclude", "\n)\n", "(\n", "1]", "[[[[", "]]]]",
    "{a {a {a", "}}}", "\v", "\u2028",
    # hostile shapes (issue 15)
    "include fifo.conf", "include zero.conf", "include dir.conf", "include big.conf", "include /dev/zero",
    "$L7", "$L5", "$L3", "$U", "$E", "$N", "\ud800", "\udfff", "x\ud83dy",
    "v = [1, 2, 3, 4, 5, 6, 7, 8, 9 ]\nw = [$v, $v, $v, $v, $v, $v, $v, $v, $v, $v ]\n",
    "x = [$w, $w, $w, $w, $w, $w, $w, $w, $w, $w ]\n", "y = [$x, $x, $x, $x, $x, $x, $x, $x, $x, $x ]\n",
    "z = [$y, $y, $y, $y, $y, $y, $y, $y, $y, $y ]\n", "q = [$z, $z, $z, $z, $z, $z, $z, $z, $z, $z ]\n",
    "r = [$q, $q, $q, $q, $q, $q, $q, $q, $q, $q ]\n",
]


HEAVY_ATOMS = ["$H0", "$H990", "$K0", "$K990", "include fifo.conf", "$L4"]


def run_hypothesis(seconds, max_examples, differential, record, min_inputs=0):
    from hypothesis import HealthCheck, given, settings, strategies as st

    deadline = time.time() + seconds
    found = []
    mismatches = []
    count = [0]

    class Stop(Exception):
        pass

    # env chains 1,000 deep cost ~0.1 s each: one input in about 40 references them
    heavy = st.lists(st.sampled_from(ATOMS + HEAVY_ATOMS), max_size=8).map(lambda a: "t = " + "".join(a))
    texts = st.one_of(
        st.lists(st.sampled_from(ATOMS), max_size=40).map("".join),
        st.lists(st.sampled_from(ATOMS), max_size=12).map(lambda a: "t = " + "".join(a)),
        st.integers(0, 9).flatmap(lambda i: heavy if i == 0 else st.lists(st.sampled_from(ATOMS), max_size=40).map("".join)),
        st.text(max_size=200),
        st.binary(max_size=200).map(lambda b: b.decode("utf-8", "surrogateescape")),
    )

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(texts)
    def prop(text):
        if time.time() > deadline:
            raise Stop()
        count[0] += 1
        try:
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = text          # a lone surrogate: only text handed over as str can hold it
        try:
            ours = check_one(data)
        except Exception as e:       # noqa: BLE001 -- that is what we are looking for
            found.append((text, traceback.format_exc()))
            raise AssertionError("crash: %r" % e)
        if differential:
            case = _server_case(text, "fuzz_%d" % count[0])
            theirs = ("ok", case.get("digest")) if case["valid"] else ("error", case["error"])
            if case["layer"] == "server":
                ok = ours[0] == "ok"
            else:
                ok = ours == theirs
            if not ok:
                mismatches.append(case)
                raise AssertionError("mismatch: %r ours=%r server=%r" % (text, ours, theirs))

    status = 0
    try:
        prop()
    except Stop:
        pass
    except Exception as e:  # noqa: BLE001 -- hypothesis may wrap our Stop (FlakyFailure / ExceptionGroup)
        if found or mismatches or time.time() <= deadline:
            status = 1
            print("FAILURE: %s" % e)
    for text, tb in found[:5]:
        print("crash input %r\n%s" % (text, tb))
    if record and (mismatches or found):
        cases = mismatches[-1:] if mismatches else []
        if found:
            cases.append(_server_case(found[-1][0], "fuzz_crash"))
        _record(cases)
    if count[0] < min_inputs:
        status = 1
        print("FAILURE: only %d inputs ran, %d wanted (raise FUZZ_SECONDS)" % (count[0], min_inputs))
    elapsed = max(time.time() - (deadline - seconds), 1e-9)
    print("hypothesis engine: %d inputs in %.0fs (%.0f/s), %d tracebacks, %d hangs or slow inputs, peak memory %.0f MB: %s"
          % (count[0], elapsed, count[0] / elapsed, len([f for f in found if "Hang" not in f[1] and "SlowInput" not in f[1]]),
             len([f for f in found if "Hang" in f[1] or "SlowInput" in f[1]]), peak_rss_mb(), "FAILED" if status else "ok"))
    return status


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS") or 60))
    ap.add_argument("--max-examples", type=int, default=100000)
    ap.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    ap.add_argument("--differential", action="store_true", help="compare with nats-server -t (hypothesis engine)")
    ap.add_argument("--record", action="store_true", help="write failures to data/regressions_fuzz.json")
    ap.add_argument("--min-inputs", type=int, default=0, help="fail when fewer inputs than this ran (hypothesis engine)")
    args = ap.parse_args(argv)
    engine = args.engine
    if args.differential:
        engine = "hypothesis"
    if engine == "auto":
        try:
            import atheris  # noqa: F401
            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    print("fuzzing the parser with %s for up to %ds / %d inputs" % (engine, args.seconds, args.max_examples))
    if engine == "atheris":
        run_atheris(args.seconds, args.max_examples)
        return 0
    return run_hypothesis(args.seconds, args.max_examples, args.differential, args.record, args.min_inputs)


if __name__ == "__main__":
    sys.exit(main())
