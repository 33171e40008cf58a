# The two commands: `make demo` and `make test`. Everything they need, they install.
SHELL := /bin/bash
VENV := .venv
# Django 6 needs Python 3.12 or newer; take the first interpreter here that is new enough.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 python3.13 \
	$$HOME/.pyenv/versions/3.13*/bin/python3.13 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
APT_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext poppler-utils docker-compose
TEST_ENV := DJANGO_SETTINGS_MODULE=caseflow.settings.test
MESSAGES_ARGS := --add-location=file -l fi -l sv -l en --ignore=.venv --ignore=tests --ignore=bench --ignore=.demo

.PHONY: demo test lint messages system-packages services bench

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed"; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/python -m caseflow.demo

# After changing UI text: update the catalogues, then translate the new entries in locale/.
messages: $(VENV)/.installed
	$(VENV)/bin/python manage.py makemessages $(MESSAGES_ARGS)

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

services:
	@pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done; pg_isready -h 127.0.0.1
	@redis-cli ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done; redis-cli ping

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

test: $(VENV)/.installed system-packages services lint
	$(TEST_ENV) $(VENV)/bin/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/python manage.py makemessages $(MESSAGES_ARGS) >/dev/null
	git diff --exit-code -I '^"POT-Creation-Date' -- locale || { echo "locale/ was out of date with the source: commit it"; exit 1; }
	$(TEST_ENV) $(VENV)/bin/python manage.py compilemessages --ignore=.venv >/dev/null
	$(VENV)/bin/pytest -n 2

# Every row of the speed table in docs/quality.md, on the large data set (built on first use,
# about 15 minutes, then kept as the database caseflow_bench_large) and the medium one for the
# growth figure; bench/run.py --help for the rows one at a time.
bench: $(VENV)/.installed services
	$(VENV)/bin/python bench/run.py
