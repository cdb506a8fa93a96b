# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/checks.md and the check registry stay in sync (no drift).

Every registered code (parser, config and topology scopes) has exactly one
section in docs/checks.md, whose first line repeats the registry's severity,
scope and summary, and every section belongs to a registered code.

Regenerate after adding or changing codes (keeps the prose of existing sections,
adds skeleton sections for new codes, drops sections of removed codes):

    PYTHONPATH=/work/dev python tests/unit/plugins/plugin_utils/test_checks_docs.py --write
"""

from __future__ import annotations

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "docs", "checks.md"))

SCOPE_TITLES = (
    ("parser", "Parser findings (scope `parser`)",
     "Problems of the config text itself, found while parsing exactly like nats-server 2.15.1."),
    ("config", "Single-config checks (scope `config`)",
     "Run by `natsops.nats.nats_config_validate`, `natsops.nats.nats_config_valid` and the `nats_config` module "
     "on one server's config. Each message contains the text nats-server prints (where it prints one), followed "
     "by the locations involved; the finding's hint says how to fix it."),
    ("host", "Host checks (scope `host`)",
     "Run by the `nats_config` module with `host_checks: true`: the files and directories the config names are "
     "read on the managed host over the connection (like includes, become-aware); their contents are never returned."),
    ("topology", "Topology checks (scope `topology`)",
     "Run by `natsops.nats.nats_topology_validate` and the `nats_topology` module over the configs of all servers; "
     "they catch what no single file shows."),
)

HEADER = """# Check codes of natsops.nats

Every finding of the collection has a stable **code**, a **severity** (`error`: the server will not start, or
`nats-server -t` fails, or the deployment is broken; `warning`: it starts but misbehaves, or only `-t` complains)
and a **scope**. Codes can be skipped with `disable: [code, ...]`; `warnings_as_errors: true` turns every warning
into an error.

nats-server validates a config in three places: `nats-server -t` runs only the option processing (phase a);
a real start then runs `validateOptions` and the rest of `NewServer` (phase b, the error goes to stderr as
`nats-server: <message>`, first error only) and `Start()` (logged as `[FTL]`, so with `log_file` set the reason
is only in that file). The checks below report all of these at once, before anything is deployed.

<!-- Generated sections: the line after each heading is rewritten from the registry by
     `python tests/unit/plugins/plugin_utils/test_checks_docs.py --write`; edit the text below it freely. -->
"""

_HEAD = re.compile(r"^### `([a-z0-9-]+)`\s*$", re.M)


def _registry():
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks import engine as checks_engine
    checks_engine._load_parser_codes()  # pylint: disable=protected-access
    try:
        from ansible_collections.natsops.nats.plugins.plugin_utils.topology import checks as topology_checks  # noqa: F401 pylint: disable=unused-import
        from ansible_collections.natsops.nats.plugins.plugin_utils.topology import live as topology_live  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        pass
    from ansible_collections.natsops.nats.plugins.plugin_utils.checks.registry import REGISTRY
    return REGISTRY


def meta_line(entry):
    return "*%s · scope `%s`* — %s" % (entry.severity, entry.scope, entry.summary.rstrip("."))


def sections(text):
    """{code: body (text after the meta line, stripped)} and the list of headings in order."""
    out = {}
    order = []
    matches = list(_HEAD.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        chunk = text[m.end():end]
        chunk = re.split(r"^## ", chunk, flags=re.M)[0]  # stop at the next chapter
        lines = chunk.strip("\n").split("\n")
        body = "\n".join(lines[1:]).strip() if lines and lines[0].startswith("*") else chunk.strip()
        out[m.group(1)] = body
        order.append(m.group(1))
    return out, order


def skeleton(entry):
    return ("- **Server message:** —\n- **Why it matters:** %s.\n- **Fix:** see the finding's hint."
            % entry.summary.rstrip("."))


def render(registry, existing_text="", bodies=None):
    old, dummy = sections(existing_text)
    old.update(bodies or {})
    parts = [HEADER]
    for scope, title, intro in SCOPE_TITLES:
        entries = sorted((e for e in registry.values() if e.scope == scope), key=lambda e: e.code)
        parts.append("\n## %s\n\n%s\n" % (title, intro))
        for entry in entries:
            body = old.get(entry.code) or skeleton(entry)
            parts.append("\n### `%s`\n\n%s\n\n%s\n" % (entry.code, meta_line(entry), body))
    parts.append(_census_chapter())
    return "".join(parts)


def _census_chapter():
    """The census chapter (generated from data/census/census.json by test_census.py)."""
    from ansible_collections.natsops.nats.tests.unit.plugins.plugin_utils.test_census import docs_chapter
    return docs_chapter()


def test_every_code_has_one_section_and_vice_versa():
    registry = _registry()
    with open(DOC, "r", encoding="utf-8") as f:
        text = f.read()
    found, order = sections(text)
    dupes = sorted(set(c for c in order if order.count(c) > 1))
    assert dupes == []
    assert sorted(set(registry) - set(found)) == [], "codes without a section: run this file with --write"
    assert sorted(set(found) - set(registry)) == [], "sections without a registered code: run this file with --write"


def test_sections_repeat_the_registry():
    registry = _registry()
    with open(DOC, "r", encoding="utf-8") as f:
        text = f.read()
    assert text == render(registry, text), "docs/checks.md is stale: run this file with --write"


def test_config_sections_are_written_out():
    """The config checks (this collection's core) have real prose, not skeletons."""
    registry = _registry()
    with open(DOC, "r", encoding="utf-8") as f:
        found, dummy = sections(f.read())
    for code, entry in registry.items():
        if entry.scope == "config":
            assert "**Why it matters:** %s." % entry.summary.rstrip(".") not in found[code], code
            assert "**Server message:**" in found[code] and "**Fix:**" in found[code], code


def main(argv):
    registry = _registry()
    text = ""
    if os.path.exists(DOC):
        with open(DOC, "r", encoding="utf-8") as f:
            text = f.read()
    new = render(registry, text)
    if "--write" in argv:
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(new)
        print("wrote %s (%d codes)" % (DOC, len(registry)))
        return 0
    print("up to date" if new == text else "stale: rerun with --write")
    return 0 if new == text else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
