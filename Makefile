# PetaLapak: the README's commands. Every target is safe to run again.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000
STAMP := $(VENV)/.installed
DEMO_EMAIL ?= perencana@pontianak.demo
DEMO_PASSWORD ?= lapak-demo-2025
WORKLOAD ?=

.PHONY: run setup db test lint bench serve e2e-deps clean-db help

help:
	@echo "make run    - set up everything and serve the app with Pontianak's demo data"
	@echo "make test   - run the test suite against a real PostGIS test database"
	@echo "make bench  - run the benchmarks (WORKLOAD=name for one)"
	@echo "make lint   - ruff format check, ruff and mypy"
	@echo "make serve  - production serving: gunicorn (WORKERS, THREADS, PORT, BIND)"

$(STAMP): pyproject.toml
	@bash scripts/ensure_python.sh "$(PYTHON)" "$(VENV)"
	@$(PIP) install --quiet --upgrade pip
	@$(PIP) install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	@set -euo pipefail; \
	export DATABASE_URL="$$($(PY) scripts/bootstrap_db.py petalapak)"; \
	$(FLASK) db-upgrade; \
	$(FLASK) seed-demo; \
	$(FLASK) create-user "$(DEMO_EMAIL)" --role planner --password "$(DEMO_PASSWORD)" --if-missing; \
	if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then \
	  echo "Port $(PORT) sudah dipakai / is taken: run 'PORT=5001 make run'"; exit 1; fi; \
	echo; echo "PetaLapak: http://127.0.0.1:$(PORT)/"; \
	echo "Login perencana / planner login: $(DEMO_EMAIL)  kata sandi / password: $(DEMO_PASSWORD)"; echo; \
	exec $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: setup
	@set -euo pipefail; \
	export TEST_DATABASE_URL="$$($(PY) scripts/bootstrap_db.py petalapak_test)"; \
	bash scripts/ensure_browser.sh || echo "(tanpa Chromium: uji e2e dilewati / no Chromium: e2e tests skipped)"; \
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Production: gunicorn with 2 x cores + 1 worker processes (WORKERS=...), a few threads each (the
# app waits on PostgreSQL more than it computes). Request logs are the app's JSON lines on
# stderr, so gunicorn's own access log stays off. BIND=0.0.0.0:8000 to listen beyond loopback;
# behind nginx keep loopback and set PETALAPAK_PROXY_FIX=1. See docs/deploy.md.
WORKERS ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) + 1 )))
THREADS ?= 4
BIND ?= 127.0.0.1:$(PORT)
GUNICORN_FLAGS ?=

serve: setup
	@set -euo pipefail; \
	if [ -z "$${DATABASE_URL:-}" ]; then export DATABASE_URL="$$($(PY) scripts/bootstrap_db.py petalapak)"; fi; \
	$(FLASK) db-upgrade; \
	nocontrol=""; \
	if $(VENV)/bin/gunicorn --help 2>/dev/null | grep -q -- --no-control-socket; then nocontrol="--no-control-socket"; fi; \
	echo "PetaLapak (gunicorn, $(WORKERS) workers x $(THREADS) threads): http://$(BIND)/"; \
	exec $(VENV)/bin/gunicorn --workers $(WORKERS) --threads $(THREADS) --worker-class gthread \
	  --bind $(BIND) --timeout 60 --graceful-timeout 30 --keep-alive 5 \
	  --max-requests 2000 --max-requests-jitter 200 --error-logfile - $$nocontrol \
	  $(GUNICORN_FLAGS) 'app:create_app()'

lint: setup
	$(VENV)/bin/ruff format --check app tests bench scripts
	$(VENV)/bin/ruff check app tests bench scripts
	$(VENV)/bin/mypy app

bench: setup
	@set -euo pipefail; \
	bash scripts/ensure_bench_tools.sh || echo "(tanpa wrk/hey: serve-lookup dilewati / no wrk/hey: serve-lookup skipped)"; \
	export DATABASE_URL="$$($(PY) scripts/bootstrap_db.py petalapak_bench)"; \
	$(PY) -m bench $(WORKLOAD)
