# `make run` installs what is needed and opens the dashboard; `make test` installs and runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: install install-ray chromium postgresql cpp run test test-fast lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Optional: Ray, for sweeps on a cluster (`make install-ray`); the tests install it so that CI
# runs a sweep on a real local Ray instance.
install-ray: $(VENV)/.installed-ray

$(VENV)/.installed-ray: $(VENV)/.installed requirements-ray.txt
	$(BIN)/python -m pip install --quiet -r requirements-ray.txt
	touch $@

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The run store's tests start a throwaway server from Debian's postgresql package (tests/postgres.py).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "Installing Debian's postgresql for the run store's tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# The C++ export example (examples/cpp) builds with g++ and CMake against the wheel's libtorch.
cpp:
	@command -v g++ >/dev/null 2>&1 && command -v cmake >/dev/null 2>&1 || { \
		echo "Installing Debian's g++ and cmake for the C++ example"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ cmake make >/dev/null; }

run: install
	$(BIN)/streamlit run app.py --server.port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every test, in two parts. First the core's and the pages' tests on WORKERS workers: they wait on
# page reruns and training threads, so a third worker fills that time, and each test module stays
# whole on one worker (tests/conftest.py). Then the tests marked `browser` (the flows in Chromium
# and the benchmarks) one at a time: a served app and Chromium already fill two cores, and the
# benchmarks measure on a machine doing nothing else. The second part runs even when the first
# fails, so that one run says everything that failed.
WORKERS ?= 3

test: install install-ray chromium postgresql cpp lint
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup -m "not browser"; first=$$?; \
	$(BIN)/python -m pytest -m browser && exit $$first

# The edit-test loop: the core's and the pages' tests, no browser, none of those marked slow
# (compiled exports, Ray, long trainings: `make test` runs them), on WORKERS workers.

test-fast: install install-ray postgresql lint
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup -m "not slow and not browser" tests/core tests/app

# The speed table (a few minutes): ratios against bare baselines measured in the same run.
bench: install install-ray chromium cpp
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
