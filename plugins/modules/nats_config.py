#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module; the work is done on the controller by
# plugins/action/nats_config.py, so managed hosts need nothing but Python (and
# not even that unless Ansible needs it to read files or server_binary is set).

from __future__ import annotations

DOCUMENTATION = r"""
module: nats_config
short_description: Validate a NATS server config the way nats-server 2.15 parses and starts it
version_added: 0.1.0
author:
  - natsops.nats contributors (@natsops)
description:
  - Parses a NATS server configuration file on the managed host (or a string) exactly as
    C(nats-server) 2.15.1 does, including C(include) files and C($VAR) references, and then runs
    the startup checks that C(nats-server -t) skips, such as C(cluster.name) differing from
    C(gateway.name).
  - "The task fails when there is any error; the message gives the number of errors and every
    error as C(file:line:col: message) plus the fix in parentheses. Warnings are shown as Ansible warnings."
  - Runs on the controller (action plugin). The file and every included file are read from the
    managed host over the connection, so managed hosts need no extra Python packages.
    The controller needs C(pyparsing).
  - Never changes anything; runs the same in check mode.
  - Passwords, tokens, nkey seeds, encryption keys, private keys and passwords in URLs are
    replaced by C(********) in RV(config) and in messages.
options:
  path:
    description:
      - Absolute path of the config file on the managed host, for example the file that
        M(ansible.builtin.template) just wrote. C(~) is expanded on the managed host.
      - Relative C(include) paths are resolved from the directory of this file, as the server does.
      - Exactly one of O(path) and O(content) is required.
    type: path
  content:
    description:
      - The config text itself.
      - Exactly one of O(path) and O(content) is required.
    type: str
  base_dir:
    description:
      - Directory on the managed host that relative C(include) paths in O(content) are resolved from.
      - Only used with O(content). Without it, a relative C(include) in O(content) is reported as a missing file.
    type: path
  server_binary:
    description:
      - Path of a C(nats-server) binary on the managed host. When set, C(nats-server -t -c <file>)
        is also run there (with only O(env) and C(PATH) in its environment) and RV(server_check)
        reports whether its verdict and digest agree with this module's.
      - The server is the judge - when it rejects the file, the task fails with its message (as the first
        error, code C(server-rejected)) plus this module's findings; when the two verdicts differ in either
        direction, RV(server_check) has a C(disagreement) sentence, also shown as a warning.
      - With O(content), the text is written to a temporary file in the remote temporary
        directory for the server. With O(content) and O(base_dir), every file the module read is
        copied below that temporary directory at its own absolute path and the text is written into
        the copy of O(base_dir), so the server resolves relative includes as from O(base_dir).
    type: path
  host_checks:
    description:
      - Also check, on the managed host, the files and directories the config names (read over the
        connection like includes, honouring become; their contents are never returned).
      - TLS C(cert_file), C(key_file), C(ca_file) and C(certs) pairs of every C(tls) block exist, are
        readable and PEM, the key matches the certificate, the certificate has not expired (a warning
        when it expires within 30 days); operator JWT files exist and hold an operator JWT;
        C(store_dir) and the resolver C(dir) are not files; the directories of C(pid_file) and
        C(log_file) exist.
      - Relative paths are skipped (nats-server resolves them against its working directory).
        Parsing certificates and keys needs the Python library C(cryptography) on the controller;
        without it only existence and the PEM markers are checked.
      - The findings have the codes C(host-*) (see C(docs/checks.md)) and can be disabled like any other.
    type: bool
    default: false
extends_documentation_fragment:
  - natsops.nats.nats_validation
  - natsops.nats.nats_limits
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - natsops.nats.nats_server_version
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Validation reads files only, so it runs unchanged in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - pyparsing (on the controller only)
notes:
  - C(nats-server -t) only parses the file; a config that passes it may still fail to start.
    This module runs both the parse and the startup checks.
  - The result key RV(warnings) is reserved by Ansible (its items are shown as warnings);
    structured warnings are in RV(findings).
seealso:
  - name: nats-server configuration
    description: The NATS server configuration file format.
    link: https://docs.nats.io/running-a-nats-service/configuration
"""

