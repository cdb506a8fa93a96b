# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of natsops.nats.nats_server_verify (documented in plugins/modules/nats_server_verify.py).

Per host: runs the nats_server_info module on the host (its monitoring URL), compares the answer
with the planned topology (``topology/live.py``) and polls until nothing is missing or the timeout
passes (inbound gateways and routes form with a delay). Failures are Findings with host, expected
and observed.
"""

from __future__ import annotations

import time
import traceback

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
    from ansible_collections.natsops.nats.plugins.plugin_utils.topology import live as topology_live
    CORE_IMPORT_ERROR = None
except ImportError:
    CORE_IMPORT_ERROR = traceback.format_exc()

ARGUMENT_SPEC = dict(
    configs=dict(type="dict", no_log=True),
    results=dict(type="dict"),
    host=dict(type="str"),
    url=dict(type="str", default="http://127.0.0.1:8222"),
    healthz_level=dict(type="str", choices=["jetstream", "js-server-only", "js-enabled-only"], default="jetstream"),
    timeout=dict(type="float", default=60),
    delay=dict(type="float", default=1),
    reloaded_since=dict(type="str"),
    check_digest=dict(type="bool", default=True),
    validate_certs=dict(type="bool", default=True),
)


def _no_includes(path):
    raise FileNotFoundError(2, "includes are not supported in planned configs", path)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result["changed"] = False
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if CORE_IMPORT_ERROR is not None:
            raise AnsibleActionFail("natsops.nats: cannot load the config parser: %s" % CORE_IMPORT_ERROR.strip().splitlines()[-1])
        if args["results"] is not None:
            return self._inbound(result, args["results"])
        if not args["configs"]:
            raise AnsibleActionFail("one of configs (check this server) or results (the inbound gateways of all) is required")
        host = args["host"] or to_text(task_vars.get("inventory_hostname"))
        parsed = {}
        for name, text in (args["configs"] or {}).items():
            if text is None:
                continue
            try:
                parsed[to_text(name)] = conf_parser.parse_string(to_text(text), loader=_no_includes).config
            except (NatsConfError, ValueError, TypeError) as exc:
                raise AnsibleActionFail("configs: the planned config of %s does not parse: %s" % (name, exc))
        if host not in parsed:
            raise AnsibleActionFail("configs: no planned config for %s (planned: %s)" % (host, ", ".join(sorted(parsed)) or "none"))
        expected = topology_live.plan(parsed)[host]

        module_args = dict(url=args["url"], healthz_level=args["healthz_level"], fail_on_error=False,
                           validate_certs=args["validate_certs"])
        deadline = time.monotonic() + max(args["timeout"], 0)
        attempts = 0
        while True:
            attempts += 1
            observed = self._execute_module(module_name="natsops.nats.nats_server_info", module_args=module_args,
                                            task_vars=task_vars)
            if observed.get("failed"):
                observed = {"error": observed.get("msg", "nats_server_info failed")}
            findings = topology_live.compare(host, expected, observed, reloaded_since=args["reloaded_since"],
                                             check_digest=args["check_digest"])
            if not findings or time.monotonic() + args["delay"] > deadline:
                break
            time.sleep(args["delay"])

        result.update(
            expected=expected,
            observed=dict((k, observed[k]) for k in ("varz", "routez", "gatewayz", "leafz", "healthz", "jsz", "error") if k in observed),
            findings=[f.to_dict() for f in findings],
            attempts=attempts,
        )
        if findings:
            result["failed"] = True
            result["msg"] = "%s: %d problem%s after %d attempt%s (%.0fs):\n%s" % (
                host, len(findings), "" if len(findings) == 1 else "s", attempts, "" if attempts == 1 else "s",
                args["timeout"], "\n".join(f.format() for f in findings))
        else:
            result["msg"] = "%s runs its planned config and sees the planned topology" % host
        return result

    @staticmethod
    def _inbound(result, results):
        expected, observed = {}, {}
        for host, item in results.items():
            if not isinstance(item, dict) or "expected" not in item:
                raise AnsibleActionFail("results: %s has no per-server result of nats_server_verify" % host)
            expected[host] = item["expected"]
            observed[host] = item.get("observed") or {}
        findings = topology_live.compare_inbound(expected, observed)
        result["findings"] = [f.to_dict() for f in findings]
        if findings:
            result["failed"] = True
            result["msg"] = "inbound gateways: %d problem%s:\n%s" % (
                len(findings), "" if len(findings) == 1 else "s", "\n".join(f.format() for f in findings))
        else:
            result["msg"] = "every cluster holds an inbound gateway connection from each server of every other cluster"
        return result
