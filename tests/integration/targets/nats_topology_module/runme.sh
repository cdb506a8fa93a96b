#!/usr/bin/env bash
# Integration tests of natsops.nats.nats_topology and the nats_topology_validate filter,
# run by ansible-test (or by hand: ANSIBLE_COLLECTIONS_PATH=<dir holding ansible_collections> ./runme.sh).
# Several inventory hosts with the local connection stand for the servers of a super-cluster.
set -eux

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

py="$(command -v python)"
if [ -n "${ANSIBLE_TEST_PYTHON_INTERPRETER:-}" ]; then
    py="$ANSIBLE_TEST_PYTHON_INTERPRETER"
fi

cat > "$work/inventory" <<INV
[cluster_a]
a1 ansible_host=10.0.0.1
a2 ansible_host=10.0.0.2

[cluster_b]
b1 ansible_host=10.0.1.1

[nats:children]
cluster_a
cluster_b

[nats:vars]
ansible_connection=local
ansible_python_interpreter=$py
nats_server_config_path=$work/{{ inventory_hostname }}/nats-server.conf
INV

ansible-playbook -i "$work/inventory" -e "work_dir=$work" playbook.yml "$@"
