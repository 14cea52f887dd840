# GlobalCart 360. `make demo` and `make test` set up everything they need:
# a virtualenv in .venv, the pinned dependencies, and a local PostgreSQL.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GLOBALCART := $(BIN)/globalcart
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv up down status reset generate load analytics simulate demo dashboards browser export mailbox docs test test-fast lint format bench airflow render-sql lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "GlobalCart 360 needs Python 3.11 or newer; found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	@echo "==> creating $(VENV) and installing the pinned dependencies (about 2 minutes the first time)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

venv: $(INSTALLED)  ## create the virtualenv and install the dependencies

up: venv  ## start the local PostgreSQL and create the databases
	@$(GLOBALCART) up

down: venv  ## stop the local PostgreSQL
	@$(GLOBALCART) down

status: venv  ## is the local PostgreSQL running?
	@$(GLOBALCART) status

reset: venv  ## stop the local PostgreSQL and delete all local data
	@$(GLOBALCART) reset

generate: up  ## replace the source with a freshly generated history
	@$(GLOBALCART) generate --replace

load: up  ## run the incremental load once, in-process
	@$(GLOBALCART) load

analytics: up  ## build, check and publish the analytics once, in-process (AS_OF=YYYY-MM-DD to pick the day)
	@$(GLOBALCART) analytics $(if $(AS_OF),--as-of $(AS_OF))


simulate: up  ## move the live source forward by one step
	@$(GLOBALCART) simulate

demo: venv  ## run the whole pipeline end to end on the local stack
	@$(GLOBALCART) demo

dashboards: up  ## serve the executive and operations dashboards on http://127.0.0.1:8051 (outside Airflow)
	@$(GLOBALCART) dashboards

browser:  ## install Debian's chromium for the dashboards' browser tests (as root with apt; else they are skipped)
	@if command -v chromium >/dev/null 2>&1; then \
	  echo "chromium for the browser tests: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "==> installing Debian's chromium for the browser tests (about a minute)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null); \
	else \
	  echo "chromium is missing and cannot be installed here (needs root and apt): the browser tests will be skipped"; \
	fi

test: venv lint browser  ## run the linters and the whole test suite
	$(BIN)/pytest

test-fast: venv  ## the tests that need no database: parse rules, catalogs, checks, alerts, steps (under a minute)
	$(BIN)/pytest -m "not slow"

lint: venv  ## check Python (ruff), the package's layers (import-linter) and SQL (sqlfluff), changing nothing
	$(BIN)/ruff check dags include plugins tests
	$(BIN)/ruff format --check dags include plugins tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/sqlfluff lint include/sql

format: venv  ## fix what the linters can fix
	$(BIN)/ruff check --fix dags include plugins tests
	$(BIN)/ruff format dags include plugins tests
	$(BIN)/sqlfluff fix include/sql

bench: up  ## measure loads, changes, analytics and memory at ORDER_LINES (default 1000000; e.g. 1000000,10000000)
	@$(GLOBALCART) bench --order-lines $${ORDER_LINES:-1000000} $(BENCH_ARGS)

airflow: up  ## run Airflow locally (airflow standalone) with the project's DAGs and connections
	@$(GLOBALCART) airflow standalone

export: venv  ## write the published KPI pack to .local/exports/globalcart_kpi_pack.xlsx
	@$(GLOBALCART) export-kpis

mailbox: venv  ## print the alert emails sent to the local SMTP server (127.0.0.1:$$GLOBALCART_SMTP_PORT, default 8025) as they arrive
	$(BIN)/python -m aiosmtpd --nosetuid --class aiosmtpd.handlers.Debugging --listen 127.0.0.1:$${GLOBALCART_SMTP_PORT:-8025}

docs: venv  ## rewrite the tables in docs/ that are rendered from code (the KPI catalog, the checks)
	@$(GLOBALCART) render-docs

render-sql: venv  ## render the extraction, merge and build SQL from the contracts and include/sql/templates
	@$(GLOBALCART) render-sql

lock: venv  ## re-resolve constraints.txt from requirements*.txt
	$(PYTHON) -m venv --clear .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt
	(echo "# Full lock of the resolved environment (pip freeze), used as \`pip install -c constraints.txt\`."; \
	 echo "# Regenerate with \`make lock\` after changing requirements.txt or requirements-dev.txt."; \
	 .lock-venv/bin/pip freeze) > constraints.txt
	rm -rf .lock-venv

clean:  ## remove the virtualenv (local data stays; see `make reset`)
	rm -rf $(VENV)
