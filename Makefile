# cqrs-node-bench — every target builds what it needs first. Configuration: environment variables (docs/operations.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE := node
ENTITIES := products customers orders
RUNTIMES := fork express uws
K6_TARGETS := $(foreach r,$(RUNTIMES),$(foreach e,$(ENTITIES),$(foreach s,db redis write,k6-$(r)-$(e)-$(s))))
K6_MIXED := $(foreach r,$(RUNTIMES),k6-$(r)-mixed)

.PHONY: help install build dashboards services migrate migrate-status migration seed rebuild-projections $(addprefix rebuild-,$(ENTITIES)) projector \
        $(addprefix up-,$(RUNTIMES)) $(addprefix down-,$(RUNTIMES)) $(addprefix serve-,$(RUNTIMES)) up down up-worker down-worker \
        rebuild-original verify-projections prepare-bench bench bench-quick bench-recovery bench-lag report $(K6_TARGETS) $(K6_MIXED) \
        test test-unit test-integration clean compare-builds observe observe-down

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 28

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json ## install the npm dependencies (npm ci)

build: install ## compile TypeScript to dist/ (afresh: no compiled file of a moved or deleted source is left to run)
	rm -rf dist
	npx tsc -p .

dashboards: build ## regenerate the Grafana dashboards (dashboards/provisioned/*.json) and compose's Prometheus config from dashboards/src
	$(NODE) dist/dashboards/src/generate.js

services: build ## check MySQL and Redis answer; start private ones on loopback if needed and installed
	$(NODE) dist/cli/services.js

migrate: services ## create the database and apply migrations
	$(NODE) dist/cli/migrate.js

migrate-status: services ## applied and pending migrations (knex's CLI with dist/core/db/knexfile.js)
	npx knex --knexfile dist/core/db/knexfile.js migrate:status

# make migration NAME=add_something: a new, empty migration core/db/migrations/<timestamp>_add_something.ts
migration: build ## a new migration file in core/db/migrations (NAME=...)
	@test -n "$(NAME)" || { echo 'usage: make migration NAME=add_something'; exit 64; }
	npx knex --knexfile dist/core/db/knexfile.js migrate:make $(NAME) -x ts --migrations-directory $(CURDIR)/core/db/migrations

seed: migrate ## replace the data set with a deterministic one (SEED_* sizes), then rebuild the projections
	$(NODE) dist/cli/seed.js

rebuild-projections: migrate ## rebuild every projection from MySQL (atomic swap, progress shown)
	$(NODE) dist/cli/rebuild.js all

# rebuild-products, rebuild-customers, rebuild-orders: rebuild one projection
$(addprefix rebuild-,$(ENTITIES)): rebuild-%: migrate
	$(NODE) dist/cli/rebuild.js $*

verify-projections: migrate ## compare every id and page of every entity, MySQL against the projections (exit 1 on a mismatch)
	$(NODE) dist/cli/verify-projections.js

projector: migrate ## run the outbox projector in the foreground (Ctrl-C stops it)
	$(NODE) dist/cli/projector.js

# up-fork, up-express, up-uws: start a runtime in the background (log and pid in .run/); down-*: stop it
$(addprefix up-,$(RUNTIMES)): up-%: migrate
	$(NODE) dist/cli/runtime.js up $*

$(addprefix down-,$(RUNTIMES)): down-%: build
	$(NODE) dist/cli/runtime.js down $*

# serve-fork, serve-express, serve-uws: run a runtime in the foreground
$(addprefix serve-,$(RUNTIMES)): serve-%: migrate
	$(NODE) dist/runtimes/$*/server.js

up-worker: up-uws ## the original demo's name for worker mode (FrankenPHP worker ≈ uws)
down-worker: down-uws ## stop it
up: $(addprefix up-,$(RUNTIMES)) ## start all three runtimes
down: $(addprefix down-,$(RUNTIMES)) ## stop all three runtimes

rebuild-original: migrate ## write the original demo's Redis layout (read by PROJECTION_READS=original…)
	$(NODE) dist/cli/rebuild.js original

prepare-bench: migrate ## seed if empty, rebuild projections that do not match MySQL, write the original layout
	$(NODE) dist/cli/prepare-bench.js

# The scale step reseeds (deterministically) at each size, then restores the configured SEED_* data set. The recovery
# step runs at the last (largest) size, before the restore.
SCALE_SIZES ?= 1000 100000
bench: prepare-bench ## THE MAIN JOB: matrix, worker sweep, read modes, bare uWS, write and mixed cells, visibility lag, scale, recovery → bench/results/full.json, RESULTS.md
	BENCH_COMMAND="make bench (node dist/cli/bench.js, bench-lag.js, then bench.js --runtimes uws --scale --into bench/results/full.json at $(SCALE_SIZES) products, then bench-recovery.js at the last)" \
	  $(NODE) dist/cli/bench.js
	$(NODE) dist/cli/bench-lag.js --into bench/results/full.json
	@for n in $(SCALE_SIZES); do \
	  echo "bench: scale point: $$n products"; \
	  SEED_PRODUCTS=$$n SEED_CUSTOMERS=$$(( n / 5 )) SEED_ORDERS=$$n $(NODE) dist/cli/seed.js > bench/results/logs/seed-$$n.log 2>&1 || exit $$?; \
	  $(NODE) dist/cli/bench.js --runtimes uws --scale --into bench/results/full.json || exit $$?; \
	done
	@echo "bench: the read model's recovery at $(lastword $(SCALE_SIZES)) products"; \
	  $(NODE) dist/cli/bench-recovery.js $(RECOVERY_ARGS) --into bench/results/full.json; status=$$?; \
	  echo "bench: restoring the configured data set"; $(NODE) dist/cli/seed.js > bench/results/logs/seed-restore.log 2>&1 || exit $$?; \
	  exit $$status

