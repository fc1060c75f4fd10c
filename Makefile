# ClaimsBridge — the two commands a fresh machine needs:
#   make demo   translate the bundled fixtures to JSON and back (byte-identical), run the drop-folder watcher on them,
#               then ask the carrier simulator for an eligibility and a claim in real time
#   make test   run the test suite, the service against its OpenAPI document (schemathesis), then the suite again
#               under AddressSanitizer and LeakSanitizer
#   make fuzz   fuzz the codecs for FUZZ_SECONDS (default 60) per target
# Each first installs any missing system packages (Debian/Ubuntu, via apt-get).

SWIFT ?= swift
SYSTEM_PACKAGES ?= pkg-config libxml2-dev libxml2-utils libcurl4-openssl-dev libsqlite3-dev libssl-dev openssh-server openssl python3 python3-venv wrk curl postgresql libpq-dev
BIN = .build/debug/claimsbridge

.PHONY: demo test test-sanitize test-api build deps bench bench-serve soak soak-postgres fuzz clean

deps:
	@# `dpkg -s` also succeeds for a removed package whose configuration files remain: ask for "installed".
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q ' installed$$' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6.1 or later is needed: https://swift.org/install"; exit 1; }

build: deps
	$(SWIFT) build

demo: build
	@mkdir -p .demo
	@echo "== CDAnet v04 fixtures -> JSON Lines (.demo/v04.jsonl)"
	cat Fixtures/cdanet/v04/*.txt | $(BIN) translate --from cdanet --to json > .demo/v04.jsonl
	@head -c 600 .demo/v04.jsonl; echo " …"
	@echo "== JSON Lines -> CDAnet, compared with the original bytes"
	$(BIN) translate --from json --to cdanet < .demo/v04.jsonl > .demo/v04.back
	cat Fixtures/cdanet/v04/*.txt | cmp - .demo/v04.back && echo "v04: $$(wc -l < .demo/v04.jsonl) messages, round trip byte-identical"
	cat Fixtures/cdanet/v02/*.txt | $(BIN) translate --from cdanet --to json | $(BIN) translate --from json --to cdanet > .demo/v02.back
	cat Fixtures/cdanet/v02/*.txt | cmp - .demo/v02.back && echo "v02: round trip byte-identical"
	@echo "== A batch with bad messages: the good ones are translated, the bad ones reported and kept"
	@$(BIN) translate --from cdanet --to json --input Fixtures/cdanet/invalid/bad-date.txt --errors .demo/errors.jsonl > .demo/bad-date.jsonl; \
	status=$$?; echo "exit code $$status (2 = finished, some messages rejected); rejected messages with their original bytes: .demo/errors.jsonl"; \
	test $$status -eq 2
	@echo "== Claims -> a RAMQ batch (checked against RAMQ's rules and Mappings/ramq/DP_DENTI.xsd), and back"
	$(BIN) translate --from json --to ramq --input Fixtures/ramq/many-claims.input.jsonl \
		--param transmitter=18001 --param provider=212345 --param establishment=12345 > .demo/ramq.xml
	$(BIN) translate --from ramq --to json < .demo/ramq.xml > .demo/ramq.jsonl
	@echo "ramq: $$(grep -c '<DP ' .demo/ramq.xml) claims in .demo/ramq.xml, read back into .demo/ramq.jsonl"
	@echo "== A lab order (3-unit bridge) in the example XML lab's format, checked against its schema, and back"
	$(BIN) translate --from lab-order --to lab:example-xml --input Fixtures/labs/example-xml/02-bridge-3-unit.input.jsonl > .demo/lab-order.xml
	$(BIN) translate --from lab:example-xml --to lab-order --input .demo/lab-order.xml > .demo/lab-order.jsonl
	@echo "lab: .demo/lab-order.xml, read back into .demo/lab-order.jsonl"
	$(BIN) catalog check --lab example-rest
	@echo "== The drop-folder watcher (Examples/watch/routes.yaml): claims in, CDAnet out, replies matched; ledger in SQLite"
	@rm -rf .demo/watch && mkdir -p .demo/watch/inbox/claims .demo/watch/inbox/replies .demo/watch/out/carrier .demo/watch/out/practice
	@cp Examples/watch/routes.yaml Examples/watch/delivery.yaml .demo/watch/
	cp Fixtures/cdanet/v04/01-claim-basic.expected.json .demo/watch/inbox/claims/claim-basic.jsonl
	cp Fixtures/cdanet/v04/11-claim-acknowledgement.txt .demo/watch/inbox/replies/acknowledgement.txt
	$(BIN) watch --config .demo/watch/routes.yaml --drain
	$(BIN) status --config .demo/watch/routes.yaml
	$(BIN) status --config .demo/watch/routes.yaml --claim 000101
	@echo "watch: results in .demo/watch/out/, originals in .demo/watch/inbox/*/archive/"
	@echo "== Real time with the carrier simulator (Examples/simulator/plans.yaml): eligibility (08) and a claim (01)"
	@rm -rf .demo/carrier && mkdir -p .demo/carrier
	@set -e; $(BIN) simulate-carrier --plans Examples/simulator/plans.yaml --port-file .demo/carrier/port \
		> .demo/carrier/simulator.log 2>&1 & pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT; \
	for i in $$(seq 50); do test -s .demo/carrier/port && break; sleep 0.1; done; \
	sed "s/PORT/$$(cat .demo/carrier/port)/" Examples/simulator/delivery.yaml > .demo/carrier/delivery.yaml; \
	echo "eligibility:"; $(BIN) exchange --config .demo/carrier/delivery.yaml --destination simulated-carrier \
		--input Fixtures/cdanet/v04/08-eligibility.txt; \
	echo "claim:"; $(BIN) exchange --config .demo/carrier/delivery.yaml --destination simulated-carrier \
		--input Fixtures/cdanet/v04/01-claim-basic.expected.json

