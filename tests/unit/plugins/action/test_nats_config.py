# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the nats_config action plugin with a fake connection.

The "managed host" is a temporary directory read through a fake
``fetch_file`` / ``ansible.legacy.slurp``; the parser and checks are the
collection's real ones, and the real nats-server is the judge of digests.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import types
from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.natsops.nats.plugins.action import nats_config as action_mod
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import ERROR, WARNING, Finding
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import ParseResult
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import REDACTED
from ansible_collections.natsops.nats.plugins.plugin_utils.remote.loader import RemoteLoader, run_server_check

CORE = action_mod.CORE_IMPORT_ERROR is None
needs_core = pytest.mark.skipif(not CORE, reason="parser/checks not importable: %s" % action_mod.CORE_IMPORT_ERROR)

SEED_CONF = """\
server_name: n1
listen: 127.0.0.1:4222
cluster {
  name: "cluster"
  listen: 127.0.0.1:6222
}
gateway {
  name: "gateway"
  listen: 127.0.0.1:7222
}
"""


class FakeHost(object):
    """Serves files of a local directory like a managed host would."""

    def __init__(self, become=False):
        self.slurps = []
        self.fetches = []
        self.commands = []
        self.become = become

    def slurp(self, module_name=None, module_args=None, task_vars=None, **kw):
        assert module_name == "ansible.legacy.slurp"
        src = module_args["src"]
        self.slurps.append(src)
        if not os.path.exists(src):
            return {"failed": True, "msg": "File not found: %s" % src}
        if os.path.isdir(src):
            return {"failed": True, "msg": "Source is a directory and must be a file: %s" % src}
        with open(src, "rb") as fh:
            return {"content": base64.b64encode(fh.read()).decode(), "encoding": "base64", "source": src}

    def shell(self, cmd, sudoable=True, **kw):
        """The managed host's sh (the loader asks it what a path is before reading it)."""
        import subprocess
        self.commands.append(cmd)
        p = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, text=True, timeout=60, check=False)
        return {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}

    def fetch_file(self, src, dest):
        self.fetches.append(src)
        shutil.copyfile(src, dest)


