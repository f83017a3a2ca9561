# The two commands of the README: `make serve` starts elbd, `make test` runs the whole suite;
# `make bench` runs the benchmarks and fault drills and writes docs/benchmarks.md; `make mutate` runs the
# mutation tests (docs/mutation-testing.md).
# Both first build the project's virtualenv (.venv) from pyproject.toml when it is missing or stale.
VENV := .venv
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
MUTATE_STAMP := $(VENV)/.installed-mutate
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test haproxy browser bench bench-tools mutate

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The data plane (HAProxy; nginx-light with its stream module for UDP listeners, run by elbd from its
# data directory, never as the system service) and the TLS clients the tests use (curl, openssl), from
# the OS packages, installed when missing.
haproxy:
	@command -v haproxy >/dev/null && command -v curl >/dev/null && command -v openssl >/dev/null || { \
		echo "installing HAProxy, curl and openssl from the OS packages"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy curl openssl; }
	@{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } && [ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || { \
		echo "installing nginx-light and libnginx-mod-stream (UDP listeners) from the OS packages"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light libnginx-mod-stream; }

# The browser the console's end-to-end test drives (headless Chromium and its chromedriver, from the OS
# packages, never a downloaded browser), installed when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		echo "installing chromium and chromium-driver (the console's browser test) from the OS packages"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# `make serve PORT=9900 DATA_DIR=/srv/elbd`: where the API listens and where its state lives.
PORT ?= 9876
DATA_DIR ?= ./elbd-data

serve: $(STAMP) haproxy
	$(VENV)/bin/elbd serve --port $(PORT) --data-dir $(DATA_DIR)

# The whole suite on SQLite, then again on PostgreSQL (ELBD_TEST_DATABASE=postgresql: each module and
# each test gets a database of its own, and every elbd process a test starts, `elbd serve` or the CLI,
# gets its data directory's; ELBD_TEST_POSTGRES, default the local server; skipped with a loud reason
# where none answers) every test whose store matters: the API's, the write lock's, the operator's CLI
# (which opens the store itself), the first hour, the console, credentials at rest, `serve --no-agent`,
# the official SDK, the replicas' races, and the data-plane tests that write through the store beside
# the API: health and status the data plane reports (health, member check, UDP checks, the operator's
# view with its health timeline and metrics), the recycle
# bin, and state read back by a restarted elbd (restarts and reloads, IP groups).
# Left out of the PostgreSQL pass, to keep `make test` well under 15 minutes on 2 cores: the tests that
# check SQLite's own file (db backup and restore, crash safety: they skip themselves on PostgreSQL),
# the HTTP clients and parser (the resource CLI, TLS, malformed HTTP) and the other data-plane tests
# (traffic, pools, headers, L7 routing, limits, master-slave, connection reuse, access logs, TLS
# listeners, resilience, HAProxy's and nginx's processes, file modes): what the server they talk to
# stores and its data plane reads back is what tests/api stores and reads, on PostgreSQL too.
# The unit tests (pure functions) and the fuzzer run on SQLite only; the cluster tests and the
# concurrent migrations always run on PostgreSQL, in the second pass. The process-starting passes are
# mostly CPU (85-90 % of both cores, much of it Python starting elbd and its CLI; bench/findings.md):
# a third worker would make little room and would crowd the timing-bound tests.
# The in-process tests (the API through its ASGI app, pure functions, the fuzzer) keep both cores busy,
# so they run in two workers, test by test. The tests that start real processes (elbd serve, HAProxy,
# nginx, agents, browsers) run in two workers too, a module at a time (--dist loadfile: a module's
# shared server starts once), as does the PostgreSQL pass. Each worker takes its ports from a range of
# its own (tests/ports.py), and a cluster waits for the other worker's to stop
# (tests/cluster/harness.py).
IN_PROCESS_TESTS := tests/api tests/unit tests/fuzz
POSTGRES_DATAPLANE_TESTS := $(addprefix tests/dataplane/test_,health.py member_check_probe.py udp.py operators_view.py recycle_and_clone.py restarts_and_reloads.py ip_groups.py)
POSTGRES_E2E_TESTS := $(addprefix tests/e2e/test_,cli.py first_hour.py console.py credentials_at_rest.py serve_roles.py sdk.py sdk_operations.py replicas_on_postgres.py)
POSTGRES_TESTS := tests/api tests/unit/test_postgres_write_lock.py tests/unit/test_hot_statements.py $(POSTGRES_E2E_TESTS) $(POSTGRES_DATAPLANE_TESTS)

# The suite starts elbd some hundreds of times: its bytecode is compiled once here, since an environment
# with PYTHONDONTWRITEBYTECODE set (as CI's) would have every process compile it again (~0.15 s a serve).
# Each pass names its slowest tests (--durations): where the suite's time goes is in every CI log.
test: $(STAMP) haproxy browser
	$(VENV)/bin/python -m compileall -q src
	$(VENV)/bin/pytest -n 2 --durations=15 $(IN_PROCESS_TESTS)
	$(VENV)/bin/pytest -n 2 --dist loadfile --durations=15 $(addprefix --ignore=,$(IN_PROCESS_TESTS))
	ELBD_TEST_DATABASE=postgresql $(VENV)/bin/pytest -n 2 --dist loadfile --durations=15 -rs $(POSTGRES_TESTS)

# The benchmarks' load generator (wrk), fast backend and second anchor (nginx-light with its stream
# module, run from temporary directories on 127.20-22.x.x, never as the system service), from the OS
# packages, installed when missing.
bench-tools:
	@command -v wrk >/dev/null && command -v nginx >/dev/null && command -v cc >/dev/null && [ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || { \
		echo "installing wrk, nginx-light, libnginx-mod-stream and a C compiler (bench/no_resume.c) from the OS packages"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light libnginx-mod-stream gcc libc6-dev; }

# The benchmark's plots need matplotlib, which the tests do not: a separate extra, installed on demand.
$(BENCH_STAMP): $(STAMP)
	$(VENV)/bin/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) haproxy bench-tools
	$(VENV)/bin/python -m bench

# Mutation testing needs mutmut, which the tests do not: a separate extra, installed on demand. Each run
# starts afresh (mutants/ holds mutmut's copy of the tree and its results), then lists the survivors.
$(MUTATE_STAMP): $(STAMP)
	$(VENV)/bin/pip install --quiet -e '.[test,mutate]'
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP) haproxy
	rm -rf mutants
	$(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut export-cicd-stats
	$(VENV)/bin/mutmut results
