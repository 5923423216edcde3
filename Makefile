# Rapport — `make run` serves the portal, `make test` runs the suite (see README).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
# Each stamp is newer than its requirement files once they are installed; editing one reinstalls.
RUN_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT

.PHONY: run test install lint messages faults backup restore

$(PYTHON):
	$(PY) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(PYTHON)
	$(PYTHON) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $(RUN_STAMP)

$(STAMP): requirements.txt requirements-dev.txt | $(PYTHON)
	$(PYTHON) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP) $(RUN_STAMP)

install: $(STAMP)

# Compiled catalogues are committed; recompile only where the tools exist.
messages: $(RUN_STAMP)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1 && command -v msgfmt >/dev/null 2>&1; then \
		$(PYTHON) manage.py compilemessages -v 0 --ignore=.venv --ignore=var --ignore=node_modules; \
	fi

run: export DEBUG ?= true
run: $(RUN_STAMP) messages
	$(PYTHON) manage.py migrate --noinput -v 0
	@if $(PYTHON) manage.py help seed_demo >/dev/null 2>&1; then $(PYTHON) manage.py seed_demo; fi
	$(PYTHON) manage.py health_backfill --weeks 26 -v 0
	$(PYTHON) bin/devserver.py

# The suite CI runs (.ci/run). The long fault runs are `make faults` only: the tests marked `slow` (Redis stopped for
# 30 s, 50 concurrent clients for a minute) and the fault scenarios of the four-worker suite; here that suite runs its
# clean scenario once per broker (four workers, exactly once, counted at an SMTP server). A single worker killed
# mid-batch stays here (tests/engagement/test_celery_worker.py).
# It runs in TEST_WORKERS pytest-xdist processes (`make test TEST_WORKERS=0`: one process): each has its own test
# database and, with REDIS_URL, its own Redis database (the next number per worker, portal/settings/test.py); the tests
# that share a fixed resource carry one `xdist_group` and run in one worker in turn (--dist loadgroup).
TEST_WORKERS ?= 2
test: $(STAMP)
	FAULT_SCALE_SCENARIOS=$${FAULT_SCALE_SCENARIOS:-clean} $(BIN)/pytest -m "not slow" -n $(TEST_WORKERS) --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r . --severity-level high
	$(PYTHON) manage.py makemigrations --check --dry-run -v 1
	$(BIN)/lint-imports
	$(PYTHON) bin/import_cycles.py
	$(PYTHON) bin/private_overrides.py

# The benchmarks (bench/README.md): request figures, digest fan-out, reminder lateness. PostgreSQL via DATABASE_URL
# (a dedicated rapport_bench_<scale> database is derived from it), Redis db BENCH_REDIS_URL (default 127.0.0.1:6379/10).
.PHONY: bench
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
		else echo "wrk is missing: sudo apt-get install -y wrk"; exit 1; fi; }
	@s=0; $(PYTHON) bench/run.py || s=1; $(PYTHON) bench/digests.py || s=1; $(PYTHON) bench/reminders.py || s=1; exit $$s

# Fault tests (every one SECURITY.md lists: a worker killed, Redis stopped, SMTP refusing, 50 concurrent clients, four
# workers on Redis and on RabbitMQ in the small size): PostgreSQL and Redis from DATABASE_URL / REDIS_URL, RabbitMQ from
# FAULT_AMQP_URL (a vhost of its own: rabbitmqctl add_vhost rapport_faults). Each test bounds its own waits.
FAULT_DB ?= postgres://postgres@127.0.0.1:5432/rapport_faults
FAULT_REDIS ?= redis://127.0.0.1:6379/9
FAULT_AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/rapport_faults
export FAULT_AMQP_URL
faults: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(FAULT_DB)} REDIS_URL=$${REDIS_URL:-$(FAULT_REDIS)} \
		FAULT_SCALE_SCENARIOS=$${FAULT_SCALE_SCENARIOS:-clean,kill,broker,smtp,reminders} \
		timeout 1500 $(BIN)/pytest -q tests/security/test_faults.py tests/engagement/test_celery_worker.py \
		tests/security/test_faults_scale.py tests/portal/test_beat.py

# Several workers, exactly once, at full size: a few thousand contacts' digests over four workers on Redis and on
# RabbitMQ, clean, with a worker killed, the broker restarted, a minute of SMTP refusal; same-minute reminders. The
# figures are printed and written to bench/results/<date>-faults-scale-<broker>.json (bench/faults/scale.py).
.PHONY: faults-scale
faults-scale: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(FAULT_DB)} REDIS_URL=$${REDIS_URL:-$(FAULT_REDIS)} \
		FAULT_SCALE_CONTACTS=$${FAULT_SCALE_CONTACTS:-3000} FAULT_SCALE_MEETINGS=$${FAULT_SCALE_MEETINGS:-200} \
		FAULT_SCALE_OUTAGE=$${FAULT_SCALE_OUTAGE:-60} FAULT_SCALE_STUCK_AFTER=$${FAULT_SCALE_STUCK_AFTER:-120} \
		FAULT_SCALE_TICK=$${FAULT_SCALE_TICK:-10} FAULT_SCALE_RESULTS=$${FAULT_SCALE_RESULTS:-bench/results} \
		timeout 3600 $(BIN)/pytest -q -s tests/security/test_faults_scale.py

# pg_dump (custom format) of DATABASE_URL into var/backups/. `make restore [DUMP=…]` restores the newest (or named)
# dump into <db>_restore and checks every table and row count against the dump itself; `make restore-in-place
# DUMP=… CONFIRM=yes` backs up the live database, then puts the dump back into it in one transaction (stop the app).
.PHONY: restore-in-place
backup: $(STAMP)
	$(PYTHON) bin/backup.py backup

restore: $(STAMP)
	$(PYTHON) bin/backup.py restore $(DUMP)

restore-in-place: $(STAMP)
	@test -n "$(DUMP)" || { echo "name the dump: make restore-in-place DUMP=var/backups/<file>.dump CONFIRM=yes"; exit 2; }
	@test "$(CONFIRM)" = yes || { echo "this replaces the live database: add CONFIRM=yes"; exit 2; }
	$(PYTHON) bin/backup.py restore --in-place $(DUMP) --yes