# A run that goes over its time (a test waiting forever) is stopped and fails, instead of holding CI until its own limit.
TEST_MINUTES ?= 30
SANITIZE_TEST_MINUTES ?= 45
test: deps
	timeout --kill-after=30 $(TEST_MINUTES)m $(SWIFT) test
	$(MAKE) --no-print-directory test-api
	$(MAKE) --no-print-directory test-sanitize

# The suite again with AddressSanitizer and LeakSanitizer (the Swift toolchain's own runtime), in a build folder of
# its own; the claimsbridge binary the CLI tests run is instrumented too. Any leak, overflow or use after free fails
# the run. Scripts/lsan.supp lists the leaks proven to be in third-party or runtime code, each with its reason.
# `make test` runs it after the plain suite (Docs/sanitizers.md).
ASAN_OPTIONS_FOR_TESTS = detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0
test-sanitize: deps
	ASAN_OPTIONS=$(ASAN_OPTIONS_FOR_TESTS) LSAN_OPTIONS=suppressions=$(CURDIR)/Scripts/lsan.supp:print_suppressions=0 \
		timeout --kill-after=30 $(SANITIZE_TEST_MINUTES)m $(SWIFT) test --sanitize=address --scratch-path .build-asan --no-parallel

RULES_BENCH_MB ?= 128
bench: deps
	@# A path dependency's source list is cached in the build description; drop it so new files are seen.
	@rm -f Benchmarks/.build/*/release/description.json
	$(SWIFT) run -c release --package-path Benchmarks claimsbridge-bench
	@# What the carrier rules cost each way: the same claims with and without `carrierRules:`, in one run.
	$(SWIFT) run -c release --package-path Benchmarks claimsbridge-bench --compare-rules --megabytes $(RULES_BENCH_MB)
	$(SWIFT) run -c release --package-path Benchmarks claimsbridge-watch-bench
	$(SWIFT) build -c release --product claimsbridge
	python3 Scripts/bench_startup.py .build/release/claimsbridge

soak: deps
	$(SWIFT) build -c release --product claimsbridge
	python3 Scripts/soak.py --binary .build/release/claimsbridge
	python3 Scripts/soak_status.py --binary .build/release/claimsbridge

# Only the PostgreSQL part of the soak: three senders sharing one PostgreSQL outbox (a private server started for
# the run), killed at random, the database restarted mid-way; then deliveries/s with 1, 2 and 4 senders; then the
# status soak with three `serve --watch` workers sharing one store (1000 claims, under a minute).
soak-postgres: deps
	$(SWIFT) build -c release --product claimsbridge
	python3 Scripts/soak.py --mode postgres --binary .build/release/claimsbridge
	python3 Scripts/soak_status.py --mode postgres --workers 3 --binary .build/release/claimsbridge

# Coverage-guided fuzzing (libFuzzer): every target in Fuzz/Sources/ for FUZZ_SECONDS each; crashers are
# kept in Fuzz/Regressions/<target>/ and replayed by the unit tests. See Fuzz/README.md.
FUZZ_SECONDS ?= 60
FUZZ_CONFIGURATION ?= release
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_CONFIGURATION=$(FUZZ_CONFIGURATION) Scripts/fuzz.sh

clean:
	rm -rf .build .build-asan .demo .build-api .build-bench .build-venv

# The service (`claimsbridge serve`, Docs/serve.md) against its contract: schemathesis (PyPI, in .build-venv/)
# sends generated requests to every operation of Docs/openapi.yaml and fails on a server error or a response that
# breaks the document. Left out: positive_data_acceptance and negative_data_rejection (the bodies are claims or
# orders, which the document describes only as strings, so a generated string is rightly refused) and
# unsupported_method (a method an operation does not list gets a 404 problem, not a 405). `make test` runs it.
API_PORT ?= 18089
API_TOKEN = api-test-token-0123456789
test-api: build
	@test -x .build-venv/bin/schemathesis || { python3 -m venv .build-venv && .build-venv/bin/pip install -q 'schemathesis>=4,<5'; }
	@rm -rf .build-api && mkdir -p .build-api && cp -r Examples/watch Examples/serve .build-api/
	@sed -i 's/^listen: .*/listen: 127.0.0.1:$(API_PORT)/' .build-api/serve/service.yaml
	@CLAIMSBRIDGE_PLATFORM_TOKEN=$(API_TOKEN) CLAIMSBRIDGE_MONITORING_TOKEN=monitoring-token-0123 \
		$(BIN) serve --config .build-api/serve/service.yaml --log-level error & echo $$! > .build-api/pid; \
	for i in $$(seq 50); do curl -sf http://127.0.0.1:$(API_PORT)/healthz >/dev/null && break; sleep 0.2; done; \
	.build-venv/bin/schemathesis run Docs/openapi.yaml --url http://127.0.0.1:$(API_PORT) \
		--header "Authorization: Bearer $(API_TOKEN)" --checks all --max-examples 25 --phases examples,coverage,fuzzing \
		--exclude-checks positive_data_acceptance,negative_data_rejection,unsupported_method; \
	status=$$?; kill $$(cat .build-api/pid); exit $$status

