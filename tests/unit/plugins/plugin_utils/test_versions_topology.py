# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mixed nats-server versions across a topology (the version-* checks of topology/versions.py)."""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.topology.checks import validate_configs
from ansible_collections.natsops.nats.plugins.plugin_utils.versions import VersionError

BASE = """server_name: %s
listen: 127.0.0.1:%d
cluster { name: c1, listen: 127.0.0.1:%d, routes: ["nats://127.0.0.1:6222", "nats://127.0.0.1:6223"] }
%s"""


def configs(extra1="", extra2=""):
    return {"h1": BASE % ("n1", 4222, 6222, extra1), "h2": BASE % ("n2", 4223, 6223, extra2)}


def version_findings(cfgs, server_versions):
    findings, dummy = validate_configs(cfgs, server_versions=server_versions)
    return [(f.host, f.code, f.message, f.line) for f in findings if f.code.startswith("version-") or f.code == "unknown-field"]


def test_same_version_everywhere_gives_no_version_finding():
    assert version_findings(configs(extra2="max_connections: 0\n"), {"h1": "2.15.1", "h2": "2.15.1"}) == []


def test_key_the_older_member_lacks():
    cfgs = configs(extra2="jetstream { limits { default_max_consumers: 10 } }\n")
    assert version_findings(cfgs, {"h1": "2.15.0", "h2": "2.15.1"}) == []
    assert version_findings(cfgs, {"h1": "2.14.7", "h2": "2.15.1"}) == [(
        "h2", "version-key-skew",
        "jetstream.limits.default_max_consumers is known to nats-server 2.15.0 and later (this server runs 2.15.1) but "
        "not to h1 (2.14.7) of the same cluster: their configs cannot carry it (unknown field), and this server cannot go "
        "back to their version with it", 4)]


def test_the_same_key_on_the_older_host_is_an_unknown_field_there():
    extra = "jetstream { limits { default_max_consumers: 10 } }\n"
    found = version_findings(configs(extra, extra), {"h1": "2.14.7", "h2": "2.15.1"})
    assert ("h1", "unknown-field", 'unknown field "default_max_consumers": jetstream.limits.default_max_consumers '
            '(<string>:4:22)', 4) in found
    assert [f[:2] for f in found if f[1] == "version-key-skew"] == [("h2", "version-key-skew")]


def test_upgrade_floor():
    assert version_findings(configs(), {"h1": "2.14.6", "h2": "2.15.1"}) == [(
        "h1", "version-upgrade-path", "h1 runs nats-server 2.14.6 while h2 of the same cluster runs 2.15.1: upgrading to "
        "2.15.1 requires coming from 2.14.7 or later (this host runs 2.14.6)", 1)]
    assert version_findings(configs(), {"h1": "2.14.7", "h2": "2.15.1"}) == []
    assert version_findings(configs(), {"h1": "2.12.8", "h2": "2.14.6"}) == []


def test_max_connections_zero_means_different_things():
    cfgs = configs("max_connections: 0\n", "max_connections: 0\n")
    assert version_findings(cfgs, {"h1": "2.12.4", "h2": "2.12.5"}) == [
        ("h1", "version-semantics-differ", "max_connections: 0 means the default limit on nats-server 2.12.4 here but "
         "refuses every client connection on h2 (2.12.5)", 4),
        ("h2", "version-semantics-differ", "max_connections: 0 refuses every client connection on nats-server 2.12.5 here "
         "but means the default limit on h1 (2.12.4)", 4),
    ]
    assert version_findings(cfgs, {"h1": "2.12.5", "h2": "2.14.6"}) == []


def test_unsupported_version_is_refused():
    with pytest.raises(VersionError) as info:
        validate_configs(configs(), server_versions={"h1": "2.13.0"})
    assert str(info.value).startswith("server_version 2.13.0 is not supported; supported: 2.10.x")


def test_docs_table_of_version_codes_matches_the_registry():
    import ansible_collections.natsops.nats.plugins.plugin_utils.topology.checks  # noqa: F401  (registers the codes)
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
    from ansible_collections.natsops.nats.plugins.plugin_utils.versions import USAGE
    rows = [line.split(" | ")[:2] for line in USAGE if line.startswith("| `version-")]
    documented = dict((code.strip("| `"), severity) for code, severity in rows)
    registered = dict((c.code, c.severity) for c in REGISTRY.values() if c.code.startswith("version-"))
    assert documented == registered
    assert sorted(documented) == ["version-key-skew", "version-semantics-differ", "version-upgrade-path"]


GW = """server_name: %s
listen: 127.0.0.1:%d
cluster { name: %s, listen: 127.0.0.1:%d, routes: ["nats://127.0.0.1:%d"] }
gateway { name: %s, listen: 127.0.0.1:%d, gateways: [{name: east, url: "nats://127.0.0.1:7222"}, {name: west, url: "nats://127.0.0.1:7223"}] }
"""


def test_members_of_other_clusters_of_the_super_cluster_are_named_so():
    cfgs = {"e1": GW % ("e1", 4222, "east", 6222, 6222, "east", 7222), "w1": GW % ("w1", 4223, "west", 6223, 6223, "west", 7223)}
    assert version_findings(cfgs, {"e1": "2.14.6", "w1": "2.15.1"}) == [(
        "e1", "version-upgrade-path", "e1 runs nats-server 2.14.6 while w1 of the same super-cluster runs 2.15.1: upgrading "
        "to 2.15.1 requires coming from 2.14.7 or later (this host runs 2.14.6)", 1)]
