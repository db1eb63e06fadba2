# 医保助手 — every target sets itself up on a fresh machine (Python 3.10 venv, pinned deps).
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
VENV_STAMP := .venv/.installed

.PHONY: chat serve test test-dates setup model db lint bench soak clean

chat: setup db
	bash scripts/run_assistant.sh chat

serve: setup db
	bash scripts/run_assistant.sh serve

test: setup
	.venv/bin/python scripts/train_model.py
	.venv/bin/python -m pytest

# The date-sensitive tests again with the system clock moved (libfaketime) to month and year
# boundaries, Spring Festival 2027 and a leap day; DATES="2027-01-01T00:30 ..." picks Beijing times.
test-dates: setup
	bash scripts/test_dates.sh $(DATES)

setup:
	bash scripts/setup_venv.sh

model: setup
	.venv/bin/python scripts/train_model.py

db: setup
	.venv/bin/python -m bot.records migrate
	.venv/bin/python -m bot.records seed

lint: setup
	.venv/bin/ruff check .

# All benchmarks, one after another (about an hour on 2 cores); each prints its numbers and writes
# JSON and PNG files to bench/out/. bench/RESULTS.md records a run. PostgreSQL is used for the
# long-conversation bench when TEST_POSTGRES_URL is set.
bench: setup
	.venv/bin/python scripts/train_model.py
	.venv/bin/python -m bench.nlu_eval
	.venv/bin/python -m bench.latency --with-stock
	.venv/bin/python -m bench.long_conversation $(if $(TEST_POSTGRES_URL),--postgres $(TEST_POSTGRES_URL))
	.venv/bin/python -m bench.soak --users 200 --minutes 10

# The soak alone: 200 simulated users for 10 minutes on loopback.
soak: setup
	.venv/bin/python scripts/train_model.py
	.venv/bin/python -m bench.soak --users 200 --minutes 10

clean:
	rm -rf build models var logs .pytest_cache
