# Portal Warga — the two commands: `make run` and `make test` (`make test-fast` while iterating).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
FLASK := $(BIN)/flask --app portal

.PHONY: run test test-fast lint bench bench-record bench-phone bench-memory bench-submit clean i18n

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# A development secret kept in instance/ (never committed) unless
# PORTAL_SECRET_KEY is already set.
instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

run: $(STAMP) instance/secret_key
	@export PORTAL_SECRET_KEY="$${PORTAL_SECRET_KEY:-$$(cat instance/secret_key)}"; \
	export PORTAL_SECURE_COOKIES="$${PORTAL_SECURE_COOKIES:-0}"; \
	set -e; \
	$(FLASK) db upgrade; \
	if [ ! -f instance/.demo-seeded ]; then $(FLASK) seed-demo && touch instance/.demo-seeded; \
	else echo "Data demo sudah dimuat (hapus instance/.demo-seeded untuk memuat ulang)."; fi; \
	echo "Portal Warga: http://127.0.0.1:5000"; \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The inner loop: everything but the tests marked slow (a real browser,
# gunicorn system tests, building and installing the wheel).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# Portal vs a bare Flask app under gunicorn, driven by wrk (apt: wrk).
bench: $(STAMP)
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-record: $(STAMP)
	$(BIN)/python benchmarks/record.py $(BENCH_ARGS)

# Worker RSS with every plugin loaded, after start-up and after a few pages
# (SQLite; the portal and the bare reference app).
bench-memory: $(STAMP)
	$(BIN)/python benchmarks/memory.py $(BENCH_ARGS)

# Where a survey answer's time goes: the portal's cost per answer in process
# against the same-work app's, with each of its own steps left out in turn.
bench-submit: $(STAMP)
	$(BIN)/python benchmarks/submit_cost.py $(BENCH_ARGS)

# The QR and complaint journeys in Chromium on an emulated slow phone.
bench-phone: $(STAMP)
	$(BIN)/python benchmarks/phone.py $(BENCH_ARGS)

# Extract every marked string, merge it into the English catalogue (new
# strings arrive untranslated or fuzzy: translate them), compile.
I18N := portal/translations
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project "Portal Warga" -o $(I18N)/messages.pot .
	$(BIN)/pybabel update -i $(I18N)/messages.pot -d $(I18N) --ignore-obsolete --no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d $(I18N) --statistics

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance/*.sqlite3* instance/.demo-seeded
