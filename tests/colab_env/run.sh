#!/usr/bin/env bash
# 학생의 Colab 환경 흉내 (make colab-check): Colab에 있는 것만 설치한 깨끗한 가상 환경에, 레슨의 설정 셀과
# 똑같이 학생용 저장소(grader publish)를 설치하고, 정답을 채운 모든 레슨을 그 환경의 커널에서 실행합니다.
# 공개 검사가 모두 통과하고, 강사용 모듈(grader.hidden, nbgrader, pytest...) 없이 돌아가야 합니다.
#
# A student's Colab, simulated: a clean venv with only what a Colab student has (tensorflow-cpu, keras,
# numpy, matplotlib, ipykernel; nbclient drives the kernels), the published tree installed exactly as the
# setup cell installs it (its `%pip install` arguments, the git URL replaced by the published folder),
# then every released lesson with the solution's answers filled in, run in kernels of that venv.
# Offline data comes from tests/colab_env/startup/, outside the installed package.
#
#   tests/colab_env/run.sh [LESSON...]        (default: every lesson in course.toml)
# Environment: PYTHON (default python3), COLAB_VENV (default .cache/colab-venv),
#              COLAB_REUSE_VENV=1 keeps the venv's packages (grader itself is reinstalled every time).
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
VENV=${COLAB_VENV:-.cache/colab-venv}
WORK=.cache/colab-check
HOST=.venv/bin/python
COLAB_PACKAGES=(tensorflow-cpu keras numpy matplotlib ipykernel nbclient nbformat)
INSTRUCTOR_ONLY=nbgrader,nbval,pytest,ruff

start=$EPOCHREALTIME
lap=$start
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
step() { echo "== $1 ($(elapsed "$lap")초)"; lap=$EPOCHREALTIME; }

if [[ "${COLAB_REUSE_VENV:-}" != 1 || ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "${COLAB_PACKAGES[@]}"
fi
"$VENV/bin/pip" uninstall --quiet --yes grader >/dev/null 2>&1 || true
step "Colab 환경: ${COLAB_PACKAGES[*]} (venv $VENV)"

mkdir -p "$WORK"
"$HOST" tests/colab_env/prepare.py "$WORK" "$@"
step "grader publish + 정답 채우기 (published + filled)"

mapfile -t PIP_ARGS < "$WORK/pip-args"
echo "설정 셀과 같은 설치 (as the setup cell): pip install ${PIP_ARGS[*]}"
"$VENV/bin/pip" install "${PIP_ARGS[@]}"
step "설정 셀의 설치 (setup cell install)"

status=0
"$VENV/bin/python" tests/colab_env/run_lessons.py --datasets "$(cat "$WORK/datasets-folder")" \
    --grader-under "$(cd "$VENV" && pwd -P)" --forbid "$INSTRUCTOR_ONLY" --executed "$WORK/executed" \
    "$WORK"/filled/*.ipynb || status=$?
step "레슨 실행 (lessons; executed notebooks in $WORK/executed)"
echo "합계 (total): $(elapsed "$start")초"
exit $status