def make_action(args, host=None, check_mode=False):
    host = host or FakeHost()
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    task.action = "natsops.nats.nats_config"
    connection = MagicMock()
    connection._shell.tmpdir = None
    connection.become = MagicMock() if host.become else None
    connection.fetch_file = host.fetch_file
    action = action_mod.ActionModule(task, connection, MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    action._execute_module = host.slurp
    action._low_level_execute_command = host.shell
    return action, host


def run(args, **kw):
    action, host = make_action(args, **kw)
    return action.run(task_vars={}), host


# -- arguments -------------------------------------------------------------

def test_path_and_content_are_mutually_exclusive():
    with pytest.raises(AnsibleActionFail, match="mutually exclusive"):
        run({"path": "/x", "content": "a: 1"})


def test_one_of_path_content_required():
    with pytest.raises(AnsibleActionFail, match="one of the following is required: path, content"):
        run({})


def test_relative_path_rejected():
    with pytest.raises(AnsibleActionFail, match="path must be an absolute path on the managed host"):
        run({"path": "etc/nats.conf"})


def test_missing_pyparsing(monkeypatch):
    monkeypatch.setattr(action_mod, "HAS_PYPARSING", False)
    monkeypatch.setattr(action_mod, "CORE_IMPORT_ERROR", None)
    monkeypatch.setattr(action_mod, "PYPARSING_IMPORT_ERROR", "Traceback ...")
    result, dummy = run({"content": "a: 1"})
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (pyparsing) on ")
    assert result["exception"] == "Traceback ..."


@needs_core
def test_unknown_disable_code_lists_valid_codes():
    with pytest.raises(AnsibleActionFail) as exc:
        run({"content": "a: 1", "disable": ["no-such-check"]})
    msg = str(exc.value)
    assert "disable: unknown check code no-such-check; valid codes: " in msg
    assert "cluster-gateway-name-conflict" in msg


def test_parse_error_cannot_be_disabled():
    with pytest.raises(AnsibleActionFail, match="parse-error cannot be disabled"):
        run({"content": "a: 1", "disable": ["parse-error"]})


# -- result shaping with a fake core (independent of the parser) -------------

def fake_core(monkeypatch, parsed, findings, codes=("cluster-gateway-name-conflict", "some-warning")):
    calls = []

    def validate_text(text, filename=None, base_dir=None, env=None, loader=None, disable=(), warnings_as_errors=False,
                      limits=None, files=None, server_version=None):
        calls.append(dict(text=text, filename=filename, base_dir=base_dir, env=env, disable=disable,
                          warnings_as_errors=warnings_as_errors))
        if files is not None and parsed is not None:
            files.extend(parsed.files)
        assert server_version is None or str(server_version) == "2.15.1"
        return parsed, list(findings)

    def disable_problem(disable):
        unknown = [c for c in disable or () if c not in codes]
        return "disable: unknown check code %s" % ", ".join(unknown) if unknown else None

    monkeypatch.setattr(action_mod, "checks_engine", types.SimpleNamespace(validate_text=validate_text, disable_problem=disable_problem),
                        raising=False)
    monkeypatch.setattr(action_mod, "CORE_IMPORT_ERROR", None)
    monkeypatch.setattr(action_mod, "HAS_PYPARSING", True)
    return calls


def test_errors_fail_with_count_and_every_error_and_secrets_scrubbed(monkeypatch):
    parsed = ParseResult({"Cluster": {"name": "cluster"}, "gateway": {"name": "gateway"},
                          "authorization": {"user": "a", "password": "hunter22"}, "server_name": "n1"},
                         files=[{"path": "/etc/n.conf", "sha256": "ab" * 32}])
    parsed._digest = "sha256:" + "0" * 64
    findings = [
        Finding("cluster-gateway-name-conflict", ERROR, "cluster name conflicts between cluster and gateway definitions",
                "/etc/n.conf", 2, 3, ("cluster", "name"), hint="use the same name as gateway.name (/etc/n.conf:5:3)"),
        Finding("some-warning", WARNING, "careful", "/etc/n.conf", 7, 1),
        Finding("cluster-gateway-name-conflict", ERROR, "value 'hunter22' is odd", "/etc/n.conf", 9, 1),
    ]
    calls = fake_core(monkeypatch, parsed, findings)
    result, dummy = run({"content": "x", "env": {"V": "envsecret"}, "disable": ["some-warning"]})
    assert calls[0]["disable"] == ["some-warning"] and calls[0]["env"] == {"V": "envsecret"}
    assert result["failed"] is True and result["valid"] is False and result["changed"] is False
    assert result["msg"] == (
        "2 errors in <string>:\n"
        "/etc/n.conf:2:3: cluster name conflicts between cluster and gateway definitions"
        "; hint: use the same name as gateway.name (/etc/n.conf:5:3)\n"
        "/etc/n.conf:9:1: value '%s' is odd" % REDACTED)
    assert [e["line"] for e in result["errors"]] == [2, 9]
    assert result["errors"][0]["path"] == "cluster.name"
    assert result["warnings"] == ["/etc/n.conf:7:1: careful"]
    assert [f["severity"] for f in result["findings"]] == ["error", "warning", "error"]
    assert result["config"]["authorization"] == {"user": "a", "password": REDACTED}
    assert result["cluster_name"] == "cluster" and result["gateway_name"] == "gateway" and result["server_name"] == "n1"
    assert result["digest"] == "sha256:" + "0" * 64
    assert result["files"] == [{"path": "/etc/n.conf", "sha256": "ab" * 32}]
    text = json.dumps(result)
    assert "hunter22" not in text and "envsecret" not in text
    assert "invocation" not in result


def test_valid_result_message(monkeypatch):
    parsed = ParseResult({"port": 4222}, files=[{"path": "<string>", "sha256": "cd" * 32}])
    parsed._digest = "sha256:" + "1" * 64
    fake_core(monkeypatch, parsed, [Finding("some-warning", WARNING, "w", None, 1, 1)])
    result, dummy = run({"content": "port: 4222"})
    assert "failed" not in result
    assert result["valid"] is True
    assert result["msg"] == "<string> is valid (sha256:%s), 1 warning" % ("1" * 64)
    assert result["warnings"] == ["<string>:1:1: w"]
    assert result["cluster_name"] is None and result["errors"] == []


def test_parse_error_gives_no_config(monkeypatch):
    fake_core(monkeypatch, None, [Finding("parse-error", ERROR, "Parse error on line 1: 'x'", "<string>", 1, None)])
    result, dummy = run({"content": "{"})
    assert result["failed"] is True and result["config"] is None and result["digest"] is None
    assert result["msg"] == "1 error in <string>:\n<string>:1:0: Parse error on line 1: 'x'"


# -- the remote loader -------------------------------------------------------

def test_loader_fetches_once_per_file_and_classifies_errors(tmp_path):
    (tmp_path / "a.conf").write_bytes(b"port: 1\n")
    (tmp_path / "d").mkdir()
    action, host = make_action({})
    with RemoteLoader(action, {}) as loader:
        assert loader.use_fetch is True
        assert loader(str(tmp_path / "a.conf")) == b"port: 1\n"
        assert loader(str(tmp_path / "a.conf")) == b"port: 1\n"
        with pytest.raises(FileNotFoundError):
            loader(str(tmp_path / "missing.conf"))
        with pytest.raises(IsADirectoryError):
            loader(str(tmp_path / "d"))
        with pytest.raises(FileNotFoundError):
            loader(str(tmp_path / "missing.conf"))
        tmpdir = loader._tmpdir
        assert os.listdir(tmpdir) == []
    assert not os.path.exists(tmpdir)
    assert host.fetches == [str(tmp_path / "a.conf"), str(tmp_path / "missing.conf"), str(tmp_path / "d")]
    # slurp only when fetch failed, to learn why
    assert host.slurps == [str(tmp_path / "missing.conf"), str(tmp_path / "d")]


def test_loader_uses_slurp_with_become(tmp_path):
    (tmp_path / "a.conf").write_bytes(b"port: 1\n")
    action, host = make_action({}, host=FakeHost(become=True))
    loader = RemoteLoader(action, {})
    assert loader.use_fetch is False
    assert loader(str(tmp_path / "a.conf")) == b"port: 1\n"
    assert host.fetches == [] and host.slurps == [str(tmp_path / "a.conf")]


def test_loader_permission_and_other_failures():
    action, host = make_action({})
    action._execute_module = lambda **kw: {"failed": True, "msg": "File is not readable: /x"}
    with pytest.raises(PermissionError):
        RemoteLoader(action, {}, use_fetch=False)("/x")
    action._execute_module = lambda **kw: {"failed": True, "msg": "Failed to connect to the host via ssh"}
    with pytest.raises(action_mod.RemoteError, match="cannot read /y from the managed host: Failed to connect"):
        RemoteLoader(action, {}, use_fetch=False)("/y")


def test_server_check_keeps_env_off_the_command_line():
    action = MagicMock()
    action._make_tmp_path.return_value = "/tmp/ansible-tmp-1/"
    action._low_level_execute_command.return_value = {"rc": 0, "stdout": "", "stderr": "ok"}
    rc, out, err = run_server_check(action, "/usr/bin/nats-server", conf_path="/etc/n.conf", env={"PW": "s3cret val"})
    assert (rc, out, err) == (0, "", "ok")
    cmd = action._low_level_execute_command.call_args[0][0]
    assert "s3cret" not in cmd
    assert cmd == "/bin/sh /tmp/ansible-tmp-1/nats-env.sh /usr/bin/nats-server -t -c /etc/n.conf"
    path, data = action._transfer_data.call_args[0]
    assert path == "/tmp/ansible-tmp-1/nats-env.sh"
    assert data == "exec env -i PATH=\"$PATH\" 'PW=s3cret val' \"$@\"\n"
    action._remove_tmp_path.assert_called_once_with("/tmp/ansible-tmp-1/", force=True)


def test_server_verdict_parsing():
    ok = "nats-server: configuration file /etc/n.conf is valid (sha256:%s)\n" % ("a" * 64)
    assert action_mod.server_verdict(0, "", ok) == (True, "sha256:" + "a" * 64,
                                                    "configuration file /etc/n.conf is valid (sha256:%s)" % ("a" * 64))
    bad = "nats-server: /etc/n.conf:2:1: unknown field \"clustr\"\n"
    assert action_mod.server_verdict(1, "", bad) == (False, None, "/etc/n.conf:2:1: unknown field \"clustr\"")


def test_server_verdict_over_a_tty():
    # over SSH with become, the output arrives with "\r\n" line ends (measured on the lab's Debian 12 hosts)
    ok = "nats-server: configuration file /etc/n.conf is valid (sha256:%s)\r\n" % ("b" * 64)
    assert action_mod.server_verdict(0, ok, "") == (True, "sha256:" + "b" * 64,
                                                    "configuration file /etc/n.conf is valid (sha256:%s)" % ("b" * 64))
    bad = "nats-server: /etc/n.conf:2:1: unknown field \"clustr\"\r\n"
    assert action_mod.server_verdict(1, bad, "") == (False, None, "/etc/n.conf:2:1: unknown field \"clustr\"")


# -- with the real parser, checks and nats-server ------------------------------

def _write(base, files):
    for rel, text in files.items():
        p = base / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _local_shell(action, tmp_path):
    """Let run_server_check execute on this machine (the 'managed host')."""
    import subprocess

    def make_tmp_path(remote_user=None):
        d = tmp_path / "remote-tmp"
        d.mkdir(exist_ok=True)
        return str(d) + "/"

    def transfer_data(path, data):
        with open(path, "wb" if isinstance(data, bytes) else "w") as fh:
            fh.write(data)
        return path

    def low_level(cmd, sudoable=True, **kw):
        p = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True, text=True, timeout=30, check=False)
        return {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}

    action._make_tmp_path = make_tmp_path
    action._transfer_data = transfer_data
    action._fixup_perms2 = lambda paths, remote_user=None, execute=True: None
    action._low_level_execute_command = low_level
    action._remove_tmp_path = lambda path, force=False: shutil.rmtree(path, ignore_errors=True)


