# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every secret leak of issue 15, as a regression test with the exact output."""

from __future__ import annotations

import json
import os

from ansible_collections.natsops.nats.plugins.filter.nats_config_validate import nats_config_validate
from ansible_collections.natsops.nats.plugins.plugin_utils.checks.engine import validate_text
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.parser import parse_string
from ansible_collections.natsops.nats.plugins.plugin_utils.redact import REDACTED, redact, scrub, unknown_top_level_keys


def messages(text, env=None):
    return [(f["code"], f["message"], f["hint"]) for f in nats_config_validate(text, env=env or {})]


def test_jetstream_keys_and_tpm_passwords_are_masked_in_config():
    r = parse_string('jetstream { store_dir: "/tmp/js", ek: "ek-secret-1", prev_ek: "prev-secret-2", '
                     'tpm { keys_file: "/k", encryption_password: "tpm-secret-3", srk_password: "srk-secret-4" } }\n')
    assert redact(r.config, r.secrets) == {"jetstream": {
        "store_dir": "/tmp/js", "ek": REDACTED, "prev_ek": REDACTED,
        "tpm": {"keys_file": "/k", "encryption_password": REDACTED, "srk_password": REDACTED}}}
    assert {"ek-secret-1", "prev-secret-2", "tpm-secret-3", "srk-secret-4"} <= set(r.secrets)


def test_url_passwords_with_unencoded_delimiters():
    for pw in ("pa/ss", "pa#ss", "pa?ss", "pa@ss", "p/#?@"):
        text = 'cluster { name: c, listen: "127.0.0.1:6222", routes: [ "nats://ruser:%s@127.0.0.1:6223" ] }\n' % pw
        r = parse_string(text)
        assert redact(r.config, r.secrets)["cluster"]["routes"] == ["nats://%s@127.0.0.1:6223" % REDACTED]
        out = json.dumps(messages(text))
        assert pw not in out and "ss@" not in out, out


def test_short_and_quoted_passwords_in_url_invalid_messages():
    for pw in ("ab", "p'q", 'x"y', "7"):
        text = 'cluster { name: c, listen: "127.0.0.1:6222", routes: [ "nats://u:%s@host:bad" ] }\n' % pw.replace('"', '\\"')
        got = messages(text)
        assert [c for c, m, h in got] == ["url-invalid"]
        assert got[0][1] == ('error parsing route url ["nats://%s@host:bad"]: cluster.routes[0] (<string>:1:57)' % REDACTED)


def test_int64_overflow_token_at_a_secret_path():
    assert messages("authorization { user: a, password: 99999999999999999999 }\n") == [
        ("parse-error", "integer '%s' is out of the range" % REDACTED, None)]
    # elsewhere the server's own text stays
    assert messages("port: 99999999999999999999\n") == [
        ("parse-error", "integer '99999999999999999999' is out of the range", None)]


def test_env_values_that_do_not_parse_are_not_quoted():
    got = messages("authorization { user: a, password: $PW }\n", env={"PW": "it's sekrit"})
    assert got == [("parse-error", "variable reference for 'PW' on line 1 could not be parsed: Parse error on line 1: "
                                   "'Expected a top-level value to end with a new line, comment or EOF, but got '%s' instead.'"
                    % REDACTED, None)]


def test_glued_comment_warning_of_an_overwritten_password():
    got = messages("authorization { user: a, password: abc#def\n password: other }\n")
    assert got[0] == ("glued-comment", "'#' glued to the value is not a comment: the server reads the string '%s'" % REDACTED,
                      "put a blank before the comment")
    assert "abc" not in json.dumps(got)


def test_included_key_value_file_is_not_returned(tmp_path):
    (tmp_path / "env.file").write_text("DB_PASSWORD=hunter2x\nAPI_TOKEN=abc123tok\n")
    parsed, findings = validate_text("port: 4222\ninclude env.file\n", base_dir=str(tmp_path))
    assert [(f.code, f.message) for f in findings] == [
        ("unknown-field", 'unknown field "DB_PASSWORD": DB_PASSWORD (%s/env.file:1:1)' % tmp_path),
        ("unknown-field", 'unknown field "API_TOKEN": API_TOKEN (%s/env.file:2:1)' % tmp_path)]
    hidden = unknown_top_level_keys(findings)
    assert redact(parsed.config, parsed.secrets, hidden=hidden) == {
        "port": 4222, "DB_PASSWORD": REDACTED, "API_TOKEN": REDACTED}