# bench-recovery: on the data set loaded now, or reseeded at RECOVERY_SIZE products (customers a fifth, as many orders)
# and restored to the configured SEED_* data set afterwards. RECOVERY_ARGS: e.g. --runtimes uws,express --readers 16.
RECOVERY_SIZE ?=
RECOVERY_ARGS ?=
bench-recovery: migrate ## the read model's recovery time (RTO): Redis loses it under readers → bench/results/full.json, RESULTS.md
	@if [ -n "$(RECOVERY_SIZE)" ]; then \
	  n=$(RECOVERY_SIZE); echo "bench-recovery: seeding $$n products, $$(( n / 5 )) customers, $$n orders"; \
	  SEED_PRODUCTS=$$n SEED_CUSTOMERS=$$(( n / 5 )) SEED_ORDERS=$$n $(NODE) dist/cli/seed.js || exit $$?; \
	fi
	$(NODE) dist/cli/bench-recovery.js $(RECOVERY_ARGS) --into bench/results/full.json; status=$$?; \
	if [ -n "$(RECOVERY_SIZE)" ]; then echo "bench-recovery: restoring the configured data set"; $(NODE) dist/cli/seed.js || exit $$?; fi; \
	exit $$status

bench-lag: prepare-bench ## visibility lag of commands, inline and async read model, at 25/50/90% of each writer's maximum → merged into bench/results/full.json, RESULTS.md
	$(NODE) dist/cli/bench-lag.js

report: build ## render RESULTS.md, bench/results/full.DETAILS.md, full.findings.json and README's generated block again from bench/results/full.json, measuring nothing
	$(NODE) dist/cli/report.js

bench-quick: prepare-bench ## a smoke run, a few seconds a cell (matrix, a few write cells, mixed) → bench/results/RESULTS-quick.md
	BENCH_COMMAND="make bench-quick" $(NODE) dist/cli/bench.js --quick

# k6-<fork|express|uws>-<products|customers|orders>-<db|redis>: one scenario (get by id, then a page of 50) on a
# fresh runtime; k6-<runtime>-<entity>-write: the entity's commands (create, update, delete) at 1, 16 and 64
# connections; k6-<runtime>-mixed: 90% projection reads, 10% commands at 50 connections. k6 where installed, else
# k6 in Docker, else the bench's driver (wrk or autocannon). Worker counts from the environment:
#   UWS_WORKERS=16 make k6-uws-orders-redis
# k6 remote-writes each run to Prometheus (PROMETHEUS_URL; `make observe` starts one), tagged runtime/entity/source.
$(K6_TARGETS): k6-%: prepare-bench
	$(NODE) dist/cli/loadtest.js $(subst -, ,$*)
$(K6_MIXED): k6-%-mixed: prepare-bench
	$(NODE) dist/cli/loadtest.js $* mixed

# The original demo's names, as explicit lists (a pattern on k6-franken-% would also catch k6-franken-worker-*).
K6_ALIAS_CELLS := $(foreach e,$(ENTITIES),$(foreach s,db redis write,$(e)-$(s))) mixed
K6_FPM := $(addprefix k6-fpm-,$(K6_ALIAS_CELLS))
K6_FRANKEN := $(addprefix k6-franken-,$(K6_ALIAS_CELLS))
K6_FRANKEN_WORKER := $(addprefix k6-franken-worker-,$(K6_ALIAS_CELLS))
.PHONY: k6-aliases $(K6_FPM) $(K6_FRANKEN) $(K6_FRANKEN_WORKER)
$(K6_FPM): k6-fpm-%: k6-fork-%
$(K6_FRANKEN): k6-franken-%: k6-express-%
$(K6_FRANKEN_WORKER): k6-franken-worker-%: k6-uws-%

k6-aliases: ## the original's k6-fpm-*, k6-franken-*, k6-franken-worker-* (fpm → fork, franken → express, franken-worker → uws): lists the 30
	@for c in $(K6_ALIAS_CELLS); do \
	  printf '%-36s → %s\n' k6-fpm-$$c k6-fork-$$c k6-franken-$$c k6-express-$$c k6-franken-worker-$$c k6-uws-$$c; \
	done

observe: build ## Prometheus + Grafana and the MariaDB and Redis exporters to watch a run (compose where Docker runs, else natively: Prometheus and the installed exporters)
	$(NODE) dist/cli/observe.js up

observe-down: build ## stop what make observe started
	$(NODE) dist/cli/observe.js down

# compare-builds BASE=<revision>: this working tree's build against another commit's, in turns (RUNTIME, URL_PATH or COMMAND=products/create, ROUNDS, CONNECTIONS; FLOOR=1 adds the write floor to a command)
BASE ?= HEAD
compare-builds: services ## the working tree vs BASE (default HEAD) on one runtime and request, measured in turns
	$(NODE) dist/cli/compare-builds.js --base $(BASE) --runtime $(or $(RUNTIME),uws) --path $(or $(URL_PATH),/en/products/projection/1) --rounds $(or $(ROUNDS),5) $(if $(COMMAND),--command $(COMMAND)) $(if $(CONNECTIONS),--connections $(CONNECTIONS)) $(if $(FLOOR),--floor)

test: services ## run every test (unit and integration) against the real services
	npx mocha 'dist/test/**/*.test.js'

test-unit: build ## unit tests only (no services needed)
	npx mocha 'dist/test/unit/**/*.test.js'

test-integration: services ## integration tests only
	npx mocha 'dist/test/integration/**/*.test.js'

clean: ## remove the build output
	rm -rf dist
