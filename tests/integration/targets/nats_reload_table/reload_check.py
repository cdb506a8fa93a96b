#!/usr/bin/env python
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Judge the reload table (plugins/plugin_utils/render/reload.py) with real nats-server binaries.

For every entry of the table there is a case below: a config and a changed config. Each case
starts a real server with the first config on 127.0.0.1, writes the second, sends SIGHUP and
reads the server's verdict from its log ("Reloaded server configuration" or "Failed to reload
server configuration: ..."); an accepted reload must also move /varz config_load_time when the
monitor stays where it was. The verdict must equal the table's decision for that version.

usage: reload_check.py VERSION=BINARY [VERSION=BINARY ...]
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def _collections_parent(start):
    """The directory that holds the nearest ansible_collections/ above ``start`` (ansible-test runs a copy
    of this target below its own ansible_collections/natsops/nats/tests/output tree)."""
    path = start
    while os.path.dirname(path) != path:
        if os.path.basename(path) == "ansible_collections":
            return os.path.dirname(path)
        path = os.path.dirname(path)
    return os.path.abspath(os.path.join(start, "..", "..", "..", "..", "..", "..", ".."))


sys.path.insert(0, _collections_parent(HERE))
sys.path.insert(0, os.path.join(_collections_parent(HERE), "ansible_collections", "natsops", "nats", "tests", "integration"))

from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser  # noqa: E402
from ansible_collections.natsops.nats.plugins.plugin_utils.render import reload as reload_table  # noqa: E402
from ports import pick_ports  # noqa: E402  (tests/integration/ports.py)

JS = "jetstream { store_dir: \"{d}/js\" }\n"
TLS_A = "tls { cert_file: \"{d}/a.pem\", key_file: \"{d}/a.key\" }"
TLS_B = "tls { cert_file: \"{d}/b.pem\", key_file: \"{d}/b.key\" }"