def test_proc_self_environ_is_not_returned():
    parsed, findings = validate_text("port: 4222\ninclude /proc/self/environ\n", base_dir="/")
    if parsed is None:
        # this process's environment does not parse as a config (it depends on the runner): then only the
        # server's parse error is returned, and it quotes no environment value
        assert [f.code for f in findings] == ["parse-error"]
        assert "error parsing include file '/proc/self/environ'" in findings[0].message
        fixed = "error parsing include file '/proc/self/environ', Parse error on line"   # the server's own words
        assert [v for v in os.environ.values() if len(v) >= 8 and v not in fixed and v in findings[0].message] == []
        return
    out = redact(parsed.config, parsed.secrets, hidden=unknown_top_level_keys(findings))
    assert out["port"] == 4222
    assert set(v for k, v in out.items() if k != "port") <= {REDACTED}


def test_scrub_rules():
    secrets = {"ab", "longsecret", "p/#?@q"}
    # a short secret is masked where a value stands (quoted), not as a word of the text around it
    assert scrub("a 'ab' b ab c fab", secrets) == "a '%s' b ab c fab" % REDACTED
    assert scrub('parse "nats://u:p/#?@q@h:1": invalid port ":p" after host', secrets) == (
        'parse "nats://%s@h:1": invalid port "%s" after host' % (REDACTED, REDACTED))
    assert scrub("x longsecretly", secrets) == "x %sly" % REDACTED
    assert scrub("listen 127.0.0.1", {"0", "1"}) == "listen 127.0.0.1"


def test_a_secret_in_an_include_path_or_a_key_is_not_printed(tmp_path):
    """Findings built from file paths and keys go through the same redaction as messages: file, path,
    message and hint, and the module's list of files read."""
    from ansible_collections.natsops.nats.tests.unit.plugins.action.test_nats_config import make_action
    (tmp_path / "hunter2pw.conf").write_text("port: 4222\nbogus_key: 1\n")
    head = 'authorization { user: a, password: "hunter2pw" }\n'
    masked = "%s/%s.conf" % (tmp_path, REDACTED)
    assert nats_config_validate(head + 'include "hunter2pw.conf"\n', base_dir=str(tmp_path)) == [
        {"code": "unknown-field", "severity": "error", "message": 'unknown field "bogus_key": bogus_key (%s:2:1)' % masked,
         "file": masked, "line": 2, "column": 1, "path": "bogus_key", "hint": "remove it or fix the spelling"}]
    # the include fails: the password read before it is known to the redaction all the same
    assert messages(head + 'include "nothere/hunter2pw.conf"\n') == [
        ("parse-error", "error parsing include file 'nothere/%s.conf', open nothere/%s.conf: no such file or directory"
         % (REDACTED, REDACTED), None)]
    # a key that is the secret: message and path
    assert nats_config_validate(head + "hunter2pw: 1\n") == [
        {"code": "unknown-field", "severity": "error", "message": 'unknown field "%s": %s (<string>:2:1)' % (REDACTED, REDACTED),
         "file": "<string>", "line": 2, "column": 1, "path": REDACTED, "hint": "remove it or fix the spelling"}]
    action, dummy = make_action({"content": head + 'include "hunter2pw.conf"\n', "base_dir": str(tmp_path)})
    result = action.run(task_vars={})
    assert [f["path"] for f in result["files"]] == ["<string>", masked]
    assert "hunter2pw" not in json.dumps(result)


def test_a_variable_that_holds_a_short_password_is_masked():
    """'PW = ab' referenced by a password: the variable's own value in config is the secret too, wherever it
    stands (a short secret is masked by its position, not by equality with other values)."""
    from ansible_collections.natsops.nats.tests.unit.plugins.action.test_nats_config import make_action
    text = 'PW = "ab"\nserver_name: "ab"\nauthorization { user: x, password: $PW }\n'
    assert parse_string(text).marks == frozenset(["ab"])
    action, dummy = make_action({"content": text})
    assert action.run(task_vars={})["config"] == {
        "PW": REDACTED, "server_name": REDACTED, "authorization": {"user": "x", "password": REDACTED}}
    # a two-letter password written in place does not mask another value that happens to be equal
    action, dummy = make_action({"content": 'server_name: "ab"\nauthorization { user: x, password: "ab" }\n'})
    assert action.run(task_vars={})["config"] == {"server_name": "ab", "authorization": {"user": "x", "password": REDACTED}}