def _harness():
    from ansible_collections.natsops.nats.tests.unit import nats_harness
    return nats_harness


@needs_core
def test_seed_conflict_fails_with_message_and_location(tmp_path):
    _write(tmp_path, {"seed.conf": SEED_CONF})
    path = str(tmp_path / "seed.conf")
    result, host = run({"path": path})
    assert result["failed"] is True and result["valid"] is False
    assert [e["code"] for e in result["errors"]] == ["cluster-gateway-name-conflict"]
    err = result["errors"][0]
    assert (err["file"], err["line"], err["column"], err["path"]) == (path, 4, 3, "cluster.name")
    assert err["message"].startswith("cluster name conflicts between cluster and gateway definitions")
    assert "%s:8:3" % path in err["message"]  # the gateway side
    # the location once per line (the finding's own place is not repeated), the hint without nested parentheses
    assert result["msg"] == (
        "1 error in %s:\n%s:4:3: cluster name conflicts between cluster and gateway definitions: "
        'cluster.name "cluster" vs gateway.name "gateway" (%s:8:3); '
        "hint: use one name for both (the gateway name is the cluster's name in the super-cluster)" % (path, path, path))
    assert result["cluster_name"] == "cluster" and result["gateway_name"] == "gateway"
    assert result["digest"] == _harness().check(path).digest
    assert host.fetches == [path] and host.slurps == []


