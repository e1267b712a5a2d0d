# talknotes developer entry points. Every target works offline (except the first run of
# `zenn`, which fetches Zenn's renderer for the tests from npm): `dict` builds
# the embedded IPADIC from Debian's mecab-ipadic when lindera's build cache
# (.cache/lindera, see .cargo/config.toml) does not already hold it.

CARGO ?= cargo
# Extra flags for every cargo invocation (CI passes --locked).
CARGO_FLAGS ?=

.PHONY: dict zenn build run test bench

dict:
	bash scripts/offline-dictionary.sh

# Zenn's renderer for the publishing tests (tests/zenn, pinned by its package-lock.json).
zenn:
	test -d tests/zenn/node_modules/zenn-markdown-html || npm ci --prefix tests/zenn --no-audit --no-fund --loglevel=error

build: dict
	$(CARGO) build $(CARGO_FLAGS)

run: dict
	$(CARGO) run $(CARGO_FLAGS) --release --bin tn -- --dir . list

test: dict zenn
	$(CARGO) fmt --check
	$(CARGO) clippy $(CARGO_FLAGS) --all-targets -- -D warnings
	$(CARGO) test $(CARGO_FLAGS)

# End-to-end benchmarks on generated 1k/10k/100k knowledge bases; writes docs/benchmarks.md.
# TN_BENCH_100K=0 skips 100k (see scripts/bench.sh).
bench: dict
	bash scripts/bench.sh