# rule id (path, "@change" unless any) -> case. old/new are the lines that differ; "base: False" leaves out
# the default `listen`; "js" adds a JetStream block to both; "since": the first version that knows the key.
CASES = {
    "debug": dict(old="debug: false", new="debug: true"),
    "trace": dict(old="trace: false", new="trace: true"),
    "trace_verbose": dict(old="trace_verbose: false", new="trace_verbose: true"),
    "logtime": dict(old="logtime: true", new="logtime: false"),
    "logtime_utc": dict(old="logtime_utc: false", new="logtime_utc: true"),
    "log_file": dict(old="log_file: \"{d}/one.log\"", new="log_file: \"{d}/two.log\""),
    "syslog": dict(old="remote_syslog: \"udp://127.0.0.1:{p3}\"\nsyslog: false",
                   new="remote_syslog: \"udp://127.0.0.1:{p3}\"\nsyslog: true", log=False),
    "remote_syslog": dict(old="remote_syslog: \"udp://127.0.0.1:{p3}\"", new="remote_syslog: \"udp://127.0.0.1:{p4}\"", log=False),
    "tls": dict(old=TLS_A, new=TLS_B),
    "authorization": dict(old="authorization { user: a, password: one }", new="authorization { user: a, password: two }"),
    "accounts": dict(old="accounts { A { users: [ { user: u1, password: p1 } ] } }",
                     new="accounts { A { users: [ { user: u1, password: p1 }, { user: u2, password: p2 } ] } }"),
    "max_connections": dict(old="max_connections: 100", new="max_connections: 200"),
    "pid_file": dict(old="pid_file: \"{d}/one.pid\"", new="pid_file: \"{d}/two.pid\""),
    "ports_file_dir": dict(old="ports_file_dir: \"{d}\"", new="ports_file_dir: \"{d}/ports\""),
    "max_control_line": dict(old="max_control_line: 4096", new="max_control_line: 8192"),
    "max_payload": dict(old="max_payload: 1048576", new="max_payload: 524288"),
    "ping_interval": dict(old="ping_interval: \"2m\"", new="ping_interval: \"1m\""),
    "ping_max": dict(old="ping_max: 2", new="ping_max: 3"),
    "write_deadline": dict(old="write_deadline: \"10s\"", new="write_deadline: \"5s\""),
    "client_advertise": dict(old="client_advertise: \"127.0.0.1:{p3}\"", new="client_advertise: \"127.0.0.1:{p4}\""),
    "connect_error_reports": dict(old="connect_error_reports: 3600", new="connect_error_reports: 10"),
    "reconnect_error_reports": dict(old="reconnect_error_reports: 1", new="reconnect_error_reports: 5"),
    "max_traced_msg_len": dict(old="max_traced_msg_len: 0", new="max_traced_msg_len: 100"),
    "server_tags": dict(old="server_tags: [ \"az:1\" ]", new="server_tags: [ \"az:2\" ]"),
    "server_metadata": dict(old="server_metadata { team: one }", new="server_metadata { team: two }", since=(2, 12, 0)),
    "prof_block_rate": dict(old="prof_block_rate: 0", new="prof_block_rate: 10"),
    "no_fast_producer_stall": dict(old="no_fast_producer_stall: false", new="no_fast_producer_stall: true"),
    "server_name": dict(old="server_name: one", new="server_name: two", base_name=False),
    "listen": dict(old="listen: \"127.0.0.1:{p3}\"", new="listen: \"127.0.0.1:{p4}\"", base=False),
    "host": dict(old="host: 127.0.0.1\nport: {p3}", new="host: 127.0.0.2\nport: {p3}", base=False),
    "port": dict(old="host: 127.0.0.1\nport: {p3}", new="host: 127.0.0.1\nport: {p4}", base=False),
    "http": dict(old="http: \"127.0.0.1:{p3}\"", new="http: \"127.0.0.1:{p4}\"", monitor=False),
    "https": dict(old=TLS_A + "\nhttps: \"127.0.0.1:{p3}\"", new=TLS_A + "\nhttps: \"127.0.0.1:{p4}\"", monitor=False),
    "http_port": dict(old="http_port: {p3}", new="http_port: {p4}", monitor=False),
    "https_port": dict(old=TLS_A + "\nhttps_port: {p3}", new=TLS_A + "\nhttps_port: {p4}", monitor=False),
    "http_base_path": dict(old="http_base_path: \"/one\"", new="http_base_path: \"/two\"", monitor=False),
    "prof_port": dict(old="prof_port: {p3}", new="prof_port: {p4}"),
    "max_pending": dict(old="max_pending: 67108864", new="max_pending: 134217728"),
    "max_subscriptions": dict(old="max_subscriptions: 100", new="max_subscriptions: 200"),
    "max_closed_clients": dict(old="max_closed_clients: 10000", new="max_closed_clients: 100"),
    "lame_duck_duration": dict(old="lame_duck_duration: \"2m\"", new="lame_duck_duration: \"1m\""),
    "lame_duck_grace_period": dict(old="lame_duck_grace_period: \"10s\"", new="lame_duck_grace_period: \"5s\""),
    "system_account": dict(old="accounts { S1 {}, S2 {} }\nsystem_account: S1", new="accounts { S1 {}, S2 {} }\nsystem_account: S2"),
    "no_system_account": dict(old="no_system_account: false", new="no_system_account: true"),
    "feature_flags": dict(old="feature_flags { natsops_test: true }", new="feature_flags { natsops_test: false }",
                          since=(2, 14, 0)),
    "disable_sublist_cache": dict(old="disable_sublist_cache: false", new="disable_sublist_cache: true"),
    "no_header_support": dict(old="no_header_support: false", new="no_header_support: true"),
    "write_timeout": dict(old="write_timeout: retry", new="write_timeout: close", since=(2, 11, 0)),
    "no_auth_user": dict(old="authorization { users: [ { user: a, password: p }, { user: b, password: p } ] }\nno_auth_user: a",
                         new="authorization { users: [ { user: a, password: p }, { user: b, password: p } ] }\nno_auth_user: b"),
    "cluster@presence": dict(old="", new="cluster { name: c, listen: \"127.0.0.1:{p3}\" }"),
    "cluster.listen": dict(old="cluster { name: c, listen: \"127.0.0.1:{p3}\" }", new="cluster { name: c, listen: \"127.0.0.1:{p4}\" }"),
    "cluster.host": dict(old="cluster { name: c, host: 127.0.0.1, port: {p3} }", new="cluster { name: c, host: 127.0.0.2, port: {p3} }"),
    "cluster.port": dict(old="cluster { name: c, host: 127.0.0.1, port: {p3} }", new="cluster { name: c, host: 127.0.0.1, port: {p4} }"),
    "cluster": dict(old="cluster { name: c, listen: \"127.0.0.1:{p3}\", authorization { user: r, password: one } }",
                    new="cluster { name: c, listen: \"127.0.0.1:{p3}\", authorization { user: r, password: two }, "
                        "routes: [ \"nats-route://r:two@127.0.0.1:{p4}\" ] }"),
    "gateway.tls": dict(old="gateway { name: g, listen: \"127.0.0.1:{p3}\", " + TLS_A + " }",
                        new="gateway { name: g, listen: \"127.0.0.1:{p3}\", " + TLS_B + " }"),
    "gateway": dict(old="gateway { name: g, listen: \"127.0.0.1:{p3}\", authorization { user: g, password: one } }",
                    new="gateway { name: g, listen: \"127.0.0.1:{p3}\", authorization { user: g, password: two } }"),
    "leafnodes@presence": dict(old="", new="leafnodes { listen: \"127.0.0.1:{p3}\" }"),
    "leafnodes.remotes": dict(old="leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:{p3}\" } ] }",
                              new="leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:{p3}\" }, "
                                  "{ url: \"nats-leaf://127.0.0.1:{p4}\", account: A } ] }\naccounts { A {} }"),
    "leafnodes.tls": dict(old="leafnodes { listen: \"127.0.0.1:{p3}\", " + TLS_A + " }",
                          new="leafnodes { listen: \"127.0.0.1:{p3}\", " + TLS_B + " }"),
    "leafnodes.compression": dict(old="leafnodes { listen: \"127.0.0.1:{p3}\", compression: off }",
                                  new="leafnodes { listen: \"127.0.0.1:{p3}\", compression: s2_fast }"),
    "leafnodes": dict(old="leafnodes { listen: \"127.0.0.1:{p3}\" }", new="leafnodes { listen: \"127.0.0.1:{p4}\" }"),
    "jetstream.store_dir": dict(old="jetstream { store_dir: \"{d}/one\" }", new="jetstream { store_dir: \"{d}/two\" }"),
    "jetstream.max_memory_store@increase": dict(old="jetstream { store_dir: \"{d}/js\", max_memory_store: 67108864 }",
                                                new="jetstream { store_dir: \"{d}/js\", max_memory_store: 134217728 }"),
    "jetstream.max_memory_store": dict(old="jetstream { store_dir: \"{d}/js\", max_memory_store: 134217728 }",
                                       new="jetstream { store_dir: \"{d}/js\", max_memory_store: 67108864 }"),
    "jetstream.max_file_store@increase": dict(old="jetstream { store_dir: \"{d}/js\", max_file_store: 67108864 }",
                                              new="jetstream { store_dir: \"{d}/js\", max_file_store: 134217728 }"),
    "jetstream.max_file_store": dict(old="jetstream { store_dir: \"{d}/js\", max_file_store: 134217728 }",
                                     new="jetstream { store_dir: \"{d}/js\", max_file_store: 67108864 }"),
    "jetstream.limits": dict(old="jetstream { store_dir: \"{d}/js\", limits { max_ack_pending: 1000 } }",
                             new="jetstream { store_dir: \"{d}/js\", limits { max_ack_pending: 2000 } }"),
    "jetstream": dict(old="jetstream { store_dir: \"{d}/js\", domain: one }", new="jetstream { store_dir: \"{d}/js\", domain: two }"),
    "websocket.tls": dict(old="websocket { listen: \"127.0.0.1:{p3}\", " + TLS_A + " }",
                          new="websocket { listen: \"127.0.0.1:{p3}\", " + TLS_B + " }"),
    "websocket": dict(old="websocket { listen: \"127.0.0.1:{p3}\", no_tls: true }", new="websocket { listen: \"127.0.0.1:{p4}\", no_tls: true }"),
    "mqtt.tls": dict(old="mqtt { listen: \"127.0.0.1:{p3}\", " + TLS_A + " }", new="mqtt { listen: \"127.0.0.1:{p3}\", " + TLS_B + " }", js=True),
    "mqtt.ack_wait": dict(old="mqtt { listen: \"127.0.0.1:{p3}\", ack_wait: \"30s\" }",
                          new="mqtt { listen: \"127.0.0.1:{p3}\", ack_wait: \"60s\" }", js=True),
    "mqtt.max_ack_pending": dict(old="mqtt { listen: \"127.0.0.1:{p3}\", max_ack_pending: 100 }",
                                 new="mqtt { listen: \"127.0.0.1:{p3}\", max_ack_pending: 200 }", js=True),
    "mqtt.stream_replicas": dict(old="mqtt { listen: \"127.0.0.1:{p3}\", stream_replicas: 1 }",
                                 new="mqtt { listen: \"127.0.0.1:{p3}\", stream_replicas: 3 }", js=True),
    "mqtt.consumer_replicas": dict(old="mqtt { listen: \"127.0.0.1:{p3}\", consumer_replicas: 1 }",
                                   new="mqtt { listen: \"127.0.0.1:{p3}\", consumer_replicas: 3 }", js=True),
    "mqtt.consumer_memory_storage": dict(old="mqtt { listen: \"127.0.0.1:{p3}\", consumer_memory_storage: false }",
                                         new="mqtt { listen: \"127.0.0.1:{p3}\", consumer_memory_storage: true }", js=True),
    "mqtt.consumer_inactive_threshold": dict(old="mqtt { listen: \"127.0.0.1:{p3}\", consumer_inactive_threshold: \"1h\" }",
                                             new="mqtt { listen: \"127.0.0.1:{p3}\", consumer_inactive_threshold: \"2h\" }", js=True),
    "mqtt": dict(old="mqtt { listen: \"127.0.0.1:{p3}\" }", new="mqtt { listen: \"127.0.0.1:{p4}\" }", js=True),
}