@needs_core
def test_includes_are_read_once_each_and_env_resolves(tmp_path):
    _write(tmp_path, {
        "main.conf": "server_name: $NAME\ninclude auth.conf\ninclude sub/c.conf\ninclude auth.conf\n",
        "auth.conf": "authorization { user: a, password: $PW }\n",
        "sub/c.conf": "cluster { name: x, listen: 127.0.0.1:6222 }\n",
    })
    path = str(tmp_path / "main.conf")
    env = {"NAME": "n1", "PW": "pw-secret-1"}
    result, host = run({"path": path, "env": env})
    assert "failed" not in result, result["msg"]
    # values that came from env are secrets (issue 15): server_name too
    assert result["server_name"] == REDACTED and result["cluster_name"] == "x"
    assert result["config"]["authorization"] == {"user": "a", "password": REDACTED}
    assert "pw-secret-1" not in json.dumps(result)
    assert result["digest"] == _harness().check(path, env=env).digest
    assert host.fetches == [path, str(tmp_path / "auth.conf"), str(tmp_path / "sub" / "c.conf")]
    assert [f["path"] for f in result["files"]][:3] == host.fetches


@needs_core
def test_content_with_base_dir_and_check_mode(tmp_path):
    _write(tmp_path, {"gw.conf": "gateway { name: gateway, listen: 127.0.0.1:7222 }\n"})
    result, host = run({"content": "cluster { name: cluster, listen: 127.0.0.1:6222 }\ninclude gw.conf\n",
                        "base_dir": str(tmp_path)}, check_mode=True)
    assert result["failed"] is True and result["changed"] is False
    assert [e["code"] for e in result["errors"]] == ["cluster-gateway-name-conflict"]
    assert result["msg"].startswith("1 error in <string>:\n<string>:1:")
    assert result["errors"][0]["file"] == "<string>"
    assert host.fetches == [str(tmp_path / "gw.conf")]


