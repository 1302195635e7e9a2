# `make run` and `make test` do all the set-up they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-all lint validate bench docs screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[all,dev]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p out
	$(BIN)/fieldsolver solve geometries/usb2_diff_microstrip.yaml --plot out/usb2_diff_microstrip.png

test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

test-all: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check fieldsolver tests validation bench docs
	$(BIN)/ruff format --check fieldsolver tests validation bench docs
	$(BIN)/lint-imports

# sweep every structure against exact solutions and closed forms: validation/REPORT.md and plots
validate: $(STAMP)
	$(BIN)/python -m validation.run

# solver speed and memory on this machine: prints the tables and writes bench/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m bench.run

# the README's images: the template gallery and an example field map
docs: $(STAMP)
	$(BIN)/python docs/gallery.py docs/templates.png
	$(BIN)/fieldsolver plot geometries/usb2_diff_microstrip.yaml -o docs/usb2_field_map.png --size 760x860 > /dev/null
	$(BIN)/fieldsolver calc microstrip w=0.3 h=0.17 t=0.035 tg=0.035 material=megtron6 rough=0.5um rough_model=huray rough_ratio=2.9 --freq 1MHz:100GHz:61 --plot-loss docs/loss_microstrip.png > /dev/null
	$(BIN)/fieldsolver solve geometries/usb2_diff_microstrip.yaml --freq 1MHz:100GHz:61 --plot-loss docs/loss_usb2_pair.png > /dev/null
	$(BIN)/fieldsolver solve geometries/coax_rg58.yaml --freq 1kHz:100GHz:81 --plot-loss docs/loss_coax_rg58.png > /dev/null

# the README's pictures of the calculator page (fieldsolver serve), in Debian's headless chromium
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py docs

clean:
	rm -rf $(VENV) out .pytest_cache
