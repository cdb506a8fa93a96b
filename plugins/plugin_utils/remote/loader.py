# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read files from a managed host for the parser, from inside an action plugin.

Controller-side helper shared by the ``nats_config`` and topology actions.
It only duck-types the action plugin (``_connection``, ``_execute_module``,
``_low_level_execute_command``, ...) so this file imports nothing from the
controller and passes the module_utils import test.

``RemoteLoader(action, task_vars)`` is the ``loader`` callable the parser
takes: ``loader(path) -> bytes``, raising ``FileNotFoundError``,
``IsADirectoryError`` or ``PermissionError`` like ``open()`` would.

How a file is read (one transfer per file; results are cached per path):

* first one ``sh`` command on the host says what the path is: a FIFO, a device
  or a socket is refused (reading it could block forever or never end), a
  regular file larger than the cap is refused before it is transferred;

* without privilege escalation: ``connection.fetch_file`` into a private
  controller temp directory (sftp/scp/copy; no module run on the host);
* with become, or when the fetch fails: the ``ansible.legacy.slurp`` module,
  whose error text tells a missing file, a directory and an unreadable file
  apart.
"""

from __future__ import annotations

import base64
import os
import posixpath
import shlex
import shutil
import tempfile


class RemoteError(Exception):
    """Reading failed for another reason (connection, module failure)."""


_KINDS = {"fifo": "a named pipe (FIFO)", "chr": "a character device", "blk": "a block device", "sock": "a socket"}
_STAT_MARK = "NATSOPS_NATS_STAT"
# one POSIX sh command, no Python on the host: what the path is and, for a regular file, its size
_STAT_CMD = ('p=%s; if [ -d "$p" ]; then t=dir; elif [ -f "$p" ]; then t="file $(wc -c < "$p" 2>/dev/null)"; '
             'elif [ -p "$p" ]; then t=fifo; elif [ -c "$p" ]; then t=chr; elif [ -b "$p" ]; then t=blk; '
             'elif [ -S "$p" ]; then t=sock; else t=other; fi; echo "' + _STAT_MARK + ' $t"')


class NotARegularFile(OSError):
    """A FIFO, device or socket on the managed host (same text as the parser's local check)."""

    def __init__(self, path, kind):
        OSError.__init__(self, 22, "not a regular file but %s; nats-server would block or read it "
                                   "without end, natsops.nats refuses it" % kind, path)


class FileTooLarge(OSError):
    def __init__(self, path, size, cap):
        OSError.__init__(self, 27, "file is too large (%s bytes; the limit is %d bytes)"
                         % ("more than %d" % cap if size is None else "%d" % size, cap), path)


def _classify(path, msg):
    low = (msg or "").lower()
    if "not found" in low or "no such file" in low:
        return FileNotFoundError(2, "No such file or directory", path)
    if "is a directory" in low or "directory and must be a file" in low:
        return IsADirectoryError(21, "Is a directory", path)
    if "not readable" in low or "permission denied" in low:
        return PermissionError(13, "Permission denied", path)
    return None


class RemoteLoader(object):
    """loader(path) -> bytes for files on the managed host."""

    def __init__(self, action, task_vars, use_fetch=None):
        self._action = action
        self._task_vars = task_vars
        self._cache = {}
        self._tmpdir = None
        if use_fetch is None:
            conn = getattr(action, "_connection", None)
            use_fetch = conn is not None and not getattr(conn, "become", None) and hasattr(conn, "fetch_file")
        self.use_fetch = use_fetch
        self.reads = []   # paths in the order they were transferred (for tests and benchmarks)

    bounded = True      # takes max_bytes and checks it before transferring (conf.parser.load_bounded)

    # -- public -----------------------------------------------------------
    def __call__(self, path, max_bytes=None):
        path = str(path)
        hit = self._cache.get(path)
        if hit is None:
            try:
                hit = (self._read(path, max_bytes), None)
            except (OSError, RemoteError) as exc:
                hit = (None, exc)
            self._cache[path] = hit
        if hit[1] is not None:
            raise hit[1]
        if max_bytes is not None and len(hit[0]) > max_bytes:
            raise FileTooLarge(path, len(hit[0]), max_bytes)
        return hit[0]

    def cleanup(self):
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    # -- transfer ---------------------------------------------------------
    def _stat(self, path):
        """('file', size or None) / ('dir', None) / (kind, None), or None when the host cannot tell."""
        try:
            res = self._action._low_level_execute_command(_STAT_CMD % shlex.quote(path), sudoable=True)
            out = res.get("stdout", "")
        except Exception:  # pylint: disable=broad-except
            return None     # no POSIX shell: the size is checked after the transfer instead
        if not isinstance(out, str):
            return None
        for line in out.splitlines():
            if line.startswith(_STAT_MARK + " "):
                parts = line.split()[1:]
                if not parts:
                    return None
                size = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                return parts[0], size
        return None

    def _read(self, path, max_bytes=None):
        self.reads.append(path)
        st = self._stat(path)
        if st is not None:
            kind, size = st
            if kind in _KINDS:
                raise NotARegularFile(path, _KINDS[kind])
            if kind == "file" and max_bytes is not None and size is not None and size > max_bytes:
                raise FileTooLarge(path, size, max_bytes)
        if self.use_fetch:
            data = self._fetch(path)
            if data is not None:
                return data
        return self._slurp(path)

    def _fetch(self, path):
        """File contents via connection.fetch_file, or None to fall back to slurp."""
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix="natsops-nats-")
        dest = os.path.join(self._tmpdir, "f%d" % len(self.reads))
        try:
            self._action._connection.fetch_file(path, dest)
            with open(dest, "rb") as fh:
                data = fh.read()
        except Exception:  # pylint: disable=broad-except
            # a missing file, a directory, a permission problem or a transport hiccup:
            # slurp reports which one it is
            return None
        finally:
            try:
                os.unlink(dest)
            except OSError:
                pass
        return data

    def _slurp(self, path):
        res = self._action._execute_module(module_name="ansible.legacy.slurp", module_args={"src": path},
                                           task_vars=self._task_vars)
        if res.get("failed"):
            msg = res.get("msg") or ""
            exc = _classify(path, msg)
            if exc is not None:
                raise exc
            raise RemoteError("cannot read %s from the managed host: %s" % (path, msg))
        content = res.get("content", "")
        if res.get("encoding", "base64") == "base64":
            return base64.b64decode(content)
        return content.encode("utf-8") if isinstance(content, str) else content