@needs_core
def test_content_relative_include_without_base_dir(tmp_path):
    result, host = run({"content": "port: 4222\ninclude x.conf\n"})
    assert result["failed"] is True
    err = result["errors"][0]
    assert err["code"] == "parse-error"
    assert err["message"].startswith("error parsing include file 'x.conf', open ")
    assert err["hint"] == "set base_dir to the directory on the managed host that includes of content are resolved from"
    assert host.fetches == [] and host.slurps == []


@needs_core
def test_disable_and_warnings_as_errors(tmp_path):
    _write(tmp_path, {"seed.conf": SEED_CONF})
    path = str(tmp_path / "seed.conf")
    result, dummy = run({"path": path, "disable": ["cluster-gateway-name-conflict"]})
    assert "failed" not in result and result["valid"] is True
    text = "cluster { listen: 127.0.0.1:6222 }\ngateway { name: g, listen: 127.0.0.1:7222 }\n"
    result, dummy = run({"content": text})
    assert "failed" not in result
    assert [f["code"] for f in result["findings"]] == ["gateway-name-adopted-by-cluster"]
    assert len(result["warnings"]) == 1 and result["warnings"][0].startswith("<string>:1:1: cluster has no name")
    result, dummy = run({"content": text, "warnings_as_errors": True})
    assert result["failed"] is True
    assert [(e["code"], e["severity"]) for e in result["errors"]] == [("gateway-name-adopted-by-cluster", "error")]


@needs_core
def test_missing_include_is_the_servers_message(tmp_path):
    _write(tmp_path, {"m.conf": "include nope.conf\n"})
    path = str(tmp_path / "m.conf")
    result, host = run({"path": path})
    assert result["failed"] is True
    assert result["errors"][0]["code"] == "parse-error"
    assert result["errors"][0]["message"] == _harness().check(path).error
    # fetch failed, slurp told why
    assert host.slurps == [str(tmp_path / "nope.conf")]


