# The two commands of the README. Both set up .venv first (idempotent: a
# second run only checks a stamp), see tools/setup_env.sh.
PY := .venv/bin/python
PYTEST_ARGS ?= -q

.PHONY: setup demo test clean-work

setup:
	@bash tools/setup_env.sh

demo: setup
	$(PY) tools/demo.py

test: setup
	$(PY) -m pytest tests $(PYTEST_ARGS)

clean-work:
	rm -rf work_dirs data/digits_seg data/digits_det
