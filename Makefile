# ein-hdr: two commands do all set-up on a fresh machine.
#   make demo   - create .venv if missing, install, run the main job on the sample data
#   make test   - create .venv if missing, install, check notebooks/module sync, run all tests
#   make notebooks - execute the notebooks and store their outputs;  make book - HTML book in book/;  make readme - README.md from nbs/index.ipynb
PYTHON ?= python3
VENV   ?= .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.ein_hdr-installed
TORCH  ?= torch==2.13.0
SHARED ?= ../shared
OUT    ?= demo_out
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: demo test sync nbtest install lab clean notebooks book readme

install: $(STAMP)

# The venv sees system site-packages so a torch the user installed beforehand (e.g. a CUDA build) is kept;
# torch==2.13.0 (a CPU build here) is installed only when no torch is importable.
$(STAMP): setup.py settings.ini
	@test -x $(VPY) || $(PYTHON) -m venv --system-site-packages $(VENV)
	@$(VPY) -c "import torch" 2>/dev/null && echo "using installed torch" || $(VPY) -m pip install -q "$(TORCH)"
	$(VPY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(VPY) -m ein_hdr demo --data $(SHARED)/data --out $(OUT)

sync: $(STAMP)
	@echo "checking that nbs/ and ein_hdr/ are in sync (nbdev_export, nbdev_clean)"
	@$(VENV)/bin/nbdev_export
	@$(VENV)/bin/nbdev_clean
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  if ! git diff --quiet -- nbs ein_hdr || [ -n "$$(git ls-files --others --exclude-standard -- nbs ein_hdr)" ]; then \
	    git --no-pager diff --stat -- nbs ein_hdr; git ls-files --others --exclude-standard -- nbs ein_hdr; \
	    echo "ERROR: notebooks and ein_hdr/ are out of sync: run nbdev_export && nbdev_clean and commit"; exit 1; \
	  fi; \
	else echo "not a git checkout: sync check skipped"; fi

test: sync
	$(VPY) -m pytest -q -n auto --dist worksteal tests

# execute every notebook and store its outputs (figures, tables) in place; then the usual clean-up
notebooks: $(STAMP)
	$(VPY) scripts/run_notebooks.py $(NB)
	@$(VENV)/bin/nbdev_clean

# README.md from nbs/index.ipynb (its markdown, and the tables its cells computed)
readme: $(STAMP)
	$(VPY) scripts/run_notebooks.py index
	@$(VENV)/bin/nbdev_clean --fname nbs/index.ipynb
	$(VPY) scripts/make_readme.py

# the stored notebooks as an HTML book in book/ (nothing is executed)
book: $(STAMP)
	$(VPY) scripts/make_book.py --out book

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=nbs $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

clean:
	rm -rf $(VENV) $(OUT) book *.egg-info