@needs_core
@pytest.mark.parametrize("files, env, server_valid", [
    ({"c.conf": "server_name: n1\ncluster { name: a, listen: 127.0.0.1:6222 }\n"}, None, True),
    ({"c.conf": SEED_CONF}, None, True),                                     # startup-only error: -t says valid
    ({"c.conf": "clustr { name: a }\n"}, None, False),                       # unknown field: both reject it
    ({"c.conf": "port: 4222\nauthorization { user: a, password: $PW }\n"}, {"PW": "pw\"se$cret"}, True),
    # the server parses env values as config values: this one does not parse (both say so)
    ({"c.conf": "port: 4222\nauthorization { user: a, password: $PW }\n"}, {"PW": "it's a secret"}, False),
    ({"c.conf": "port: 4222\nauthorization { user: a, password: $PW }\n"}, None, False),
    ({"c.conf": "include x.conf\n", "x.conf": "port: 4223\n"}, None, True),
])
def test_server_check_agrees_with_nats_server(tmp_path, files, env, server_valid):
    _write(tmp_path, files)
    path = str(tmp_path / "c.conf")
    args = {"path": path, "server_binary": _harness().binary()}
    if env:
        args["env"] = env
    action, dummy = make_action(args)
    _local_shell(action, tmp_path)
    result = action.run(task_vars={})
    check = result["server_check"]
    assert check["valid"] is server_valid, check
    assert check["agrees"] is True, (check, result["msg"])
    if server_valid:
        assert check["digest"] == result["digest"] and check["rc"] == 0
    else:
        assert check["digest"] is None and check["rc"] == 1
    if env:
        assert "secret" not in json.dumps(result)


@needs_core
def test_server_rejection_fails_the_task_with_the_servers_message(tmp_path):
    """server_binary is a judge: a config the server rejects fails the task, its message first."""
    _write(tmp_path, {"c.conf": "port: 4222\nclustr { name: a }\n"})
    action, dummy = make_action({"path": str(tmp_path / "c.conf"), "server_binary": _harness().binary()})
    _local_shell(action, tmp_path)
    result = action.run(task_vars={})
    assert result["failed"] is True and result["valid"] is False
    rejected = result["errors"][-1]
    assert rejected["code"] == "server-rejected"
    assert rejected["message"] == 'nats-server rejected %s: %s:2:1: unknown field "clustr"' % (
        tmp_path / "c.conf", tmp_path / "c.conf")
    assert [e["code"] for e in result["errors"]] == ["unknown-field", "server-rejected"]
    assert result["msg"].endswith('nats-server rejected %s: %s:2:1: unknown field "clustr"; '
                                  "hint: the server's own verdict (server_binary); fix what it names" % (
                                      tmp_path / "c.conf", tmp_path / "c.conf"))
    assert result["server_check"]["agrees"] is True and "disagreement" not in result["server_check"]


@needs_core
def test_server_rejection_we_missed_fails_the_task_and_says_so(tmp_path):
    """A rejection natsops.nats does not predict (here a certificate file missing on the host) fails the task too."""
    _write(tmp_path, {"c.conf": 'port: 4222\ntls { cert_file: "/nonexistent/c.pem", key_file: "/nonexistent/k.pem" }\n'})
    action, dummy = make_action({"path": str(tmp_path / "c.conf"), "server_binary": _harness().binary()})
    _local_shell(action, tmp_path)
    result = action.run(task_vars={})
    assert result["failed"] is True and result["valid"] is False
    assert [e["code"] for e in result["errors"]] == ["server-rejected"]
    server = "%s:2:1: error parsing X509 certificate/key pair: open /nonexistent/c.pem: no such file or directory" % (
        tmp_path / "c.conf")
    assert result["errors"][0]["message"] == "nats-server rejected %s: %s" % (tmp_path / "c.conf", server)
    check = result["server_check"]
    assert check["agrees"] is False
    assert check["disagreement"] == (
        "natsops.nats disagrees with nats-server: the server rejects the config (%s) but natsops.nats found no "
        "error that `nats-server -t` reports; please report this to natsops.nats" % server)
    assert check["disagreement"] in result["warnings"]


def test_disagreement_is_said_either_way():
    from ansible_collections.natsops.nats.plugins.action.nats_config import disagreement
    assert disagreement(False, True, None, "sha256:a", "f.conf:1:0: boom", []) == (
        "natsops.nats disagrees with nats-server: the server rejects the config (f.conf:1:0: boom) but natsops.nats "
        "found no error that `nats-server -t` reports; please report this to natsops.nats")
    assert disagreement(True, True, "sha256:a", "sha256:b", "", []) == (
        "natsops.nats disagrees with nats-server: digest sha256:a (nats-server) vs sha256:b (natsops.nats); please "
        "report this to natsops.nats")


