# Two commands do everything on a fresh machine:
#   make demo   set up, harvest the bundled demo federation into SQLite, then serve it
#               at http://127.0.0.1:8080 (Ctrl+C stops it)
#   make test   set up (Debian packages included), then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := config/demo.toml
# Debian packages the tests need: PostgreSQL binaries for the throwaway test cluster,
# chromium for the browser tests, wrk for the HTTP benchmark, yaz and MARC::Lint to check
# the MARC export, and the Perl OAI-PMH harvesters (HTTP::OAI, Catmandu) the feed is
# tested with.
DEBIAN_PACKAGES := postgresql chromium wrk yaz libmarc-lint-perl libhttp-oai-perl \
	libcatmandu-oai-perl

.PHONY: install debian-packages demo test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

debian-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: install
	$(BIN)/union --config $(DEMO) init
	$(BIN)/union --config $(DEMO) demo
	$(BIN)/union --config $(DEMO) status
	$(BIN)/union --config $(DEMO) serve --host 127.0.0.1 --port 8080

test: install debian-packages
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m tests.benchmarks.ingest

clean:
	rm -rf $(VENV) var bench-data
