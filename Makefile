# bn-lesson: every target builds the virtual environment first when it is missing or out of date.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the environment's Jupyter kernel, rewritten with the course's settings by the set-up step (tools/kernel.py)
KERNEL := $(VENV)/share/jupyter/kernels/python3/kernel.json
SETUP  := $(STAMP) $(KERNEL)
PORT   ?= 8888
# Jupyter refuses to run as root unless told to (containers, CI); ordinary users never see this flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# Every command below, and every kernel it starts, gets the course's kernel environment (TensorFlow's C++
# log level, the hash seed), stated once in tools/kernel.env; the kernelspec gives it to JupyterLab's kernels.
include tools/kernel.env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' tools/kernel.env)

.PHONY: lab test test-portable seeds execute clean-venv images demo slides bench html browser

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# build matplotlib's font cache now, not as a stray message inside the first notebook
	$(BIN)/python -c "import matplotlib.pyplot"
	@touch $(STAMP)

# After every (re)install, since installing ipykernel puts its plain kernel.json back.
$(KERNEL): $(STAMP) tools/kernel.py tools/kernel.env
	$(BIN)/python -m tools.kernel

## lab: set up (if needed) and open the chapters in JupyterLab on localhost, token auth on. It serves the
## repository (a chapter's diagrams are ../images/*.png, outside notebooks/) and opens its file browser in
## notebooks/.
LAB_DIRS := --ServerApp.root_dir=. --FileContentsManager.preferred_dir=notebooks
lab: $(SETUP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(LAB_DIRS) $(ROOT_FLAG)

## test: set up (if needed) and run every test: unit tests, every notebook under nbval (strict), and the
## real-browser tests (static book, live JupyterLab) when Chromium is there. Three pytest-xdist workers by
## default (TEST_WORKERS=1: one process): the browser tests spend much of their time waiting for pages and
## servers, so even two cores finish sooner with three workers (4.8 min against 5.2 with two, here).
## --dist loadscope keeps each notebook's cells in one worker, in order.
TEST_WORKERS ?= 3
test: $(SETUP)
	@$(CHROMIUM_SETUP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --nbval --nbval-current-env tests notebooks

## test-portable: the training chapters (02, 06, 08, 10, 11, 12, 13) under nbval again on a simulated other CPU: TensorFlow
## limited to AVX2 (oneDNN and XLA) and one core, so a printed result that moves with the CPU fails here
test-portable: $(SETUP)
	ONEDNN_MAX_CPU_ISA=AVX2 XLA_FLAGS="$$XLA_FLAGS --xla_cpu_max_isa=AVX2" $(ONE_CORE) \
	  $(BIN)/python -m pytest --nbval --nbval-current-env $(or $(TRAINING_CHAPTERS),$(error no training chapters found))

TRAINING_CHAPTERS = $(wildcard notebooks/02_*.ipynb notebooks/06_*.ipynb notebooks/08_*.ipynb notebooks/10_*.ipynb notebooks/11_*.ipynb notebooks/12_*.ipynb notebooks/13_*.ipynb)
# One core, the first this shell may use (as `taskset -pc PID` lists them), with taskset from util-linux, which
# every Debian and Ubuntu has installed. Without taskset the chapters run on every core, and make says so.
ONE_CORE = $(if $(shell command -v taskset 2>/dev/null),taskset -c "$$(taskset -pc $$$$ | sed 's/.*: *//; s/[^0-9].*//')",\
	$(warning taskset (util-linux) not found: test-portable runs on every core and not on one))

## html: build the static HTML book in site/ from the stored notebooks; open site/index.html (reads offline)
html: $(SETUP)
	$(BIN)/python -m tools.site.build_site

## browser: install Debian's Chromium for the browser tests when it is missing (as root, with apt-get)
browser:
	@$(CHROMIUM_SETUP)

# The browser tests drive the system Chromium (never Playwright's own download). When it is missing and we
# are root with apt-get (CI, containers) it is installed; otherwise the tests skip and say how to get it
# (with CI=true a missing browser fails them instead). CHROMIUM=/path/to/chromium uses another binary.
CHROMIUM_SETUP = if [ -z "$$CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: the browser tests will skip (fail with CI=true)"; \
	  else \
	    echo "no chromium: the browser tests will skip (install it: sudo apt-get install chromium)"; \
	  fi; \
	fi

## execute: re-run every notebook top to bottom in a fresh kernel, storing outputs and widget state
execute: $(SETUP)
	$(BIN)/python -m tools.execute_notebooks notebooks/*.ipynb

## seeds: re-run the chapters' seed studies on other base seeds, nothing saved (SEEDS="1 100", NOTEBOOKS=...)
SEEDS ?= 1 100
seeds: $(SETUP)
	$(BIN)/python -m tools.seed_study --seeds "$(SEEDS)" $(NOTEBOOKS)

## images: re-draw the course diagrams (images/*.png) from bn_lesson/viz/diagrams.py
images: $(SETUP)
	$(BIN)/python -m tools.make_images images

## demo: the classroom dashboard as a Voila app, code hidden, on 127.0.0.1:8866 only; open the URL it prints
## (it carries the token). PRESENTER=1: drawn for a projector
DEMO_PORT ?= 8866
demo: $(SETUP)
	$(BIN)/python -m tools.demo.demo_app --port $(DEMO_PORT) $(if $(PRESENTER),--presenter)

## slides: one reveal.js deck per chapter in slides/, everything served from there (SLIDES_PORT= only builds)
SLIDES_PORT ?= 8000
slides: $(SETUP)
	$(BIN)/python -m tools.slides.build_slides $(if $(SLIDES_PORT),--serve $(SLIDES_PORT))

## bench: time the explorer, the browser round trip, the chapter widgets' control moves, each notebook under nbval,
## the whole make test and the lab start; writes bench/RESULTS.md
bench: $(SETUP)
	$(BIN)/python -m tools.bench.bench

clean-venv:
	rm -rf $(VENV)