# Entries without a case here need what a loopback test cannot give; each says why.
NO_CASE = {
    "operator": "needs an operator JWT and a resolver",
    "resolver@presence": "a resolver needs an operator JWT",
    "resolver": "a resolver needs an operator JWT",
}


def rule_id(rule):
    return rule.path if rule.change == "any" else "%s@%s" % (rule.path, rule.change)


def certs(work):
    for name in ("a", "b"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", os.path.join(work, name + ".key"), "-out", os.path.join(work, name + ".pem")],
                       check=True, capture_output=True)


def fill(text, d, p3, p4):
    return text.replace("{d}", d).replace("{p3}", str(p3)).replace("{p4}", str(p4))


def conf_text(case, which, ports, d):
    lines = []
    if case.get("base_name", True):
        lines.append("server_name: reload-check")
    if case.get("base", True):
        lines.append("listen: \"127.0.0.1:%d\"" % ports[0])
    if case.get("monitor", True):
        lines.append("http: \"127.0.0.1:%d\"" % ports[1])
    if case.get("js"):
        lines.append(fill(JS.strip(), d, ports[3], ports[4]))
    lines.append(fill(case[which], d, ports[3], ports[4]))
    return "\n".join(lines) + "\n"


def logs(d):
    text = ""
    for name in sorted(os.listdir(d)):
        if name.endswith(".log") or name == "stderr":
            with open(os.path.join(d, name), "rb") as f:
                text += f.read().decode("utf-8", "replace")
    return text