# wrk against a release build: one CDAnet claim translated to JSON per request, keep-alive, 2 threads; then
# eligibility through the service against the carrier simulator's own time (Scripts/bench_eligibility.py).
BENCH_SECONDS ?= 20
bench-serve: deps
	$(SWIFT) build -c release --product claimsbridge
	@rm -rf .build-bench && mkdir -p .build-bench && cp -r Examples/watch Examples/serve .build-bench/
	@sed -i 's/^listen: .*/listen: 127.0.0.1:18090/' .build-bench/serve/service.yaml
	@CLAIMSBRIDGE_PLATFORM_TOKEN=$(API_TOKEN) CLAIMSBRIDGE_MONITORING_TOKEN=monitoring-token-0123 \
		.build/release/claimsbridge serve --config .build-bench/serve/service.yaml --log-level error & echo $$! > .build-bench/pid; \
	for i in $$(seq 50); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.2; done; \
	BENCH_TOKEN=$(API_TOKEN) BENCH_BODY=Fixtures/cdanet/v04/01-claim-basic.txt \
		wrk -t2 -c16 -d$(BENCH_SECONDS)s --latency -s Scripts/bench-serve.lua \
		'http://127.0.0.1:18090/v1/translate?from=cdanet&to=json'; \
	echo "RSS: $$(grep VmHWM /proc/$$(cat .build-bench/pid)/status)"; \
	kill $$(cat .build-bench/pid)
	python3 Scripts/bench_eligibility.py .build/release/claimsbridge
