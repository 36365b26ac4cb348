# The two commands of README.md, plus helpers for course authors.
#   make lab    install everything into .venv and open the course in JupyterLab
#   make test   install what the tests need into .venv and run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Everything nbval checks: every lesson notebook and every worked exercise sheet.
NOTEBOOKS := $(wildcard notebooks/*.ipynb) $(wildcard solutions/*.ipynb)
PYTEST_WORKERS ?= 2

.PHONY: lab test install install-test notebooks warm benchmark clean-cache site e2e bench-course

$(VENV)/.installed-lab: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[lab]"
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[lab,grade,test,docs]"
	touch $@ $(VENV)/.installed-lab

install: $(VENV)/.installed-lab
install-test: $(VENV)/.installed-test

lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: install-test
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --nbval --nbval-current-env \
		--nbval-cell-timeout=600 tests $(NOTEBOOKS)

# Re-execute lesson sources into stored notebooks (course authors).
notebooks: install-test
	$(PY) tools/build_notebooks.py

# Compile every simulation the lessons use, so the first cell in class runs without waiting.
warm: install
	$(PY) tools/warm_cache.py

benchmark: install-test
	$(PY) benchmarks/bench_simulation.py

# Whole course, cold and warm build cache (benchmarks/RESULTS.md).
bench-course: install-test
	$(PY) benchmarks/bench_course.py

# Only the browser tests (also part of `make test`): JupyterLab + Debian's chromium.
# Screenshots: test-artifacts/e2e/.
e2e: install-test
	$(PY) -m pytest -v tests/e2e

# Static, offline course site from the stored notebook outputs -> docs/_build/html/index.html
site: install-test
	$(PY) -m sphinx -b html -q docs docs/_build/html
	@echo "open docs/_build/html/index.html"

clean-cache:
	rm -rf $${SFA_HELPERS_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/sfa_helpers}
