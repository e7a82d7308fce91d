# Yibao Station. `make run` and `make test` set everything up on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
TS     := $(wildcard resources/i18n/*.ts)
QM     := $(TS:.ts=.qm)

.PHONY: run test lint i18n lupdate system-deps venv bench clean

run: system-deps venv i18n
	$(BIN)/yibao gui --demo

test: system-deps venv i18n lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

system-deps:
	@installer/linux/system-deps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# Translations: .ts sources are committed, .qm files are built.
i18n: $(QM)

resources/i18n/%.qm: resources/i18n/%.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

# Refresh the .ts files from the source strings (developers, after changing UI text).
lupdate: venv
	$(BIN)/pyside6-lupdate $$(find ui -name '*.py' | sort) -ts $(TS) -no-obsolete -locations none

bench: venv
	$(BIN)/python bench/enqueue.py
	$(BIN)/python bench/qr.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/counter.py

clean:
	rm -rf $(VENV) $(QM) .mypy_cache .ruff_cache .pytest_cache
