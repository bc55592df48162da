# Partners API — developer commands. `make run` and `make test` are the quickstart.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve-prod test bench lint format openapi console clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED) ## Create the virtualenv and install the project

run: install ## Migrate, load the demo directory, print an admin key, serve on :8000
	$(BIN)/partners-api db upgrade
	$(BIN)/partners-api demo load
	@echo "Local admin key (revokes the previous one; use it as 'Authorization: Bearer <key>'):"
	@$(BIN)/partners-api keys create --name "local admin (make run)" --scope admin --replace 2>/dev/null
	@echo "Serving on http://$(HOST):$(PORT) — the console at /, API at /api/v1, docs at http://$(HOST):$(PORT)/docs"
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

serve-prod: install ## Migrate, then serve with gunicorn and run the webhook dispatcher beside it (see README)
	$(BIN)/partners-api db upgrade
	$(BIN)/partners-api webhooks run & dispatcher=$$!; \
	trap 'kill $$dispatcher 2>/dev/null; wait $$dispatcher' EXIT INT TERM; \
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c python:partners_api.serving.gunicorn_conf wsgi:app

test: install ## Lint, then run the whole suite (TEST_DATABASE_URL selects PostgreSQL)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

bench: install ## Time the API on synthetic directories; BENCH_DATABASE_URL, else TEST_DATABASE_URL, adds PostgreSQL (emptied)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: install ## Regenerate openapi/openapi.json
	$(BIN)/partners-api openapi write

console: ## Rebuild the web console's assets (partners_api/console/static) from console/ with npm
	cd console && npm ci --no-audit --no-fund && node build.mjs

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .import_linter_cache .grimp_cache
