#!/usr/bin/env bash
# Every benchmark, on SQLite and PostgreSQL (127.0.0.1:5432, user postgres); prints each figure beside its target.
set -euo pipefail
cd "$(dirname "$0")"
PY=../.venv/bin/python
$PY bench_import.py --backend both
$PY bench_cli.py
$PY bench_api.py --backend both
$PY bench_evaluate.py
$PY bench_matcher.py
$PY bench_scoring.py --backend both
$PY bench_screening.py --backend both
$PY bench_load.py --backend both
$PY bench_workers.py --backend both
$PY bench_pages.py
$PY bench_scheduler.py --backend both
$PY bench_outbox.py --backend both
$PY eval_matching.py
