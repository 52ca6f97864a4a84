# practice-search: `make run` to search, `make test` to test. Everything lives in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The CPU build of PyTorch. On this kind of machine pip finds it on disk; elsewhere see
# README ("Installing elsewhere") - a plain `torch` requirement pulls a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0
STAMP  := $(VENV)/.installed

.PHONY: install install-peers models run build bench test check lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# The other engines of the side-by-side benchmark (python -m bench.peers): the `peers`
# extra, kept out of the runtime dependencies and installed without moving any package
# already there.
install-peers: install
	$(BIN)/python -m pip freeze | grep -v '^-e ' > $(VENV)/constraints.txt
	$(BIN)/python -m pip install --quiet -c $(VENV)/constraints.txt -e ".[dev,peers]"

# The main job: build the index if missing or stale, then serve on 127.0.0.1:8000.
run: install
	$(BIN)/practice-search run

# Fetch, verify and export the configured encoders' models (run and build do it on
# first use; CI does it before the tests so the model tests run on the real model).
models: install
	$(BIN)/practice-search models

build: install
	$(BIN)/practice-search build

# Build, latency by stage, HTTP load, cold start and memory: .data/bench/bench.md
bench: install
	$(BIN)/practice-search bench

# Exit code 5 is pytest's "no tests collected": an empty run is a failure, never green.
test: install
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache *.egg-info