@needs_core
def test_server_check_with_content(tmp_path):
    action, dummy = make_action({"content": SEED_CONF, "server_binary": _harness().binary()})
    _local_shell(action, tmp_path)
    result = action.run(task_vars={})
    assert result["failed"] is True
    assert result["server_check"]["valid"] is True and result["server_check"]["agrees"] is True
    assert result["server_check"]["digest"] == result["digest"]
    assert not os.path.exists(str(tmp_path / "remote-tmp"))  # the remote temp dir is removed


@needs_core
def test_deep_configs_are_checked_but_not_returned():
    # 500 levels: nats-server -t accepts it, but Ansible would recurse over such a result
    text = "t = " + "[" * 500 + "]" * 500 + "\nport = $t\nport = 4222\n"
    result, dummy = run({"content": text})
    assert "failed" not in result and result["valid"] is True
    assert result["config"] is None
    assert result["digest"] == "sha256:4befc5335caa08101790084cb6a07ad471efd5820a043fd8cc1a6efd138034eb"
    assert "the parsed config is nested more than 100 levels deep; it is not returned as 'config'" in result["warnings"]
    # 10,001 arrays under a key (depth 10,002): the server's own digest error, reported as an error, no traceback
    text = "t = " + "[" * 10001 + "]" * 10001 + "\nport = $t\nport = 4222\n"
    result, dummy = run({"content": text})
    assert result["failed"] is True and result["config"] is None
    assert result["errors"][-1]["message"] == (
        "json: error calling MarshalJSON for type *conf.token: " * 2 + "exceeded max depth")  # as nats-server -t prints it


# -- host checks -------------------------------------------------------------

@needs_core
@pytest.mark.parametrize("become", [False, True])
def test_host_checks_read_files_over_the_connection(tmp_path, become):
    """host_checks: the TLS files are read through the connection (slurp with become), contents never returned."""
    key_pem = b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n"
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "junk.pem").write_bytes(b"not a certificate\n")
    conf = tmp_path / "nats.conf"
    conf.write_text('listen: 127.0.0.1:4222\ntls { cert_file: "%s/junk.pem", key_file: "%s/key.pem" }\n'
                    'pid_file: "%s/missing/n.pid"\n' % (tmp_path, tmp_path, tmp_path))
    result, host = run({"path": str(conf), "host_checks": True}, host=FakeHost(become=become))
    assert result["failed"] is True
    codes = [(e["code"], e["path"]) for e in result["errors"]]
    assert codes == [("host-tls-file-invalid", "tls"), ("host-directory-invalid", "pid_file")]
    assert result["errors"][0]["message"].startswith(
        "error parsing X509 certificate/key pair: tls: failed to find any PEM data in certificate input: tls (")
    assert "c2VjcmV0" not in repr(result) and "not a certificate" not in repr(result)
    read = host.slurps if become else host.fetches
    assert "%s/junk.pem" % tmp_path in read and "%s/key.pem" % tmp_path in read
    # without the option nothing but the config is read and the config is valid
    result, host = run({"path": str(conf)}, host=FakeHost(become=become))
    assert result.get("failed") is not True and result["valid"] is True
    assert (host.slurps if become else host.fetches) == [str(conf)]


# -- hostile files (issue 15) ------------------------------------------------------

@needs_core
def test_fifo_and_device_are_refused_before_reading(tmp_path):
    os.mkfifo(str(tmp_path / "fifo.conf"))
    _write(tmp_path, {"m.conf": "port: 4222\ninclude fifo.conf\n"})
    path = str(tmp_path / "m.conf")
    result, host = run({"path": path})
    assert result["failed"] is True
    assert result["errors"][0]["message"] == (
        "error parsing include file 'fifo.conf', open %s/fifo.conf: not a regular file but a named pipe (FIFO); "
        "nats-server would block or read it without end, natsops.nats refuses it" % tmp_path)
    assert host.fetches == [path] and host.slurps == []        # the FIFO was never opened
    with pytest.raises(AnsibleActionFail) as info:
        run({"path": "/dev/zero"})
    assert str(info.value) == ("cannot read /dev/zero on the managed host: not a regular file but a character device; "
                               "nats-server would block or read it without end, natsops.nats refuses it")


