# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of natsops.nats.nats_topology (documented in plugins/modules/nats_topology.py).

Runs on the controller, once for the play. Each host's config file is read
over a connection to that host (plugin_utils/remote/loader.py RemoteLoader),
then everything is parsed and checked by plugin_utils/topology/checks.py.
"""

from __future__ import annotations

import os
import posixpath
import traceback

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.findings import Finding
from ansible_collections.natsops.nats.plugins.plugin_utils.conf.model import NatsConfError
from ansible_collections.natsops.nats.plugins.plugin_utils.remote.loader import RemoteError, RemoteLoader
from ansible_collections.natsops.nats.plugins.plugin_utils.versions import DEFAULT_VERSION, VersionError, parse_version

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.conf import parser as conf_parser
    from ansible_collections.natsops.nats.plugins.plugin_utils.topology import checks as topology_checks
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    HAS_PYPARSING = getattr(conf_parser, "HAS_PYPARSING", True)
    PYPARSING_IMPORT_ERROR = getattr(conf_parser, "PYPARSING_IMPORT_ERROR", None)
    CORE_IMPORT_ERROR = None
except ImportError:  # the core itself is broken or incomplete: report it, don't crash
    HAS_PYPARSING = True
    PYPARSING_IMPORT_ERROR = None
    CORE_IMPORT_ERROR = traceback.format_exc()

try:
    from ansible_collections.natsops.nats.plugins.plugin_utils.redact import scrub_finding, secret_values
except ImportError:  # pragma: no cover
    scrub_finding = None
    secret_values = None

ARGUMENT_SPEC = dict(
    configs=dict(type="dict"),
    hosts=dict(type="list", elements="str"),
    path=dict(type="str"),
    path_var=dict(type="str", default="nats_server_config_path"),
    addresses=dict(type="dict"),
    config_checks=dict(type="bool", default=True),
    env=dict(type="dict", default={}, no_log=True),
    disable=dict(type="list", elements="str", default=[]),
    warnings_as_errors=dict(type="bool", default=False),
    server_version=dict(type="str", default=DEFAULT_VERSION),
    server_versions=dict(type="dict"),
    server_version_var=dict(type="str", default="nats_server_version"),
)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = True
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result["changed"] = False

        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if CORE_IMPORT_ERROR is not None:
            raise AnsibleActionFail("natsops.nats: cannot load the topology checks: %s" % CORE_IMPORT_ERROR.strip().splitlines()[-1])
        if not HAS_PYPARSING:
            result.update(failed=True, msg=missing_required_lib("pyparsing"), exception=PYPARSING_IMPORT_ERROR)
            return result

        disable = list(args["disable"] or [])
        self._check_codes(disable)
        env = dict((str(k), "" if v is None else to_text(v)) for k, v in (args["env"] or {}).items())
        hostvars = task_vars.get("hostvars") or {}

        try:
            default_version = parse_version(args["server_version"])
        except VersionError as exc:
            raise AnsibleActionFail(to_text(exc))

        files = None
        if args["configs"] is not None:
            configs = {}
            for host, value in args["configs"].items():
                if isinstance(value, dict):
                    configs[to_text(host)] = value
                elif isinstance(value, (str, bytes)):
                    configs[to_text(host)] = to_text(value)
                else:
                    raise AnsibleActionFail("configs: the config of %s must be text or a dict, not %s" % (host, type(value).__name__))
            hosts = list(configs)
            server_versions = self._versions(hosts, args, hostvars, default_version)
            loaders = {}
            filenames = {}
        else:
            hosts = [to_text(h) for h in (args["hosts"] if args["hosts"] is not None else task_vars.get("ansible_play_hosts") or [])]
            if not hosts:
                raise AnsibleActionFail("no hosts to check: set hosts or configs")
            server_versions = self._versions(hosts, args, hostvars, default_version)
            configs, filenames, loaders, files = self._read_all(hosts, args, task_vars, hostvars, env, server_versions)

        addresses = self._addresses(hosts, args["addresses"], hostvars)
        try:
            findings, topo = topology_checks.validate_configs(
                configs, addresses=addresses, disable=disable, warnings_as_errors=args["warnings_as_errors"],
                config_checks=args["config_checks"], env=dict((h, env) for h in hosts), loaders=loaders, filenames=filenames,
                server_versions=server_versions)
        except (ValueError, TypeError) as exc:
            raise AnsibleActionFail(to_text(exc))
        finally:
            for loader in loaders.values():
                cleanup = getattr(loader, "cleanup", None)
                if cleanup is not None:
                    cleanup()

        secrets = set(v for v in env.values() if v)
        if secret_values is not None:
            for host, value in configs.items():
                cfg = getattr(value, "config", value)
                if isinstance(cfg, dict):
                    secrets.update(secret_values(cfg, getattr(value, "marks", ())))
        dicts = [self._clean(f, secrets) for f in findings]
        errors = [d for d in dicts if d["severity"] == "error"]
        warnings = [d for d in dicts if d["severity"] == "warning"]

        result.update(
            valid=not errors,
            errors=errors,
            findings=dicts,
            clusters=topo.cluster_summary(),
            superclusters=topo.supercluster_summary(),
            hosts=hosts,
            server_versions=dict((h, str(v)) for h, v in server_versions.items()),
        )
        if files is not None:
            result["files"] = files
        if warnings:
            result["warnings"] = [Finding.from_dict(d).format() for d in warnings]
        n = len(errors)
        if n:
            result["failed"] = True
            result["msg"] = "%d error%s in the topology of %d server%s:\n%s" % (
                n, "" if n == 1 else "s", len(hosts), "" if len(hosts) == 1 else "s",
                "\n".join(Finding.from_dict(d).format() for d in errors))
        else:
            result["msg"] = "topology of %d server%s is valid (%d cluster%s)%s" % (
                len(hosts), "" if len(hosts) == 1 else "s", len(result["clusters"]), "" if len(result["clusters"]) == 1 else "s",
                "" if not warnings else ", %d warning%s" % (len(warnings), "" if len(warnings) == 1 else "s"))
        return result

    # -- helpers ----------------------------------------------------------
    @staticmethod
    def _versions(hosts, args, hostvars, default):
        """{host: ServerVersion}: server_versions[host], else the host variable server_version_var, else server_version.

        A version that does not parse or is not supported fails the task naming the host and where the value came from.
        """
        given = dict((to_text(h), v) for h, v in (args["server_versions"] or {}).items())
        unknown = sorted(h for h in given if h not in hosts)
        if unknown:
            raise AnsibleActionFail("server_versions: %s %s not among the servers checked (%s)" % (
                ", ".join(unknown), "is" if len(unknown) == 1 else "are", ", ".join(hosts)))
        var = args["server_version_var"]
        out = {}
        for host in hosts:
            value, source = given.get(host), "server_versions"
            if value is None and var:
                hvars = _host_vars(hostvars, host)
                try:
                    value = hvars[var] if hvars is not None and var in hvars else None
                except AnsibleError as exc:
                    raise AnsibleActionFail("cannot read %s of host %s: %s" % (var, host, to_text(exc)))
                source = "host variable %s" % var
            if value is None:
                out[host] = default
                continue
            try:
                out[host] = parse_version(to_text(value))
            except VersionError as exc:
                raise AnsibleActionFail("host %s (%s): %s" % (host, source, to_text(exc)))
        return out

    @staticmethod
    def _clean(finding, secrets):
        d = finding.to_dict()
        d["host"] = finding.host
        if scrub_finding is not None:
            d = scrub_finding(d, secrets)
        return d

    @staticmethod
    def _check_codes(disable):
        problem = checks_engine.disable_problem(disable)
        if problem:
            raise AnsibleActionFail(problem)

    @staticmethod
    def _addresses(hosts, given, hostvars):
        if given is not None:
            out = {}
            for host, value in given.items():
                if isinstance(value, (list, tuple)):
                    out[to_text(host)] = [to_text(v) for v in value if v is not None]
                elif value is not None:
                    out[to_text(host)] = to_text(value)
            return out
        out = {}
        for host in hosts:
            hv = _host_vars(hostvars, host)
            if hv is None:
                continue
            try:
                addr = hv["ansible_host"] if "ansible_host" in hv else None
            except Exception:  # pylint: disable=broad-except
                addr = None
            if isinstance(addr, str) and addr:
                out[host] = to_text(addr)
        return out

    def _path_for(self, host, args, hostvars):
        path = None
        hv = _host_vars(hostvars, host)
        if hv is None:
            raise AnsibleActionFail("host %s is not in the inventory" % host)
        try:
            if args["path_var"] and args["path_var"] in hv:
                path = hv[args["path_var"]]
        except AnsibleError as exc:
            raise AnsibleActionFail("cannot read %s of host %s: %s" % (args["path_var"], host, to_text(exc)))
        if path is None:
            path = args["path"]
        if not path:
            raise AnsibleActionFail("no config path for host %s: set path, or the host variable %s" % (host, args["path_var"]))
        path = to_text(path)
        if not posixpath.isabs(path):
            raise AnsibleActionFail("the config path of host %s must be absolute, not %r" % (host, path))
        return posixpath.normpath(path)

    def _read_all(self, hosts, args, task_vars, hostvars, env, server_versions):
        """Read every host's main file -> (configs, filenames, loaders, files)."""
        configs = {}
        filenames = {}
        loaders = {}
        files = {}
        me = task_vars.get("inventory_hostname")
        for host in hosts:
            path = self._path_for(host, args, hostvars)
            if host == me:
                loader = RemoteLoader(self, task_vars)
            else:
                loader = self._loader_for(host, hostvars)
            loaders[host] = loader
            try:
                text = loader(path)
            except OSError as exc:
                raise AnsibleActionFail("cannot read %s on %s: %s" % (path, host, exc.strerror or exc))
            except (RemoteError, AnsibleError) as exc:
                raise AnsibleActionFail("cannot read %s on %s: %s" % (path, host, to_text(exc)))
            configs[host] = text
            filenames[host] = path
        # parse here so that include reads and their errors are attributed to the host
        for host in hosts:
            try:
                configs[host] = topology_checks.to_result(configs[host], filename=filenames[host], env=env, loader=loaders[host],
                                                          server_version=server_versions[host])
                files[host] = [dict(path=to_text(f.get("path")), sha256=to_text(f.get("sha256"))) for f in configs[host].files]
            except (RemoteError, AnsibleError) as exc:
                raise AnsibleActionFail("cannot read the includes of %s on %s: %s" % (filenames[host], host, to_text(exc)))
            except NatsConfError:
                # validate_configs reports it as a parse-error finding of the host
                files[host] = []
        return configs, filenames, loaders, files

    def _loader_for(self, host, hostvars):
        """A RemoteLoader reading over a connection to another inventory host (its own connection settings)."""
        try:
            hvars = hostvars[host]
            play_context = self._play_context.set_task_and_variable_override(task=self._task, variables=hvars, templar=self._templar)
            conn_type = play_context.connection
            if conn_type in (None, "smart"):
                conn_type = "ssh"
            connection = self._shared_loader_obj.connection_loader.get(
                conn_type, play_context, None, task_uuid=self._task._uuid, ansible_playbook_pid=to_text(os.getppid()))
            if connection is None:
                raise AnsibleActionFail("the connection plugin %r of host %s was not found" % (conn_type, host))
            options = {}
            for name in C.config.get_plugin_vars("connection", connection._load_name):
                if name in hvars:
                    options[name] = hvars[name]
            task_keys = self._task.dump_attrs()
            task_keys["timeout"] = play_context.timeout
            connection.set_options(task_keys=task_keys, var_options=options)
            shell_options = {}
            for name in C.config.get_plugin_vars("shell", connection._shell._load_name):
                if name in hvars:
                    shell_options[name] = hvars[name]
            connection._shell.set_options(var_options=shell_options)
            become = self._become_for(host, hvars, play_context, task_keys)
            if become is not None:
                connection.set_become_plugin(become)
            action = self._shared_loader_obj.action_loader.get(
                "ansible.legacy.normal", task=self._task, connection=connection, play_context=play_context,
                loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        except AnsibleActionFail:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            raise AnsibleActionFail("cannot connect to host %s to read its config: %s (give the configs with the configs option instead)"
                                    % (host, to_text(exc)))
        return _HostLoader(action, connection, hvars)

    def _become_for(self, host, hvars, play_context, task_keys):
        """The become plugin for another host's connection, set up the way Ansible sets it up for the task's own host.

        Without it a task with become reads the other hosts' files as the connection user (a config that only
        root and the server's group may read failed with "Permission denied" on every host but the first).
        """
        enabled = hvars["ansible_become"] if "ansible_become" in hvars else None
        enabled = self._task.become if enabled is None else boolean(enabled)
        if not enabled:
            return None
        method = (hvars["ansible_become_method"] if "ansible_become_method" in hvars else None) or self._task.become_method
        become = self._shared_loader_obj.become_loader.get(method)
        if become is None:
            raise AnsibleActionFail("the become method %r of host %s was not found" % (method, host))
        options = {}
        for name in C.config.get_plugin_vars("become", become._load_name):
            if name in hvars:
                options[name] = hvars[name]
        keys = dict(task_keys)
        if play_context.become_pass:
            keys["become_pass"] = play_context.become_pass
        become.set_options(task_keys=keys, var_options=options)
        return become


def _host_vars(hostvars, host):
    """The variables of an inventory host, or None when it is not in the inventory."""
    try:
        if host not in hostvars:
            return None
        return hostvars[host]
    except Exception:  # pylint: disable=broad-except
        return None


class _HostLoader(RemoteLoader):
    """RemoteLoader over another host's connection; closes it on cleanup."""

    def __init__(self, action, connection, task_vars):
        RemoteLoader.__init__(self, action, task_vars)
        self._conn = connection

    def cleanup(self):
        RemoteLoader.cleanup(self)
        try:
            self._conn.close()
        except Exception:  # pylint: disable=broad-except
            pass


__all__ = ["ActionModule", "ARGUMENT_SPEC"]
