# Firedrill: the two commands a new user needs are `make up` and `make test`.
# Everything else is listed by `make help`.

SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc)
PROFILE ?= drill
SCENARIO ?= errors
HEAL ?= manual
export PROFILE SCENARIO HEAL

.PHONY: help deps build build-asan test test-unit up down status logs break heal drill autoheal images \
        bench images fmt fmt-check lint shellcheck tidy fuzz rules clean

help: ## Show the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

deps: ## Install what is missing (Debian packages, npm packages for the validators)
	@scripts/install-deps
	@if [ -x scripts/install-node-deps ]; then scripts/install-node-deps; fi

build: deps ## Configure and build (preset dev; binaries in build/bin)
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

build-asan: deps ## Build the C++ unit tests with ASan + UBSan (build/asan)
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

test: ## Install, build, run every test, the unit tests under ASan + UBSan, and lint; times each phase
	@JOBS=$(JOBS) scripts/test-all

test-unit: build ## Only the fast tests (no real Prometheus/Alertmanager stack)
	@ctest --preset dev -j $(JOBS) -LE integration

up: build ## Install, build and start the whole stack on loopback (PROFILE=drill|production)
	@scripts/stack up

down: ## Stop what `make up` started
	@scripts/stack down

status: ## Show each component, up or down, with its URL
	@scripts/stack status

logs: ## Follow the logs of the stack
	@scripts/stack logs

# Where break and heal act: the local stack, or (TARGET=k8s) every portal replica of the cluster
# kubectl points at, through the portal-faults ConfigMap (scripts/k8s-drill).
TARGET ?= local

break: ## Break the portal or the pipeline: SCENARIO=errors|latency|crashloop|unready|batch|alertmanager-down|receiver-down [TARGET=local|k8s]
	@case "$(TARGET)" in local) scripts/stack break $(SCENARIO) ;; k8s) scripts/k8s-drill break $(SCENARIO) ;; \
	  *) echo "make break: TARGET must be local or k8s, not '$(TARGET)'" >&2; exit 2 ;; esac

heal: ## Undo every break [TARGET=local|k8s]
	@case "$(TARGET)" in local) scripts/stack heal ;; k8s) scripts/k8s-drill heal ;; \
	  *) echo "make heal: TARGET must be local or k8s, not '$(TARGET)'" >&2; exit 2 ;; esac

drill: ## Break, wait for the page, heal, wait for it to resolve, check the times: SCENARIO=...|all [HEAL=auto]
	@scripts/stack drill $(SCENARIO)

autoheal: ## Switch the local auto-healer: MODE=live|dry-run|status|stop (make up starts it in dry run)
	@scripts/stack autoheal $(MODE)

FUZZ_SECONDS ?= 30
FUZZ_JOBS ?= $(JOBS)
fuzz: deps ## Build the libFuzzer targets (fuzz preset) and run each on its corpus for FUZZ_SECONDS
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzzers
	@JOBS=$(JOBS) FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz build/fuzz $(FUZZ_SECONDS)

bench: build ## Run the benchmarks (prints figures)
	@for b in bench/*.sh; do echo "== $$b"; "$$b"; done

rules: build ## Regenerate alert-rules/ from alert-rules/slos.yaml
	@build/bin/slo-rules --spec alert-rules/slos.yaml --out alert-rules

fmt: ## Format the C++ sources
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

fmt-check: ## Fail if a C++ source is not formatted
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

shellcheck: ## shellcheck every shell script and shell test
	@scripts/lint-shell

tidy: ## clang-tidy with the checks in .clang-tidy (results cached per source; needs `make build`)
	@scripts/lint-tidy build

lint: fmt-check shellcheck tidy ## clang-format check, shellcheck, clang-tidy

clean: ## Remove build folders
	@rm -rf build

images: ## Build the four images offline: buildah, on bases made with mmdebstrap (scripts/images)
	@scripts/images
