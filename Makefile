# 医保助手 — every target sets itself up on a fresh machine (Python 3.10 venv, pinned deps).
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
VENV_STAMP := .venv/.installed

.PHONY: chat serve test setup model db lint bench clean

chat: setup db
	bash scripts/run_assistant.sh chat

serve: setup db
	bash scripts/run_assistant.sh serve

test: setup
	.venv/bin/python scripts/train_model.py
	.venv/bin/python -m pytest

setup:
	bash scripts/setup_venv.sh

model: setup
	.venv/bin/python scripts/train_model.py

db: setup
	.venv/bin/python -m bot.records migrate
	.venv/bin/python -m bot.records seed

lint: setup
	.venv/bin/ruff check .

bench: setup db
	.venv/bin/python -m bench.nlu_eval

clean:
	rm -rf build models var logs .pytest_cache
