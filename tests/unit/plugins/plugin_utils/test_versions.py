# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The version table (plugin_utils/versions.py): parsing, ranges, lookups and docs/versions.md."""

from __future__ import annotations

import os

import pytest

from ansible_collections.natsops.nats.plugins.plugin_utils import versions as V

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


@pytest.mark.parametrize("text, expected", [
    (None, (2, 15, 1)), ("", (2, 15, 1)), ("2.10.0", (2, 10, 0)), ("2.10.25", (2, 10, 25)), ("v2.11.11", (2, 11, 11)),
    (" 2.12.5 ", (2, 12, 5)), ("2.14.6", (2, 14, 6)), ("2.15.0", (2, 15, 0)), ("2.15.99", (2, 15, 99)),
])
def test_parse_version(text, expected):
    v = V.parse_version(text)
    assert v == expected
    assert isinstance(v, V.ServerVersion)
    assert str(v) == "%d.%d.%d" % expected
    assert V.parse_version(v) is v


SUPPORTED = "supported: 2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x (default 2.15.1)"


@pytest.mark.parametrize("text", ["2.12", "latest", "2.12.x", "2.12.5-rc.1", "02.12.5", "2.12.5.1", 2.12, ["2.12.5"]])
def test_unparsable_version(text):
    with pytest.raises(V.VersionError) as info:
        V.parse_version(text)
    assert str(info.value) == ("server_version %r is not a nats-server version (write MAJOR.MINOR.PATCH, e.g. 2.15.1); %s"
                               % (text, SUPPORTED))


@pytest.mark.parametrize("text", ["2.13.0", "2.9.21", "3.0.0", "1.4.1", "2.16.0"])
def test_unsupported_version(text):
    with pytest.raises(V.VersionError) as info:
        V.parse_version(text)
    assert str(info.value) == "server_version %s is not supported; %s" % (text, SUPPORTED)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("text, expected", [
    ("nats-server: v2.14.6", (2, 14, 6)), ("nats-server: v2.15.1\n", (2, 15, 1)), ("nats-server:2.12.8", (2, 12, 8)),
    ("2.15.0-RC.1", (2, 15, 0)), ("v2.12.0-beta.2", (2, 12, 0)), ("2.11.3", (2, 11, 3)),
])
def test_parse_reported_version(text, expected):
    """What a server reports about itself (--version, a pre-release) parses with reported=True only."""
    assert V.parse_version(text, reported=True) == expected
    if text.strip() != "%d.%d.%d" % expected:
        with pytest.raises(V.VersionError) as info:
            V.parse_version(text)
        assert str(info.value).startswith("server_version %r is not a nats-server version" % (text,))


@pytest.mark.parametrize("text, expected", [
    ("3.0.0", (3, 0, 0)), ("v2.15.0", (2, 15, 0)), ("2.9.25", (2, 9, 25)), ("2.15.0-RC.1", (2, 15, 0)),
    ("2.15", None), ("latest", None), ("", None), (None, None), (2.15, None),
])
def test_version_numbers(text, expected):
    assert V.version_numbers(text) == expected


def test_ordering_is_numeric():
    assert V.parse_version("2.12.10") > V.parse_version("2.12.9")
    assert V.parse_version("2.14.0") > V.parse_version("2.12.8")


@pytest.mark.parametrize("name, version, expected", [
    ("digest", "2.10.26", False), ("digest", "2.11.0", True), ("digest", "2.15.1", True),
    ("digest-omits-variables", "2.10.25", False), ("digest-omits-variables", "2.11.0", True),
    ("digest-omits-variables", "2.12.5", True), ("digest-omits-variables", "2.12.6", False),
    ("digest-json-v1", "2.14.5", True), ("digest-json-v1", "2.14.6", False),
    ("size-suffix-trailing-string", "2.15.0", False), ("size-suffix-trailing-string", "2.15.1", True),
    ("env-cycle-reported", "2.12.3", False), ("env-cycle-reported", "2.12.4", True),
    ("max-connections-zero-refuses", "2.12.4", False), ("max-connections-zero-refuses", "2.12.5", True),
])
def test_feature(name, version, expected):
    assert V.feature(name, version) is expected


def test_feature_default_is_default_version():
    assert V.feature("size-suffix-trailing-string") is True
    assert V.feature("digest-omits-variables", None) is False


def test_unknown_feature_names_the_known_ones():
    with pytest.raises(KeyError) as info:
        V.feature("no-such-thing", "2.15.1")
    assert "unknown version difference 'no-such-thing'; known: " in str(info.value)
    assert "digest-omits-variables" in str(info.value)


@pytest.mark.parametrize("path, version, expected", [
    ("default_sentinel", "2.11.1", False), ("default_sentinel", "2.11.2", True),
    ("proxies", "2.11.11", False), ("proxies", "2.12.0", True),
    ("cluster.write_deadline", "2.11.10", False), ("cluster.write_deadline", "2.11.11", True),
    ("cluster.write_deadline", "2.12.0", False), ("cluster.write_deadline", "2.12.1", True),
    ("write_timeout", "2.12.1", False), ("write_timeout", "2.12.2", True),
    ("jetstream.limits.default_max_consumers", "2.14.6", False),
    ("jetstream.limits.default_max_consumers", "2.15.0", True),
    ("port", "2.10.0", True),                       # not in the table: known everywhere
])
def test_key_known(path, version, expected):
    assert V.key_known(path, version) is expected


def test_ranges_text():
    assert V.KEYS["cluster.write_deadline"].ranges_text() == "2.11.11, 2.12.1 and later"
    assert V.BY_NAME["digest-omits-variables"].ranges_text() == "2.11.0 to 2.12.5"
    assert V.BY_NAME["digest-json-v1"].ranges_text() == "2.11.0 to 2.14.5"
    assert V.key_versions("proxies") == "2.12.0 and later"
    assert V.key_versions("port") is None


def test_upgrade_floor():
    assert V.upgrade_floor("2.15.1") == (2, 14, 7)
    assert V.upgrade_floor("2.14.6") is None
    assert V.upgrade_problem("2.14.6", "2.15.1") == ("upgrading to 2.15.1 requires coming from 2.14.7 or later "
                                                     "(this host runs 2.14.6)")
    assert V.upgrade_problem("2.14.7", "2.15.1") is None
    assert V.upgrade_problem("2.15.1", "2.15.0") is None       # same line: no floor
    assert V.upgrade_problem("2.12.8", "2.14.6") is None


def test_table_names_are_unique_and_ranges_ordered():
    names = [d.name for d in V.DIFFERENCES]
    assert len(names) == len(set(names))
    for d in V.DIFFERENCES:
        assert d.kind in ("digest", "parser", "key", "validation", "semantics", "upgrade"), d.name
        for since, until in d.ranges:
            assert since is None or until is None or since < until, d.name
            for v in (since, until):
                assert v is None or v.line in V.SUPPORTED_LINES, d.name


def test_docs_versions_md_is_generated_from_the_table():
    with open(os.path.join(ROOT, "docs", "versions.md")) as f:
        assert f.read() == V.markdown(), "regenerate: python -m ansible_collections.natsops.nats.plugins.plugin_utils.versions > docs/versions.md"
