# Two commands on a fresh machine:  `make run` (the app)  and  `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SHARED_ARCHIVE := $(abspath ../shared/data/aclImdb_labeled.tar.gz)
# Use the shared archive when it is there and the user has not chosen a source.
export IMDB_DATA ?= $(if $(wildcard $(SHARED_ARCHIVE)),$(SHARED_ARCHIVE),)
PORT ?= 8501

.PHONY: run test lint lock venv test-deps chromium redis tcmalloc bench screenshots clean

# Installs come from the hash-pinned lock files (`make lock` regenerates them from the
# ranges in requirements*.txt); pip refuses any file whose hash is not in the lock.
$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-test.lock
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed tcmalloc
	@echo "Reading the IMDB reviews into the corpus cache first, so the first visitor does not wait"
	-@$(PY) -m core data > /dev/null
	$(PY) -m streamlit run app.py --server.port $(PORT)

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The distributed executor's tests and bench.scale start a real Redis (docs/deploy.md).
redis:
	@command -v redis-server >/dev/null || { \
	  echo "Installing Debian's redis-server for the job-queue tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# TensorFlow trains up to 2.4x faster on tcmalloc than on glibc's malloc (core/allocator.py);
# without it (no root, not Debian) everything still runs, on glibc.
TCMALLOC := /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
tcmalloc:
	@test -e $(TCMALLOC) || { \
	  echo "Installing Debian's libtcmalloc-minimal4 (faster TensorFlow training)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libtcmalloc-minimal4 >/dev/null; } \
	  || echo "Could not install libtcmalloc-minimal4: training runs on glibc's malloc, up to 2.4x slower"; }

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Two phases, one verdict. The page and core tests run on both cores (pytest-xdist, one
# test file per worker so module fixtures are built once); the tests that time a real
# server, a browser, a queue or a killed process run one at a time after them, on a quiet
# machine. Both phases always run; either failing fails `make test`.
SERIAL_TESTS := tests/browser tests/reliability tests/core/jobs
test: lint $(VENV)/.test-installed chromium redis tcmalloc
	@status=0; \
	$(PY) -m pytest -n 2 --dist loadfile $(addprefix --ignore=,$(SERIAL_TESTS)) || status=$$?; \
	$(PY) -m pytest $(SERIAL_TESTS) || status=$$?; \
	exit $$status

# Re-resolve the lock files against PyPI (uv ignores this machine's pip.conf) for CPython 3.11
# on Linux x86_64. Existing pins are kept unless a range excludes them; to take the newest
# releases everywhere: `make lock LOCK_FLAGS=--upgrade`. The test lock is constrained by the
# runtime lock, so both install the same versions.
UV_COMPILE = $(VENV)/bin/uv pip compile --no-config --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" $(LOCK_FLAGS)

$(VENV)/bin/uv: | $(VENV)/.installed
	$(PY) -m pip install --quiet "uv>=0.13,<0.14"

lock: $(VENV)/bin/uv
	$(UV_COMPILE) -o requirements.lock requirements.txt
	$(UV_COMPILE) -c requirements.lock -o requirements-test.lock requirements-test.txt

bench: $(VENV)/.installed
	$(PY) -m bench.data_loading
	$(PY) -m bench.training
	$(PY) -m bench.prediction

# The README's pictures, remade from the running app (Playwright drives Debian's Chromium).
screenshots: $(VENV)/.test-installed chromium
	$(PY) -m bench.screenshots

clean:
	rm -rf .cache test-artifacts .pytest_cache
