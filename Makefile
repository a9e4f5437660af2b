# Tianping: the two commands a newcomer runs are `make run` and `make test` (see README.md).
#
# Installation is idempotent and cheap on a second run: system packages are checked with dpkg,
# the virtual environment is stamped with a hash of pyproject.toml, translations with their .po files.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
STAMPS := var/stamps
PYPROJECT_SUM := $(shell sha256sum pyproject.toml | cut -c1-16)
DEPS_STAMP := $(STAMPS)/deps-$(PYPROJECT_SUM)
PO_FILES := $(wildcard frontend/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

# What `make run` needs on the machine, and what `make test` adds to it.
SYSTEM_RUN := redis-server gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz-subset0
SYSTEM_TEST := $(SYSTEM_RUN) postgresql chromium poppler-utils haproxy
# `make bench` loads the real server over HTTP with Apache's `ab`; the rooms run behind HAProxy (tests and bench).
SYSTEM_BENCH := $(SYSTEM_RUN) postgresql apache2-utils haproxy

.PHONY: help install install-system-run install-system-test install-system-bench install-python \
	messages run test bench clean

help:
	@echo "make run    install what is missing, then start the platform on http://127.0.0.1:8000/"
	@echo "make test   install what is missing, then lint, type-check and run every test"
	@echo "make bench  run the benchmarks in tests/bench (JSON results in var/bench/)"
	@echo "make clean  remove var/ (the embedded database, logs, keys) and the install stamps"

install: install-system-run install-python messages

install-system-run:
	@config/bin/install-system $(SYSTEM_RUN)

install-system-test:
	@config/bin/install-system $(SYSTEM_TEST)

install-system-bench:
	@config/bin/install-system $(SYSTEM_BENCH)

install-python: $(DEPS_STAMP)

# The stamp names the content of pyproject.toml: any edit reinstalls, nothing else does.
# pyvenv.cfg is a prerequisite so that a deleted .venv is rebuilt even when the stamp survives.
$(DEPS_STAMP): $(VENV)/pyvenv.cfg
	@config/bin/install-python
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/deps-* && touch $@

$(VENV)/pyvenv.cfg:
	@config/bin/install-python --venv-only

messages: $(MO_FILES)

# compilemessages writes every catalogue at once (a grouped target): any .po newer than its .mo,
# or a missing .mo (they are not committed), compiles them all.
ifneq ($(MO_FILES),)
$(MO_FILES) &: $(PO_FILES) | $(DEPS_STAMP)
	@echo "make: compiling translations"
	@$(PYTHON) manage.py compilemessages --ignore=$(VENV) --verbosity 0
	@touch $(MO_FILES)
endif

run: install
	@config/bin/run

test: install install-system-test
	@config/bin/with-services config/bin/check

bench: install install-system-bench
	@config/bin/with-services config/bin/bench

clean:
	rm -rf var
