# Convenience wrappers around tasks.py (which needs only python3 on a fresh machine).
.PHONY: quickstart test lint bench
quickstart:
	python3 tasks.py quickstart
test:
	python3 tasks.py test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
bench:
	for b in benchmarks/bench_*.py; do .venv/bin/python $$b || exit 1; done