EXAMPLES = r"""
---
- name: Render the server config
  ansible.builtin.template:
    src: nats-server.conf.j2
    dest: /etc/nats/nats-server.conf
    mode: "0640"

- name: Validate it (fails on a cluster/gateway name conflict, a missing include, ...)
  natsops.nats.nats_config:
    path: /etc/nats/nats-server.conf
    env:
      NATS_PASSWORD: "{{ vault_nats_password }}"
  register: nats_conf

- name: Use the parsed values
  ansible.builtin.debug:
    msg: "cluster {{ nats_conf.cluster_name }} digest {{ nats_conf.digest }}"

- name: Validate a string, skipping one check and also asking the real server
  natsops.nats.nats_config:
    content: |
      server_name: n1
      include "auth.conf"
    base_dir: /etc/nats
    disable:
      - cluster-name-unset
    server_binary: /usr/local/bin/nats-server

- name: Collect the findings without failing the play
  natsops.nats.nats_config:
    path: /etc/nats/nats-server.conf
  register: check
  ignore_errors: true

- name: Show where the first error is
  ansible.builtin.debug:
    msg: "{{ check.errors[0].file }}:{{ check.errors[0].line }} {{ check.errors[0].message }}"
  when: check is failed
"""

RETURN = r"""
msg:
  description: "Summary. On failure, the number of errors followed by one line per error (C(file:line:col: message) plus the fix in parentheses)."
  returned: always
  type: str
  sample: "1 error in /etc/nats/nats-server.conf:\n/etc/nats/nats-server.conf:3:3: cluster name conflicts between cluster and gateway definitions"
valid:
  description: Whether the config parses and passes every enabled check without an error.
  returned: always
  type: bool
  sample: true
digest:
  description:
    - Digest of the parsed config, the same string C(nats-server -t) of O(server_version) prints.
    - Null when the config does not parse, and for nats-server 2.10 (which prints none).
  returned: always
  type: str
  sample: "sha256:4f5d5b0b1f2a0c7e4f0b3c0f8b0e6d1e6a1f3f0d8c7b6a5f4e3d2c1b0a9f8e7d"
config:
  description: The parsed values, with secrets replaced by C(********). Null when the config does not parse.
  returned: always
  type: dict
  sample: {"server_name": "n1", "cluster": {"name": "east", "port": 6222}, "authorization": {"user": "a", "password": "********"}}
cluster_name:
  description: C(cluster.name), or null when unset.
  returned: always
  type: str
  sample: east
gateway_name:
  description: C(gateway.name), or null when unset.
  returned: always
  type: str
  sample: east
server_name:
  description: C(server_name), or null when unset.
  returned: always
  type: str
  sample: n1
errors:
  description: The errors found (empty when valid).
  returned: always
  type: list
  elements: dict
  contains:
    code:
      description: Stable check code (usable in O(disable)).
      type: str
      sample: cluster-gateway-name-conflict
    severity:
      description: C(error) or C(warning).
      type: str
      sample: error
    message:
      description: The text, the server's own text where the server reports it.
      type: str
      sample: cluster name conflicts between cluster and gateway definitions
    file:
      description: File (on the managed host) the problem is in; V(<string>) for O(content); V(null) for a finding without a location.
      type: str
    line:
      description: 1-based line.
      type: int
    column:
      description: 1-based column (bytes).
      type: int
    path:
      description: Dotted path of the option, for example C(gateway.name).
      type: str
    hint:
      description: How to fix it, and where the other side of a conflict is.
      type: str
findings:
  description: Every finding, errors and warnings, with the same keys as RV(errors).
  returned: always
  type: list
  elements: dict
warnings:
  description: "Warnings as text (C(file:line:col: message) plus the fix in parentheses); Ansible shows them and manages this key."
  returned: when there are warnings
  type: list
  elements: str
files:
  description:
    - The main file (or C(<string>)) and every included file, in read order, with their SHA-256.
    - Also on a parse error (the files read up to the error).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/etc/nats/nats-server.conf", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]
server_check:
  description: The verdict of C(nats-server -t) on the managed host, when O(server_binary) is set.
  returned: when O(server_binary) is set
  type: dict
  contains:
    rc:
      description: Exit code of C(nats-server -t).
      type: int
    valid:
      description: Whether the server said the file is valid.
      type: bool
    digest:
      description: The digest the server printed, or null.
      type: str
    agrees:
      description:
        - Whether the server's parse verdict and digest agree with this module's.
        - The server's C(-t) only parses, so a config this module rejects for a startup check
          (for example a name conflict) still agrees when the server says it is valid and the digests match.
      type: bool
    message:
      description: "What the server printed (without the C(nats-server: ) prefix)."
      type: str
    disagreement:
      description: How the two verdicts differ, when RV(server_check.agrees) is false.
      type: str
      returned: when the verdicts differ
changed:
  description: Always false; nothing is changed.
  returned: always
  type: bool
  sample: false
"""