@needs_core
def test_size_caps_are_checked_before_the_transfer(tmp_path):
    _write(tmp_path, {"m.conf": "include big.conf\n", "big.conf": "port: 4222 # %s\n" % ("x" * 2000)})
    path = str(tmp_path / "m.conf")
    result, host = run({"path": path, "max_file_size": 1000})
    assert result["failed"] is True
    assert result["errors"][0]["message"] == ("error parsing include file 'big.conf', open %s/big.conf: file is too large "
                                              "(2014 bytes; the per-file limit is 1000 bytes)" % tmp_path)
    assert host.fetches == [path] and host.slurps == []
    result, host = run({"path": path, "max_total_size": 1000})
    assert result["errors"][0]["message"] == (
        "error parsing include file 'big.conf', open %s/big.conf: file is too large (2014 bytes; the limit for the whole "
        "config tree (main file and includes) is 983 bytes)" % tmp_path)
    with pytest.raises(AnsibleActionFail) as info:
        run({"path": path, "max_file_size": 0})
    assert str(info.value) == "max_file_size must be a positive integer, not 0"


@needs_core
def test_files_are_listed_on_a_parse_error(tmp_path):
    _write(tmp_path, {"m.conf": "include a.conf\ninclude b.conf\n", "a.conf": "port: 4222\n", "b.conf": "x = [\n"})
    path = str(tmp_path / "m.conf")
    result, dummy = run({"path": path})
    assert result["failed"] is True and result["config"] is None
    assert [f["path"] for f in result["files"]] == [path, str(tmp_path / "a.conf"), str(tmp_path / "b.conf")]


@needs_core
def test_server_check_with_content_and_base_dir_resolves_includes_from_base_dir(tmp_path):
    _write(tmp_path, {"etc/auth.conf": "authorization { user: a, password: pw-secret-2 }\n",
                      "etc/sub/c.conf": "include ../auth.conf\nserver_name: n1\n"})
    action, dummy = make_action({"content": "port: 4222\ninclude sub/c.conf\n", "base_dir": str(tmp_path / "etc"),
                                 "server_binary": _harness().binary()})
    _local_shell(action, tmp_path)
    result = action.run(task_vars={})
    assert "failed" not in result, result["msg"]
    check = result["server_check"]
    assert check["valid"] is True and check["agrees"] is True and check["digest"] == result["digest"]
    _write(tmp_path, {"real.conf": "port: 4222\ninclude etc/sub/c.conf\n"})
    assert result["digest"] == _harness().check(str(tmp_path / "real.conf")).digest
    assert not os.path.exists(str(tmp_path / "remote-tmp"))
    assert "pw-secret-2" not in json.dumps(result)


# -- server_version ------------------------------------------------------------

@needs_core
@pytest.mark.parametrize("version, valid, msg", [
    ("2.11.11", False, '1 error in <string>:\n<string>:1:1: unknown field "proxies": proxies; hint: nats-server 2.11.11 '
                       'does not know it (known to 2.12.0 and later); remove it, or upgrade first'),
    ("2.12.0", True, "<string> is valid (sha256:42b478da011e9d09daf16e7dfeb213ce27ade5c7530a6ccad5aa6ee19755cc83)"),
])
def test_server_version_decides_known_keys(version, valid, msg):
    result, dummy = run({"content": "proxies { trusted = [] }\n", "server_version": version})
    assert result["valid"] is valid
    assert result["msg"] == msg


@needs_core
def test_server_version_2_10_has_no_digest():
    result, dummy = run({"content": "port: 4222\n", "server_version": "2.10.26"})
    assert result["valid"] is True
    assert result["digest"] is None
    assert result["msg"] == "<string> is valid (nats-server 2.10.26 prints no digest)"


@needs_core
def test_unsupported_server_version_fails_the_task():
    with pytest.raises(AnsibleActionFail) as info:
        run({"content": "port: 4222\n", "server_version": "2.13.0"})
    assert str(info.value) == ("server_version 2.13.0 is not supported; supported: 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x "
                               "(default 2.15.1)")
