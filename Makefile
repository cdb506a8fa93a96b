# natsops.nats developer commands. Every target runs through tools/ci.py, which creates .venv
# (python3.11 + requirements-dev.txt), copies the collection to a temporary
# ansible_collections/natsops/nats/ and prints each stage's duration.

PYTHON ?= python3.11
CI := $(PYTHON) tools/ci.py
FUZZ_SECONDS ?= 7200
export FUZZ_SECONDS

.PHONY: help test venv sanity units integration lint build versions demo fuzz bench clean matrix lab lab-up lab-down lab-status demo-lab

help:
	@echo "make test         two lanes: sanity units fuzz-short lint build versions matrix(2.16,2.21) | lab integration (CI: whole matrix)"
	@echo "make demo         run examples/supercluster.yml (or examples/demo.yml) on localhost"
	@echo "make sanity|units|integration|lint|build|versions   run one stage"
	@echo "make matrix       units subset, build and the role on ansible-core 2.16-2.21 (MATRIX_VERSIONS=2.16,2.21 picks)"
	@echo "make fuzz         run fuzz/run_fuzz.py until 100,000 inputs (at most FUZZ_SECONDS, default $(FUZZ_SECONDS))"
	@echo "make bench        run benchmarks/*.py"
	@echo "make venv         create/refresh .venv only"
	@echo "make lab-up       boot the test lab (6 Debian 12 hosts, root only; LAB_HOSTS=N) and leave it running"
	@echo "make lab-down     tear the lab down;  make lab-status: its hosts and their state"
	@echo "make lab          the lab stage of make test alone (lab up, tests/lab/prove.py, lab down)"
	@echo "make demo-lab     the role on the lab's six hosts: super-cluster, message across, seed conflict refused"
	@echo "make clean        remove .venv and build output"

test:
	$(CI) test

venv:
	$(CI) venv

sanity units integration lint build versions demo fuzz bench matrix:
	$(CI) $@

# The test lab (tests/lab/README.md). lab-up leaves the lab running for your own playbooks.
LAB := tests/lab/lab.py

lab-up: venv
	.venv/bin/python $(LAB) up

lab-down:
	$(PYTHON) $(LAB) down

lab-status:
	$(PYTHON) $(LAB) status

lab demo-lab:
	$(CI) $@

clean:
	rm -rf .venv dist tests/output .ansible
