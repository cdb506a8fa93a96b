# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of render_build: topology from inventory settings -> config dict per host."""

from __future__ import annotations

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils.render import build as b


def supercluster(**common):
    hosts = []
    for cluster, base in (("east", 0), ("west", 10)):
        for i in range(3):
            s = {
                "nats_server_cluster_name": cluster,
                "nats_server_advertise_host": "10.0.%d.%d" % (base // 10, i + 1),
                "nats_server_listen_host": "127.0.0.1",
            }
            s.update(common)
            hosts.append(("%s%d" % (cluster, i + 1), s))
    return hosts


def test_supercluster_routes_and_gateways():
    configs = b.build_configs(supercluster())
    assert list(configs) == ["east1", "east2", "east3", "west1", "west2", "west3"]
    e1 = configs["east1"]
    assert e1 == {
        "server_name": "east1",
        "listen": "127.0.0.1:4222",
        "http": "127.0.0.1:8222",
        "lame_duck_duration": "30s",
        "lame_duck_grace_period": "10s",
        "cluster": {
            "name": "east",
            "listen": "127.0.0.1:6222",
            "routes": ["nats-route://10.0.0.2:6222", "nats-route://10.0.0.3:6222"],
        },
        "gateway": {
            "name": "east",
            "listen": "127.0.0.1:7222",
            "gateways": [
                {"name": "west", "urls": ["nats://10.0.1.1:7222", "nats://10.0.1.2:7222", "nats://10.0.1.3:7222"]},
            ],
        },
    }
    w3 = configs["west3"]
    assert w3["cluster"]["routes"] == ["nats-route://10.0.1.1:6222", "nats-route://10.0.1.2:6222"]
    assert w3["gateway"]["name"] == "west" == w3["cluster"]["name"]
    assert w3["gateway"]["gateways"] == [
        {"name": "east", "urls": ["nats://10.0.0.1:7222", "nats://10.0.0.2:7222", "nats://10.0.0.3:7222"]}]


def test_gateway_name_is_always_cluster_name():
    for name, conf in b.build_configs(supercluster()).items():
        assert conf["gateway"]["name"] == conf["cluster"]["name"] == name[:4]


def test_single_cluster_has_no_gateway():
    hosts = [h for h in supercluster() if h[0].startswith("east")]
    configs = b.build_configs(hosts)
    for conf in configs.values():
        assert "gateway" not in conf
        assert len(conf["cluster"]["routes"]) == 2


def test_gateways_extra_adds_gateway_to_single_cluster():
    hosts = [h for h in supercluster(nats_server_gateways_extra=[
        {"name": "remote", "urls": ["nats://gw.example.com:7222"]},
        {"name": "east", "urls": ["nats://ignored:1"]},
    ]) if h[0].startswith("east")]
    conf = b.build_configs(hosts)["east2"]
    assert conf["gateway"] == {
        "name": "east",
        "listen": "127.0.0.1:7222",
        "gateways": [{"name": "remote", "urls": ["nats://gw.example.com:7222"]}],
    }


def test_gateways_extra_merges_with_inventory_cluster():
    hosts = supercluster(nats_server_gateways_extra=[{"name": "west", "url": "nats://dr.example.com:7222"}])
    conf = b.build_configs(hosts)["east1"]
    assert conf["gateway"]["gateways"] == [
        {"name": "west", "urls": ["nats://10.0.1.1:7222", "nats://10.0.1.2:7222", "nats://10.0.1.3:7222",
                                  "nats://dr.example.com:7222"]}]


def test_defaults_and_standalone():
    configs = b.build_configs([("solo", {})])
    assert configs == {"solo": {"server_name": "solo", "listen": "0.0.0.0:4222", "http": "0.0.0.0:8222",
                                "lame_duck_duration": "30s", "lame_duck_grace_period": "10s"}}
    # the lame duck settings can be left to the server's defaults (2m / 10s)
    configs = b.build_configs([("solo", {"nats_server_lame_duck_duration": "", "nats_server_lame_duck_grace_period": ""})])
    assert configs == {"solo": {"server_name": "solo", "listen": "0.0.0.0:4222", "http": "0.0.0.0:8222"}}


def test_standalone_host_beside_clusters():
    hosts = supercluster() + [("leafy", {"nats_server_leafnode_port": 7422, "nats_server_http_port": 0})]
    configs = b.build_configs(hosts)
    assert configs["leafy"] == {"server_name": "leafy", "listen": "0.0.0.0:4222", "lame_duck_duration": "30s",
                                "lame_duck_grace_period": "10s", "leafnodes": {"listen": "0.0.0.0:7422"}}
    assert [g["name"] for g in configs["east1"]["gateway"]["gateways"]] == ["west"]


def test_advertise_defaults_to_inventory_name_and_server_name_override():
    configs = b.build_configs([("a", {"nats_server_cluster_name": "c", "nats_server_name": "srv-a"}),
                               ("b", {"nats_server_cluster_name": "c", "nats_server_cluster_port": 16222})])
    assert configs["a"]["server_name"] == "srv-a"
    assert configs["a"]["cluster"]["routes"] == ["nats-route://b:16222"]
    assert configs["b"]["cluster"]["routes"] == ["nats-route://a:6222"]


def test_ipv6_advertise_is_bracketed():
    configs = b.build_configs([("a", {"nats_server_cluster_name": "c", "nats_server_advertise_host": "fd00::1", "nats_server_listen_host": "::"}),
                               ("b", {"nats_server_cluster_name": "c"})])
    assert configs["b"]["cluster"]["routes"] == ["nats-route://[fd00::1]:6222"]
    assert configs["a"]["listen"] == "[::]:4222"


def test_route_and_gateway_authorization_and_tls():
    tls = {"cert_file": "/etc/nats/c.pem", "key_file": "/etc/nats/k.pem", "ca_file": "/etc/nats/ca.pem"}
    hosts = supercluster(nats_server_cluster_user="route", nats_server_cluster_password="p@ss/word",
                         nats_server_gateway_user="gw", nats_server_gateway_password="s3cret",
                         nats_server_tls_cluster=tls, nats_server_tls_gateway=tls, nats_server_tls_client=tls)
    conf = b.build_configs(hosts)["east1"]
    assert conf["cluster"]["authorization"] == {"user": "route", "password": "p@ss/word"}
    assert conf["cluster"]["routes"][0] == "nats-route://route:p%40ss%2Fword@10.0.0.2:6222"
    assert conf["gateway"]["authorization"] == {"user": "gw", "password": "s3cret"}
    assert conf["gateway"]["gateways"][0]["urls"][0] == "nats://gw:s3cret@10.0.1.1:7222"
    assert conf["cluster"]["tls"] == tls and conf["gateway"]["tls"] == tls and conf["tls"] == tls


def test_jetstream_block():
    conf = b.build_configs([("a", {"nats_server_jetstream_enabled": True, "nats_server_data_dir": "/data",
                                   "nats_server_jetstream_max_file_store": "10G", "nats_server_jetstream_max_memory_store": 1048576,
                                   "nats_server_jetstream_domain": "hub"})])["a"]
    assert conf["jetstream"] == {"store_dir": "/data", "max_memory_store": 1048576, "max_file_store": "10G", "domain": "hub"}
    conf = b.build_configs([("a", {"nats_server_jetstream_enabled": True, "nats_server_data_dir": "/data",
                                   "nats_server_jetstream_store_dir": "/js"})])["a"]
    assert conf["jetstream"] == {"store_dir": "/js"}


def test_system_account_and_pid_file():
    conf = b.build_configs([("a", {"nats_server_system_account": "SYS", "nats_server_pid_file": "/run/nats.pid"})])["a"]
    assert conf["system_account"] == "SYS"
    assert conf["pid_file"] == "/run/nats.pid"


def test_config_extra_deep_merge_and_removal():
    hosts = supercluster(nats_server_config_extra={
        "cluster": {"pool_size": 5, "routes": None},
        "max_payload": 2097152,
        "http": None,
        "accounts": {"SYS": {"users": [{"user": "sys", "password": "x"}]}},
    })
    conf = b.build_configs(hosts)["east1"]
    assert conf["cluster"] == {"name": "east", "listen": "127.0.0.1:6222", "pool_size": 5}
    assert conf["max_payload"] == 2097152
    assert "http" not in conf
    assert conf["accounts"]["SYS"]["users"][0]["user"] == "sys"


def test_config_extra_can_smuggle_a_gateway_name():
    """The builder does not hide mistakes made through the escape hatch: validation must catch them."""
    hosts = supercluster(nats_server_config_extra={"gateway": {"name": "gateway"}})
    conf = b.build_configs(hosts)["east1"]
    assert conf["gateway"]["name"] == "gateway"
    assert conf["cluster"]["name"] == "east"


def test_deep_merge_does_not_mutate_inputs():
    base = {"a": {"b": [1]}}
    extra = {"a": {"c": 2}}
    out = b.deep_merge(base, extra)
    out["a"]["b"].append(3)
    assert base == {"a": {"b": [1]}} and extra == {"a": {"c": 2}}
    assert out == {"a": {"b": [1, 3], "c": 2}}


@pytest.mark.parametrize("settings, message", [
    ({"nats_server_client_port": "x"}, "host h: nats_server_client_port must be a port number, not 'x'"),
    ({"nats_server_client_port": 0}, "host h: nats_server_client_port must be between 1 and 65535, not 0"),
    ({"nats_server_http_port": 70000}, "host h: nats_server_http_port must be between 0 and 65535, not 70000"),
    ({"nats_server_cluster_port": True}, "host h: nats_server_cluster_port must be a port number, not True"),
    ({"nats_server_cluster_password": "p"}, "host h: nats_server_cluster_password is set but nats_server_cluster_user is empty"),
    ({"nats_server_gateways_extra": {"a": 1}}, "host h: nats_server_gateways_extra must be a list, not dict"),
    ({"nats_server_gateways_extra": [{"urls": ["x"]}]}, "host h: nats_server_gateways_extra[0] needs a name"),
    ({"nats_server_gateways_extra": [{"name": "r"}]}, "host h: nats_server_gateways_extra[0] (r) needs urls"),
    ({"nats_server_config_extra": []}, "host h: nats_server_config_extra must be a dict, not list"),
    ({"nats_server_cluster_name": ["x"]}, "host h: nats_server_cluster_name must be a string, not ['x']"),
    ({"nats_server_cluster_user": "r", "nats_server_cluster_password": ["pw-secret-9"]},
     "host h: nats_server_cluster_password must be a string, not a list"),
])
def test_bad_settings(settings, message):
    with pytest.raises(b.BuildError) as exc:
        b.build_configs([("h", settings)])
    assert str(exc.value) == message


def test_duplicate_host():
    with pytest.raises(b.BuildError) as exc:
        b.build_configs([("h", {}), ("h", {})])
    assert str(exc.value) == "host h is listed twice"


def test_topology_and_addresses():
    hosts = supercluster()
    assert b.topology(hosts) == {"east": ["east1", "east2", "east3"], "west": ["west1", "west2", "west3"]}
    assert b.addresses(hosts)["west2"] == "10.0.1.2"


def test_built_supercluster_passes_every_check():
    """Rendered with the collection's renderer, the built configs pass the single-config and topology checks,
    also with credentials that need percent-encoding in the route and gateway URLs (nats-server decodes them;
    the same configs boot and connect in tests/integration/targets/nats_server_role)."""
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    from ansible_collections.natsops.nats.plugins.plugin_utils.render import writer as render_writer
    from ansible_collections.natsops.nats.plugins.plugin_utils.topology import checks as topology_checks

    hosts = supercluster(nats_server_cluster_user="route", nats_server_cluster_password="r0ute/p@ss w:rd",
                         nats_server_gateway_user="gw", nats_server_gateway_password="g@te:w/y%",
                         nats_server_jetstream_enabled=True, nats_server_data_dir="/var/lib/nats")
    for i, (name, settings) in enumerate(hosts):
        settings["nats_server_advertise_host"] = "127.0.0.1"
        settings.update(nats_server_client_port=14000 + 10 * i, nats_server_cluster_port=14001 + 10 * i,
                        nats_server_gateway_port=14002 + 10 * i, nats_server_http_port=14003 + 10 * i)
    results = {}
    for name, conf in b.build_configs(hosts).items():
        result, findings = checks_engine.validate_text(render_writer.render(conf), filename="/etc/nats/%s.conf" % name)
        assert [f.format() for f in findings] == []
        assert result.config == conf
        results[name] = result
    assert [f.format() for f in topology_checks.validate_topology(results, b.addresses(hosts))] == []


def test_smuggled_gateway_name_is_rejected_with_location():
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    from ansible_collections.natsops.nats.plugins.plugin_utils.render import writer as render_writer

    hosts = supercluster(nats_server_config_extra={"gateway": {"name": "gateway"}})
    text = render_writer.render(b.build_configs(hosts)["west2"])
    dummy, findings = checks_engine.validate_text(text, filename="/etc/nats/west2.conf")
    conflict = [f for f in findings if f.code == "cluster-gateway-name-conflict"]
    assert len(conflict) == 1
    assert conflict[0].format().startswith(
        "/etc/nats/west2.conf:%d:3: cluster name conflicts between cluster and gateway definitions"
        % (text.splitlines().index('  name: "west"') + 1))
