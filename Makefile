# The two commands of the README. Both set everything up first (idempotent, see scripts/setup.sh).
#   make profiles            build every profile of the latest period into profiles/
#   make profiles ARGS="--district Lehe --format pdf"
#   make test                linters (ruff, import-linter's layer contracts) + test suite (what CI runs)
ARGS ?=

.PHONY: setup profiles test
setup:
	@bash scripts/setup.sh

profiles: setup
	.venv/bin/python build.py $(ARGS)

test: setup
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	.venv/bin/python -m pytest $(ARGS)
