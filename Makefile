# Two commands on a fresh machine:  `make run` (the app)  and  `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SHARED_ARCHIVE := $(abspath ../shared/data/aclImdb_labeled.tar.gz)
# Use the shared archive when it is there and the user has not chosen a source.
export IMDB_DATA ?= $(if $(wildcard $(SHARED_ARCHIVE)),$(SHARED_ARCHIVE),)
PORT ?= 8501

.PHONY: run test venv test-deps chromium bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.port $(PORT)

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.test-installed chromium
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m bench.data_loading
	$(PY) -m bench.training
	$(PY) -m bench.prediction

clean:
	rm -rf .cache test-artifacts .pytest_cache
