# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets never leave the collection (issue 15), tested like an attacker.

A property test plants a random secret (1-64 characters, any the server accepts in that place) in
one secret position of a generated config (passwords, tokens, route / gateway / leafnode URL
passwords with unencoded / # ? @, JetStream ek / prev_ek, TPM passwords, env values, bare integers
out of int64 range), optionally breaks the config, and runs every plugin over it: the filters
nats_config_validate, nats_config_valid, nats_config_digest, nats_config_parse (its error text; its
value is the parsed config by design), nats_topology_validate, and the nats_config action
(result, messages, warnings). Two oracles:

* no output contains the secret (for secrets of 4+ characters, which cannot appear by chance -- unless the
  output holds that text with any secret, like 'true');
* the output with the secret equals the output with another secret of the same shape (same length,
  same punctuation, other letters and digits): nothing of a secret of any length shows. Digests and
  file hashes are left out (they hash the secret by design).

The property is strict (a failure fails the suite); the two defects it found are regression tests below.
"""

from __future__ import annotations

import json
import re
import string

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.natsops.nats.plugins.filter.nats_config_digest import nats_config_digest
from ansible_collections.natsops.nats.plugins.filter.nats_config_parse import nats_config_parse
from ansible_collections.natsops.nats.plugins.filter.nats_config_validate import nats_config_validate
from ansible_collections.natsops.nats.plugins.filter.nats_topology_validate import nats_topology_validate
from ansible_collections.natsops.nats.plugins.test.nats_config_valid import nats_config_valid

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

# characters a double-quoted NATS string takes as they are (no quote, backslash, newline or NUL)
QUOTED_OK = "".join(c for c in string.printable if c not in "\"\\\n\r\x0b\x0c") + "éß€"
# a URL password: what survives the lexer in a quoted string, including / # ? @ ' and %
URL_OK = QUOTED_OK

POSITIONS = {
    "authorization.password": 'authorization { user: admin, password: "%s" }\n',
    "authorization.token": 'authorization { token: "%s" }\n',
    "accounts.users.password": 'accounts { A { users: [ { user: u1, password: "%s" } ] } }\n',
    "cluster.authorization": 'cluster { name: c1, listen: "127.0.0.1:6222", authorization { user: r, password: "%s" } }\n',
    "cluster.routes": 'cluster { name: c1, listen: "127.0.0.1:6222", routes: [ "nats://r:%s@127.0.0.1:6223" ] }\n',
    "gateway.urls": ('server_name: s1\ngateway { name: g1, listen: "127.0.0.1:7222", gateways: [ { name: g2, urls: '
                     '[ "nats://g:%s@127.0.0.1:7223" ] } ] }\n'),
    "leafnodes.remotes.url": 'leafnodes { remotes: [ { url: "nats://l:%s@127.0.0.1:7422" } ] }\n',
    "leafnodes.remotes.token": 'leafnodes { remotes: [ { url: "nats://%s@127.0.0.1:7422" } ] }\n',
    "jetstream.ek": 'jetstream { store_dir: "/tmp/js", ek: "%s" }\n',
    "jetstream.prev_ek": 'jetstream { store_dir: "/tmp/js", key: "k3y-material", prev_ek: "%s" }\n',
    "jetstream.tpm": 'jetstream { store_dir: "/tmp/js", tpm { keys_file: "/tmp/k", encryption_password: "%s", srk_password: "%s" } }\n',
    "env": "authorization { user: admin, password: $NATS_PW }\n",
    "bare-int": "authorization { user: admin, password: %s }\n",
    "overwritten": 'authorization { user: admin, password: %s#x\npassword: "other-pw" }\n',
}
_SHA = re.compile(r"sha256:[0-9a-f]{64}")
BREAKS = ["", "port: [\n", "port: 99999999999999999999999\n", "cluster { routes: [ \"nats://x:y@h:bad\" ] }\n",
          "include /nonexistent/x.conf\n", "unknown_top_level: 1\n"]


def _shape(secret, rng):
    """Another secret of the same shape: same length and punctuation, other letters / digits."""
    out = []
    for i, c in enumerate(secret):
        if i == 0 and c in string.digits:
            out.append(c)           # a bare integer keeps its magnitude (and stays out of int64 range)
            continue
        if c in string.ascii_lowercase:
            out.append(rng.choice([x for x in "qxzjvkw" if x != c]))
        elif c in string.ascii_uppercase:
            out.append(rng.choice([x for x in "QXZJVKW" if x != c]))
        elif c in string.digits:
            out.append(rng.choice([x for x in "0123456789" if x != c]))
        else:
            out.append(c)
    return "".join(out)


def _config(position, secret, broken):
    template = POSITIONS[position]
    if position == "env":
        text = template
        env = {"NATS_PW": '"%s"' % secret}
    else:
        text = template.replace("%s", secret)
        env = {}
    return BREAKS[broken] + text if broken else text, env


def _scrub_hashes(value):
    """The output without digests / file hashes (they hash the secret by design)."""
    if isinstance(value, dict):
        return dict((k, _scrub_hashes(v)) for k, v in value.items() if k not in ("digest", "sha256"))
    if isinstance(value, list):
        return [_scrub_hashes(v) for v in value]
    if isinstance(value, str):
        return _SHA.sub("sha256:...", value)
    return value


def _outputs(text, env):
    """Everything every plugin returns or raises for one config, as one JSON text."""
    out = {}
    for name, func in (("validate", lambda: nats_config_validate(text, env=env)),
                       ("valid", lambda: nats_config_valid(text, env=env)),
                       ("digest", lambda: nats_config_digest(text, env=env)),
                       ("parse_error", lambda: nats_config_parse(text, env=env) and None),
                       ("topology", lambda: nats_topology_validate({"h1": text, "h2": text}, config_checks=True))):
        try:
            out[name] = func()
        except AnsibleFilterError as exc:
            out[name] = "error: %s" % exc
    out["action"] = _action(text, env)
    return json.dumps(_scrub_hashes(out), sort_keys=True, default=str)


def _action(text, env):
    from ansible_collections.natsops.nats.tests.unit.plugins.action.test_nats_config import make_action
    action, dummy = make_action({"content": text, "env": env})
    try:
        result = action.run(task_vars={})
    except Exception as exc:  # pylint: disable=broad-except
        return "raised %s: %s" % (type(exc).__name__, exc)
    return result


def _secrets_for(position):
    alphabet = URL_OK if "url" in position or "routes" in position or "token" in position else QUOTED_OK
    if position == "bare-int":
        return st.integers(10 ** 19, 10 ** 40).map(str)
    if position == "overwritten":
        return st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=64)
    if position == "env":
        alphabet = "".join(c for c in QUOTED_OK if c != "$")
    return st.text(alphabet=alphabet, min_size=1, max_size=64).filter(lambda s: s.strip() == s and s)


@hypothesis.settings(max_examples=int(__import__("os").environ.get("SECRET_EXAMPLES", "120")), deadline=None,
                     database=None, suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(data=st.data())
def test_no_plugin_output_reveals_a_planted_secret(data):
    position = data.draw(st.sampled_from(sorted(POSITIONS)), label="position")
    secret = data.draw(_secrets_for(position), label="secret")
    broken = data.draw(st.integers(0, len(BREAKS) - 1), label="broken")
    rng = data.draw(st.randoms(use_true_random=False), label="rng")
    text, env = _config(position, secret, broken)
    seen = _outputs(text, env)
    other = _shape(secret, rng)
    text2, env2 = _config(position, other if other != secret else "Q" * len(secret), broken)
    baseline = _outputs(text2, env2)
    if len(secret) >= 4:
        # a secret cannot appear by chance -- unless the output holds it with any secret ('true', 'error', ...)
        for shown in set((secret, json.dumps(secret)[1:-1])):
            assert shown not in seen or shown in baseline, (position, secret, seen)
    if other != secret:
        assert baseline == seen, (position, secret, other)


@pytest.mark.parametrize("position", sorted(POSITIONS))
def test_every_position_is_covered(position):
    """Each position with a fixed secret, valid and broken: the grep oracle."""
    secret = "S3cr#t/p@ss?w0rd" if position not in ("bare-int", "overwritten") else (
        "123456789012345678901234" if position == "bare-int" else "Zq9xSecretPw")
    for broken in range(len(BREAKS)):
        text, env = _config(position, secret, broken)
        seen = _outputs(text, env)
        assert secret not in seen, (position, broken, seen)
        for piece in ("S3cr", "p@ss", "w0rd", "12345678901234", "Zq9xSecret"):
            if piece in secret:
                assert piece not in seen, (position, broken, piece, seen)


# -- regressions of the two defects the property found (issue 15) -------------------------------------

@pytest.mark.parametrize("token, other", [("A::", "Q::"), ("00:0", "11:1"), ("a:", "q:"), (":a", ":q"), ("A:B:C", "Q:X:Z"),
                                          ("u%3A1:p", "q%3A2:x"), ("a b", "q x")])
def test_url_user_info_is_masked_whole_whatever_its_shape(token, other):
    """'nats://A::@host' was shown as 'nats://A:********@host': Go reads A as a user name, but the operator
    may mean a token; the whole user info is masked, so nothing of it shows."""
    text, env = _config("leafnodes.remotes.token", token, 0)
    got = _action(text, env)
    assert got["config"]["leafnodes"]["remotes"] == [{"url": "nats://********@127.0.0.1:7422"}]
    text2, env2 = _config("leafnodes.remotes.token", other, 0)
    assert _outputs(text, env) == _outputs(text2, env2)


def test_a_one_letter_secret_does_not_mask_that_letter_in_messages_and_hints():
    """A one-letter password masked the word 'a' of messages and hints ('they form ******** separate cluster')."""
    for secret in ("a", "q"):
        text = POSITIONS["cluster.authorization"].replace("%s", secret)
        got = dict((f["code"], (f["message"], f["hint"])) for f in nats_topology_validate({"h1": text, "h2": text}))
        assert got["cluster-routes-disconnected"] == (
            'server(s) h2 of cluster "c1" have no route to or from h1 (h1 (<string>:1:21)); they form a separate cluster',
            "list the route URLs of every peer (or at least one seed of the main group) on every member")
        text = POSITIONS["gateway.urls"].replace("%s", secret)
        got = dict((f["code"], f["hint"]) for f in nats_topology_validate({"h1": text, "h2": text}))
        assert got["server-name-duplicate"] == ('peers close the connection with "Remote server has a duplicate name"; '
                                                'JetStream gets no meta leader. Give every server a unique server_name')


def test_a_one_letter_url_password_in_an_invalid_url_message():
    for secret in ("a/", "q/"):
        got = nats_config_validate(POSITIONS["cluster.routes"].replace("%s", secret))
        assert [(f["code"], f["message"], f["hint"]) for f in got] == [
            ("url-invalid", 'error parsing route url ["nats://********@127.0.0.1:6223"]: cluster.routes[0] (<string>:1:58)',
             "percent-encode '/', '#', '?' and '@' in the user name and password (%2F, %23, %3F, %40); the port is a number")]
