# Every target works on a fresh clone: .venv is created and the package installed when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@for d in 2024-06-03 2025-06-02 2026-11-23; do \
	  echo; echo "=== examples/orders.csv screened as of $$d ==="; \
	  $(BIN)/ace321 check examples/orders.csv --arrival $$d --rates examples/rates.csv || true; \
	done
	@echo; echo "=== ACE eManifest for examples/trip.yaml into out/ ==="
	rm -rf out && mkdir -p out && $(BIN)/ace321 manifest examples/orders.csv --trip examples/trip.yaml --rates examples/rates.csv --out out/ --filed-at 2026-11-23T12:00:00-05:00 --skip-invalid --db sqlite:///out/demo.db
	ls -l out/

test: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/mypy
	$(BIN)/python -m pytest src tests

bench: $(STAMP)
	$(BIN)/python benchmarks/screen_bulk.py

clean:
	rm -rf $(VENV) .pytest_cache out
