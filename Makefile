# footing's Makefile. Modules are discovered with `go list -m`, never listed by hand.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT    := $(CURDIR)
BIN     := $(ROOT)/.bin
MODULES := $(shell go list -m -f '{{.Dir}}')
export PATH := $(BIN):$(ROOT)/node_modules/.bin:$(PATH)
# Load the service URLs written by scripts/services, when present.
SERVICES_ENV := if [ -f $(ROOT)/.services/env ]; then . $(ROOT)/.services/env; fi
GOTEST_FLAGS ?= -race -count=1 -timeout=15m

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: tools
tools: $(BIN)/.stamp node_modules/.stamp ## Build the pinned Go tools into .bin/ and install the Node tools (reuses what is built).

$(BIN)/.stamp: tools/go.mod tools/go.sum
	@mkdir -p $(BIN)
	cd tools && GOWORK=off go build -o $(BIN)/ $$(GOWORK=off go list -f '{{.ImportPath}}' tool)
	@touch $@

node_modules/.stamp: package.json package-lock.json contracts/gen/ts/package.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# buf_deps DIR: a buf workspace that imports footing's contracts as a downstream repo
# does has scripts/contracts-protos, which copies them from the resolved module first.
buf_deps = if [ -x $(1)/scripts/contracts-protos ]; then $(1)/scripts/contracts-protos; fi

.PHONY: generate
generate: tools ## Regenerate all code from the protos (clean, local plugins only).
	@for f in $$(git ls-files '*buf.gen.yaml'); do d=$$(dirname $$f); \
		echo "buf generate in $$d"; $(call buf_deps,$$d); (cd $$d && buf generate); \
		for extra in $$(cd $$d && ls buf.gen.*.yaml 2>/dev/null); do \
			echo "buf generate --template $$extra in $$d"; (cd $$d && buf generate --template $$extra); done; \
	done

.PHONY: check-generate
check-generate: generate ## Fail if regenerating changes anything.
	@if [ -n "$$(git status --porcelain)" ]; then \
		git status --porcelain; git diff --stat; \
		echo "generated code is out of date: run make generate and commit"; exit 1; fi
	@echo "generated code is up to date"

.PHONY: check-consumable
check-consumable: tools ## Check each released module works as users get it (go get from a local proxy of HEAD, no replace, no go.work), a copy of examples, and the TypeScript package with Connect v2.
	@$(ROOT)/scripts/check-consumable

.PHONY: lint
lint: tools ## gofmt, go vet, golangci-lint (staticcheck and friends), buf lint, buf breaking, tsc.
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@for d in $(MODULES); do echo "lint $${d#$(ROOT)/}"; \
		(cd $$d && go vet ./... && GOWORK=off go vet ./... && golangci-lint run --config $(ROOT)/.golangci.yml ./...); done
	@for f in $$(git ls-files '*buf.yaml'); do d=$$(dirname $$f); $(call buf_deps,$$d); (cd $$d && buf lint); done
	@tag=$$(git tag --list 'contracts/v*' --sort=-v:refname | head -1); \
	if [ -n "$$tag" ]; then echo "buf breaking against $$tag"; \
		(cd contracts && buf breaking --against "$(ROOT)/.git#tag=$$tag,subdir=contracts"); \
	else echo "buf breaking: no contracts/v* tag yet, nothing to compare"; fi
	@for d in $$(git ls-files '*tsconfig.json' | xargs -n1 dirname); do echo "tsc $$d"; (cd $$d && tsc --noEmit -p .); done

.PHONY: test
test: services ## Run every module's tests on its own (GOWORK=off), with -race, against real Postgres and Redis.
	@$(SERVICES_ENV); fail=0; for d in $(MODULES); do echo "test $${d#$(ROOT)/}"; \
		(cd $$d && GOWORK=off go test $(GOTEST_FLAGS) ./...) || fail=1; done; exit $$fail

.PHONY: test-short
test-short: ## Run the tests that need no services (-short).
	@fail=0; for d in $(MODULES); do (cd $$d && go test -short -count=1 ./...) || fail=1; done; exit $$fail

.PHONY: bench
bench: services ## Run every module's benchmarks (BENCH=regexp, default all).
	@$(SERVICES_ENV); for d in $(MODULES); do (cd $$d && go test -run='^$$' -bench='$(or $(BENCH),.)' -benchmem ./...); done

.PHONY: bench-instructions
bench-instructions: ## Instructions per request of the headline comparisons under valgrind's callgrind (slow, manual; ONLY=observability|gatewaycore|gatewaycore-network|gatewaycore-network-1k|aigateway).
	@$(ROOT)/scripts/bench-instructions $(ONLY)

.PHONY: services
services: ## Make Postgres, Redis and a Redis Cluster reachable (reuse, or start project-local ones); writes .services/env.
	@$(ROOT)/scripts/services

.PHONY: services-down
services-down: ## Stop only the services that make services started.
	@$(ROOT)/scripts/services down

.PHONY: run
run: services ## Start the reference service in dev mode on 127.0.0.1:8080.
	@$(SERVICES_ENV); cd examples && go build -o bin/adr-server ./cmd/adr-server && \
		bin/adr-server migrate --dev && exec bin/adr-server serve --dev

.PHONY: clean
clean: ## Remove built tools, test caches and coverage output (keeps .services).
	rm -rf $(BIN) node_modules coverage.out
	go clean -testcache
