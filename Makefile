# 새 컴퓨터에서 두 명령이면 됩니다: `make demo` (강의 배포 + 예시 제출물 채점), `make test` (모든 테스트)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_LESSON := 01_layers

.PHONY: demo test release lint bench mutants colab-scale ci-time clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,colab]"
	touch $@

demo: $(STAMP)
	$(BIN)/grader release
	rm -rf demo_out
	$(BIN)/grader samples --lesson $(DEMO_LESSON) --wrong-answers tests/corpus/$(DEMO_LESSON).toml demo_out/submissions
	$(BIN)/grader grade --lesson $(DEMO_LESSON) --out demo_out/grades --cell-timeout 30 --notebook-timeout 60 demo_out/submissions
	@echo "성적표 (grades): demo_out/grades/grades.csv · 피드백 (feedback): demo_out/grades/*.html"

release: $(STAMP)
	$(BIN)/grader release

test: $(STAMP)
	$(BIN)/ruff check grader tests benchmarks conftest.py
	$(BIN)/mypy
	$(BIN)/grader release --check
	$(BIN)/pytest -n auto --maxprocesses 4

bench: $(STAMP)
	$(BIN)/python benchmarks/grading.py --lesson $(DEMO_LESSON)
	$(BIN)/python benchmarks/notebooks.py

mutants: $(STAMP)
	$(BIN)/python -m benchmarks.mutants

# 모든 레슨을 실제 크기 데이터로: 레슨별 시간·최대 메모리, fit 기록 켬/끔 (make test에는 없음; 2코어에서 약 30분)
colab-scale: $(STAMP)
	$(BIN)/python benchmarks/colab_scale.py

# 새 clone에서 .ci/run 시간 재기 (약 25분, 다른 작업 없이): benchmarks/RESULTS.md의 "CI 시간"
ci-time: $(STAMP)
	$(BIN)/python benchmarks/ci_time.py

lint: $(STAMP)
	$(BIN)/ruff check grader tests benchmarks conftest.py

clean:
	rm -rf $(VENV) demo_out .cache

# 학생의 Colab 환경 흉내: 깨끗한 .cache/colab-venv에 설정 셀처럼 학생용 저장소(grader publish)를 설치하고 모든 레슨 실행
.PHONY: colab-check
colab-check: $(STAMP)
	tests/colab_env/run.sh