def varz(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/varz" % port, timeout=2) as r:
            return json.loads(r.read().decode("utf-8"))
    except (OSError, ValueError):
        return None


def wait(cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.02)
    return None


def run_case(binary, work, key, case):
    """-> ('reload' | 'restart', detail)"""
    d = tempfile.mkdtemp(prefix=key.replace("@", "-") + ".", dir=work)
    for name in ("a.pem", "a.key", "b.pem", "b.key"):
        shutil.copy(os.path.join(work, name), os.path.join(d, name))
    os.mkdir(os.path.join(d, "ports"))
    ports = pick_ports(5)
    path = os.path.join(d, "server.conf")
    old, new = conf_text(case, "old", ports, d), conf_text(case, "new", ports, d)
    with open(path, "w") as f:
        f.write(old)
    with open(os.path.join(d, "stderr"), "wb") as err:
        proc = subprocess.Popen([binary, "-c", path], stdout=subprocess.DEVNULL, stderr=err, cwd=d)
    try:
        if case.get("log", True):
            ready = wait(lambda: "Server is ready" in logs(d) or proc.poll() is not None, 20)
            ready = ready and proc.poll() is None
        else:  # logs go to syslog: the monitor tells when the server is up and whether a reload was applied
            ready = wait(lambda: proc.poll() is not None or varz(ports[1]), 20) and proc.poll() is None
        if not ready:
            return "start failed", logs(d)[-600:]
        before = varz(ports[1]) if case.get("monitor", True) else None
        if case.get("monitor", True) and not before:
            return "no varz", ""
        time.sleep(0.01)
        with open(path + ".new", "w") as f:
            f.write(new)
        os.replace(path + ".new", path)
        proc.send_signal(signal.SIGHUP)
        if not case.get("log", True):
            moved = wait(lambda: (varz(ports[1]) or {}).get("config_load_time") not in (None, before.get("config_load_time")), 3)
            return ("reload", "") if moved else ("restart", "config_load_time did not move within 3s")
        verdict = wait(lambda: ("Reloaded server configuration" in logs(d) and "reload")
                       or ("Failed to reload server configuration" in logs(d) and "refused"), 20)
        text = logs(d)
        detail = ""
        for line in text.splitlines():
            if "Failed to reload" in line:
                detail = line.split("Failed to reload server configuration: ", 1)[-1]
        if verdict == "reload" and before is not None:
            if not wait(lambda: (varz(ports[1]) or {}).get("config_load_time") not in (None, before.get("config_load_time")), 3):
                return "reload without a new config_load_time", ""
        if verdict is None:
            return "no verdict", text[-600:]
        return ("reload" if verdict == "reload" else "restart"), detail
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def check_version(version, binary, work, cases):
    vt = reload_table.version_tuple(version)
    jobs = {}
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        for key, case in sorted(cases.items()):
            if case.get("since") and vt < case["since"]:
                continue
            jobs[key] = pool.submit(run_case, binary, work, key, case)
        for key, job in sorted(jobs.items()):
            case = cases[key]
            old = conf_parser.parse_string(fill(case["old"], "/d", 1, 2)).config if case["old"] else {}
            new = conf_parser.parse_string(fill(case["new"], "/d", 1, 2)).config
            changed = reload_table.changes(old, new, vt)
            expected = "restart" if any(dec == reload_table.RESTART for dummy, dec in changed) else "reload"
            observed, detail = job.result()
            results.append((key, expected, observed, detail, changed))
    return results


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    ids = set(rule_id(r) for r in reload_table.RULES)
    problems = []
    for key in sorted(ids - set(CASES) - set(NO_CASE)):
        problems.append("table entry %s has no case" % key)
    for key in sorted(set(CASES) - ids):
        problems.append("case %s is not a table entry" % key)
    work = tempfile.mkdtemp(prefix="reload-check.")
    try:
        certs(work)
        total = 0
        for arg in argv:
            version, binary = arg.split("=", 1)
            started = time.monotonic()
            results = check_version(version, binary, work, CASES)
            bad = [r for r in results if r[1] != r[2]]
            total += len(results)
            print("nats-server %s: %d keys changed on a running server, %d reloads accepted, %d refused, %d differ from the table (%.1fs)"
                  % (version, len(results), sum(1 for r in results if r[2] == "reload"), sum(1 for r in results if r[2] == "restart"),
                     len(bad), time.monotonic() - started))
            for key, expected, observed, detail, changed in bad:
                problems.append("%s %s: table says %s, server: %s %s (changes seen by the table: %s)"
                                % (version, key, expected, observed, detail, changed))
        print("%d verdicts of real servers, %d entries without a loopback case (%s)" % (total, len(NO_CASE), ", ".join(sorted(NO_CASE))))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for p in problems:
        print("MISMATCH " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
