# Firedrill: the two commands a new user needs are `make up` and `make test`.
# Everything else is listed by `make help`.

SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc)
PROFILE ?= drill
SCENARIO ?= errors
export PROFILE SCENARIO

.PHONY: help deps build build-asan test test-unit up down status logs break heal drill images \
        bench images fmt fmt-check rules clean fuzz

help: ## Show the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

deps: ## Install what is missing (Debian packages, npm packages for the validators)
	@scripts/install-deps
	@if [ -x scripts/install-node-deps ]; then scripts/install-node-deps; fi

build: deps ## Configure and build (preset dev; binaries in build/bin)
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

build-asan: deps ## Build with ASan + UBSan (build/asan)
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

test: build build-asan ## Install, build, run every test (then the unit tests under ASan + UBSan)
	@ctest --preset dev -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

test-unit: build ## Only the fast tests (no real Prometheus/Alertmanager stack)
	@ctest --preset dev -j $(JOBS) -LE integration

FUZZ_SECONDS ?= 30
FUZZ_TARGETS := mock_slack_webhook_fuzzer mock_slack_api_v2_fuzzer mock_slack_matcher_fuzzer \
                mock_slack_slack_message_fuzzer mock_slack_mrkdwn_fuzzer
fuzz: deps ## Build the libFuzzer targets (preset fuzz) and run each FUZZ_SECONDS (30) on its corpus
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	@scripts/fuzz $(FUZZ_SECONDS)

up: build ## Install, build and start the whole stack on loopback (PROFILE=drill|production)
	@scripts/stack up

down: ## Stop what `make up` started
	@scripts/stack down

status: ## Show each component, up or down, with its URL
	@scripts/stack status

logs: ## Follow the logs of the stack
	@scripts/stack logs

break: ## Break the portal: SCENARIO=errors|latency|crashloop|unready|batch
	@scripts/stack break $(SCENARIO)

heal: ## Undo every break
	@scripts/stack heal

drill: ## Warm up, break, wait for the page, heal, wait for resolution, draft the postmortem
	@scripts/stack drill $(SCENARIO)

bench: build ## Run the benchmarks (prints figures)
	@for b in bench/*.sh; do echo "== $$b"; "$$b"; done

rules: build ## Regenerate alert-rules/ from alert-rules/slos.yaml
	@build/bin/slo-rules --spec alert-rules/slos.yaml --out alert-rules

fmt: ## Format the C++ sources
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

fmt-check: ## Fail if a C++ source is not formatted
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean: ## Remove build folders
	@rm -rf build

IMAGE_REGISTRY ?= ghcr.io/firedrill
IMAGE_TAG ?= 0.1.0
images: ## Build the container images (needs a Docker engine; none runs on the dev machines)
	@for s in portal mock-slack batch-sync; do \
	  docker build --build-arg FIREDRILL_REVISION=$$(git rev-parse --short=12 HEAD) \
	    -f $$s/Dockerfile -t $(IMAGE_REGISTRY)/$$s:$(IMAGE_TAG) . || exit 1; done
