# 새 컴퓨터에서: `make demo` (강의 배포 + 예시 제출물 채점), `make test` (모든 테스트)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test release lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,colab]"
	touch $@

demo: $(STAMP)
	$(BIN)/grader release

release: $(STAMP)
	$(BIN)/grader release

test: $(STAMP)
	$(BIN)/grader release --check
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check grader tests benchmarks

clean:
	rm -rf $(VENV) demo_out
