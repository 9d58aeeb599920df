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
	@echo; echo "=== risk of examples/orders.csv as of 2025-06-02 and of examples/risk_orders.csv (telling cases) ==="
	$(BIN)/ace321 risk examples/orders.csv --arrival 2025-06-02 --rates examples/rates.csv
	$(BIN)/ace321 risk examples/risk_orders.csv
	@echo; echo "=== ACE eManifest for examples/trip.yaml into out/ ==="
	rm -rf out && mkdir -p out && $(BIN)/ace321 manifest examples/orders.csv --trip examples/trip.yaml --rates examples/rates.csv --out out/ --filed-at 2026-11-23T12:00:00-05:00 --skip-invalid --db sqlite:///out/demo.db
	ls -l out/
	@echo; echo "=== Entry plan of the example trip's day (2026-11-23, de minimis suspended) ==="
	$(BIN)/ace321 trips plan MAPL20261123A --db sqlite:///out/demo.db --entry-fee 5.00
	@echo; echo "=== The same orders planned on 2025-08-28, the last day of de minimis, for comparison ==="
	$(BIN)/ace321 plan examples/orders.csv --arrival 2025-08-28 --rates examples/rates.csv --entry-fee 5.00
	@printf 'demo-password-321\n' | $(BIN)/ace321 user create demo@example.com --tenant default --role admin --db sqlite:///out/demo.db
	@echo; echo "=== The web workspace ==="
	@echo "Start the server:  $(BIN)/ace321 serve --db sqlite:///out/demo.db"
	@echo "Then open http://127.0.0.1:8321/ and sign in as demo@example.com with the password demo-password-321"
	@echo "(the example shipments and trip above are in the tenant 'default'; the API is beside it at /v1)."

test: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/mypy
	$(BIN)/python -m pytest src tests

bench: $(STAMP)
	$(BIN)/python benchmarks/screen_bulk.py

clean:
	rm -rf $(VENV) .pytest_cache out