def run_server_check(action, binary, conf_path=None, content=None, env=None, base_dir=None, tree=None):
    """Run ``binary -t -c <file>`` on the managed host.

    With ``content``, the text is first written into the remote temporary
    directory. With ``content`` and ``base_dir``, the include tree
    (``tree``: {absolute path: bytes} of the files the parser read) is copied
    below the temporary directory at the same absolute paths and the text is
    written into the copy of ``base_dir``, so the server resolves relative
    includes exactly as from ``base_dir``. ``env`` values reach the server
    through a file in the private remote temporary directory (so they are not
    shown in ``-vvv`` command lines), and the server sees only those and ``PATH``.

    Returns ``(rc, stdout, stderr)``.
    """
    tmpdir = action._make_tmp_path()
    env_file = None
    private = []
    try:
        if content is not None and base_dir is not None:
            root = tmpdir.rstrip("/") + "/root"
            conf_path = root + posixpath.normpath("/" + base_dir) + "/.natsops-nats-content.conf"
            dests = [(root + posixpath.normpath("/" + p), data) for p, data in sorted((tree or {}).items())]
            dirs = sorted(set(posixpath.dirname(d) for d, dummy in dests + [(conf_path, None)]))
            action._low_level_execute_command("mkdir -p " + " ".join(shlex.quote(d) for d in dirs), sudoable=False)
            for dest, data in dests:
                action._transfer_data(dest, data)
                private.append(dest)
            action._transfer_data(conf_path, content)
        elif content is not None:
            conf_path = tmpdir.rstrip("/") + "/nats-server.conf"
            action._transfer_data(conf_path, content)
        argv = " ".join(shlex.quote(a) for a in (binary, "-t", "-c", conf_path))
        if env:
            # the values go through a private file, not through the command line
            env_file = tmpdir.rstrip("/") + "/nats-env.sh"
            pairs = " ".join(shlex.quote("%s=%s" % (k, v)) for k, v in sorted(env.items()))
            action._transfer_data(env_file, 'exec env -i PATH="$PATH" %s "$@"\n' % pairs)
            cmd = "/bin/sh %s %s" % (shlex.quote(env_file), argv)
        else:
            cmd = 'env -i PATH="$PATH" %s' % argv
        private += [p for p in (conf_path if content is not None else None, env_file) if p]
        if private:
            action._fixup_perms2(private, execute=False)
        res = action._low_level_execute_command(cmd, sudoable=True)
        return res.get("rc"), res.get("stdout", ""), res.get("stderr", "")
    finally:
        action._remove_tmp_path(tmpdir, force=True)


__all__ = ["RemoteLoader", "RemoteError", "NotARegularFile", "FileTooLarge", "run_server_check"]
