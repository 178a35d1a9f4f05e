# The two commands a newcomer needs: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
ARGS   ?=

.PHONY: run test lint bench bench-tools messages screenshots clean-venv

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# A stamp per requirements file, so a changed pin reinstalls and an unchanged one costs nothing.
$(VENV)/.run-deps: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py cgserver $(ARGS)

test: $(VENV)/.dev-deps
	$(PY) -m pytest -n auto $(ARGS)

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache  # the import layers contract in pyproject.toml (README, "Developing: layers")

bench: $(VENV)/.dev-deps bench-tools
	$(PY) bench/run.py $(ARGS)

# wrk, the WebAdmin load benchmark's load generator: Debian's package, installed as .ci/run installs chromium.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; } \
	  || { echo "make bench needs wrk: apt-get install wrk (as root)"; exit 1; }; }

# After changing WebAdmin texts: extract them, fill German and Russian from locale/translations.py
# (it lists any text still without a translation), and compile the catalogues (needs GNU gettext).
messages: $(VENV)/.dev-deps
	$(PY) manage.py webadmin_strings
	$(PY) manage.py makemessages -l de -l ru --no-obsolete --no-location --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*"
	$(PY) locale/fill.py
	$(PY) manage.py compilemessages --ignore ".venv/*"

# The README's pictures of the main pages, light and dark (a browser test's set-up; needs chromium).
screenshots: $(VENV)/.dev-deps
	CGADMIN_README_SHOTS=docs/screenshots $(PY) -m pytest -q tests/e2e/test_readme_screenshots.py $(ARGS)

clean-venv:
	rm -rf $(VENV)
