# ClaimsBridge — the two commands a fresh machine needs:
#   make demo   translate the bundled fixtures to JSON and back (byte-identical), then run the drop-folder watcher on them
#   make test   run the test suite, then again under AddressSanitizer and LeakSanitizer
#   make fuzz   fuzz the codecs for FUZZ_SECONDS (default 60) per target
# Each first installs any missing system packages (Debian/Ubuntu, via apt-get).

SWIFT ?= swift
SYSTEM_PACKAGES ?= pkg-config libxml2-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev openssh-server openssl python3 postgresql libpq-dev
BIN = .build/debug/claimsbridge

.PHONY: demo test test-sanitize build deps bench soak fuzz clean

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
	@echo "== Claims -> a RAMQ batch (validated against Mappings/ramq/DP_DENTI.xsd), and back"
	cat Fixtures/cdanet/v04/01-claim-*.expected.json | $(BIN) translate --from json --to ramq \
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

test: deps
	$(SWIFT) test
	$(MAKE) --no-print-directory test-sanitize

# The suite again with AddressSanitizer and LeakSanitizer (the Swift toolchain's own runtime), in a build folder of
# its own; the claimsbridge binary the CLI tests run is instrumented too. Any leak, overflow or use after free fails
# the run. Scripts/lsan.supp lists the leaks proven to be in third-party or runtime code, each with its reason.
# `make test` runs it after the plain suite (Docs/sanitizers.md).
ASAN_OPTIONS_FOR_TESTS = detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0
test-sanitize: deps
	ASAN_OPTIONS=$(ASAN_OPTIONS_FOR_TESTS) LSAN_OPTIONS=suppressions=$(CURDIR)/Scripts/lsan.supp:print_suppressions=0 \
		$(SWIFT) test --sanitize=address --scratch-path .build-asan

bench: deps
	@# A path dependency's source list is cached in the build description; drop it so new files are seen.
	@rm -f Benchmarks/.build/*/release/description.json
	$(SWIFT) run -c release --package-path Benchmarks claimsbridge-bench
	$(SWIFT) run -c release --package-path Benchmarks claimsbridge-watch-bench
	$(SWIFT) build -c release --product claimsbridge
	python3 Scripts/bench_startup.py .build/release/claimsbridge

soak: deps
	$(SWIFT) build -c release --product claimsbridge
	python3 Scripts/soak.py --binary .build/release/claimsbridge

# Coverage-guided fuzzing (libFuzzer): every target in Fuzz/Sources/ for FUZZ_SECONDS each; crashers are
# kept in Fuzz/Regressions/<target>/ and replayed by the unit tests. See Fuzz/README.md.
FUZZ_SECONDS ?= 60
FUZZ_CONFIGURATION ?= release
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_CONFIGURATION=$(FUZZ_CONFIGURATION) Scripts/fuzz.sh

clean:
	rm -rf .build .build-asan .demo
