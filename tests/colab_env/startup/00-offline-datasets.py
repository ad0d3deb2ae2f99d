# 학생 환경(Colab 흉내)의 오프라인 스위치: keras.datasets가 인터넷 대신 COURSE_DATASETS 폴더의 파일
# (Keras 원본 형식)을 읽게 합니다. 학생이 설치한 grader(공개 검사만)와도, 강사용 grader.datasets와도 무관합니다.
# Offline switch for kernels of the student environment (tests/colab_env/run_lessons.py copies this file
# into the kernel's IPYTHONDIR). It imports nothing from the course's `grader`: the host side prepares
# the folder (grader.datasets.default_folder()) and passes it as COURSE_DATASETS.
def _use_local_datasets():
    import importlib
    import os
    from pathlib import Path

    folder = Path(os.environ["COURSE_DATASETS"])

    def local_file(fname=None, origin=None, **_):
        return str(folder / Path(origin or fname).name)

    for name in ("imdb", "reuters", "boston_housing"):
        importlib.import_module(f"keras.src.datasets.{name}").get_file = local_file


_use_local_datasets()
del _use_local_datasets
