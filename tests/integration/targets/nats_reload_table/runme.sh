#!/usr/bin/env bash
# The reload table against real servers: every entry changed on a running nats-server of each
# release line, SIGHUP, the server's verdict compared with the table (see reload_check.py).
set -eu -o pipefail

PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
# 2.12.6/2.12.7: JetStream limit increases reload from 2.12.7 on; 2.14: leafnode remotes, feature_flags;
# 2.15: jetstream.limits.
VERSIONS="${NATS_RELOAD_VERSIONS:-2.10.26 2.11.11 2.12.6 2.12.7 2.14.6 2.15.1}"

args=()
for v in ${VERSIONS}; do
    args+=("${v}=$("${PYTHON}" fetch_server.py "${v}")")
done
"${PYTHON}" reload_check.py "${args[@]}"
