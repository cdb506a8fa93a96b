# natsops.nats developer commands. Every target runs through tools/ci.py, which creates .venv
# (python3.11 + requirements-dev.txt), copies the collection to a temporary
# ansible_collections/natsops/nats/ and prints each stage's duration.

PYTHON ?= python3.11
CI := $(PYTHON) tools/ci.py
FUZZ_SECONDS ?= 7200
export FUZZ_SECONDS

.PHONY: help test venv sanity units integration lint build demo fuzz bench clean matrix

help:
	@echo "make test         sanity + units + integration + ansible-lint + build/install/use + matrix (what CI runs)"
	@echo "make demo         run examples/supercluster.yml (or examples/demo.yml) on localhost"
	@echo "make sanity|units|integration|lint|build   run one stage"
	@echo "make matrix       units subset, build and the role on ansible-core 2.16-2.21 (MATRIX_VERSIONS=2.16,2.21 picks)"
	@echo "make fuzz         run fuzz/run_fuzz.py until 100,000 inputs (at most FUZZ_SECONDS, default $(FUZZ_SECONDS))"
	@echo "make bench        run benchmarks/*.py"
	@echo "make venv         create/refresh .venv only"
	@echo "make clean        remove .venv and build output"

test:
	$(CI) test

venv:
	$(CI) venv

sanity units integration lint build demo fuzz bench matrix:
	$(CI) $@

clean:
	rm -rf .venv dist tests/output .ansible
