# 오프라인 데이터셋 스위치 (tests/ipython과 같음) + TF32 흉내(01-tf32.py).
from grader.datasets import use_local_datasets

use_local_datasets()
