# luoshi: two commands do everything on a fresh machine.
#   make run   — venv, install, migrate, demo data, web server + worker on 127.0.0.1:$(PORT)
#   make test  — lint, checks and the whole test suite
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
UV := UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv
PYTEST_ARGS ?=

.PHONY: run test install assets bytecode migrate demo lint fmt bench clean

install: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml uv.lock bin/find-python
	@test -x $(PY) || { python=$${PYTHON:-$$(bin/find-python)} && "$$python" -m venv $(VENV); }
	$(VENV)/bin/pip install --quiet uv==0.13.8
	$(UV) sync --frozen --python $(PY) --quiet --compile-bytecode
	@touch $@

# The environment may set PYTHONDONTWRITEBYTECODE, so nothing is compiled on the fly: the venv is
# installed compiled (above) and the project's own modules are compiled here, before every start,
# so that `manage.py check` and each gunicorn worker do not recompile 40,000 lines. Unchanged
# modules are skipped, so this costs well under a second.
bytecode: install
	@$(PY) -m compileall -q -j 0 luoshi >/dev/null

# Bootstrap, its icons, ECharts and Tom Select (the searchable pickers) come from the npm registry at install time and are copied into
# a git-ignored folder that Django serves; nothing third-party is committed or fetched at run time.
assets: static_npm/.installed

static_npm/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install the front-end packages (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static_npm && mkdir -p static_npm/bootstrap static_npm/bootstrap-icons static_npm/echarts static_npm/tom-select
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static_npm/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static_npm/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static_npm/bootstrap-icons/
	cp node_modules/echarts/dist/echarts.min.js static_npm/echarts/
	cp node_modules/tom-select/dist/js/tom-select.complete.min.js node_modules/tom-select/dist/js/tom-select.complete.min.js.map static_npm/tom-select/
	cp node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css.map static_npm/tom-select/
	@touch $@

migrate: bytecode
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@$(PY) manage.py demo_accounts
	@echo "luoshi: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py run_huey --quiet & \
	  $(VENV)/bin/gunicorn luoshi.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
	    --access-logfile - --log-level warning & \
	  wait

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: bytecode
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy luoshi
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: bytecode
	$(UV) sync --frozen --python $(PY) --quiet --group bench
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) bench/run.py
	$(PY) bench/ledger.py
	$(PY) bench/learning_summary.py
	$(PY) bench/learning_generate.py
	$(PY) bench/learning_import.py
	$(PY) bench/startup.py
	$(PY) bench/hardening.py

clean:
	rm -rf $(VENV) node_modules static_npm static_build var
