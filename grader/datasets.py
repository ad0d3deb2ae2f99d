"""Offline copies of the Keras datasets the lessons load (IMDB, Reuters, Boston housing).

Lessons keep the real `keras.datasets.X.load_data(...)` calls. Where Keras cannot download
(CI, an offline machine), `use_local_datasets()` makes those calls read files from one local
folder instead: a copy of each original Keras file found in ../shared/datasets, and for the
others synthetic files in the same format, made here with a fixed seed so that the lessons'
models learn them like the real ones (small by default; `scale="real"` writes the real sizes).
The switch is the IPython startup file in tests/ipython (set IPYTHONDIR to that folder).
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Length = Callable[[np.random.Generator], int]  # draws one text's number of words

FILES: dict[str, tuple[str, ...]] = {
    "imdb": ("imdb.npz", "imdb_word_index.json"),
    "reuters": ("reuters.npz", "reuters_word_index.json"),
    "boston_housing": ("boston_housing.npz",),
}
VOCABULARY = 10_000
COMMON_WORDS = (
    "the and a of to is in it i this that was as for with movie but film on not you are his "
    "have he be one all at by an they who so from like her just about out if has what some "
    "there can more when very up no time she even my would which story only really see their "
    "had we were me well than much get bad been people will do other also into first great "
    "how because him most made its then way make them could too any after characters think "
    "watch films two many seen character being never plot acting life best did little know "
    "where over love ever off does man better your end still these say scene why while scenes "
    "such go something through should back those real watching now though thing years actors "
    "director funny doesn't makes another old work before actually nothing going look"
).split()
POSITIVE_WORDS = ("excellent wonderful superb brilliant masterpiece beautiful enjoyed perfect "
                  "favorite amazing touching delightful outstanding gem moving").split()
NEGATIVE_WORDS = ("awful terrible boring waste worst poorly dull stupid horrible mess lame "
                  "pointless annoying disappointing ridiculous").split()


def _word_index(rng: np.random.Generator) -> dict[str, int]:
    """Readable words for the most frequent ranks, 'wordN' for the rest; rank 1 is most frequent."""
    words = list(COMMON_WORDS)
    special = POSITIVE_WORDS + NEGATIVE_WORDS
    ranks = rng.choice(np.arange(len(words) + 1, 1500), size=len(special), replace=False)
    index = {word: rank for rank, word in enumerate(words, start=1)}
    index.update({word: int(rank) for word, rank in zip(special, ranks)})
    used = set(index.values())
    index.update({f"word{rank}": rank for rank in range(1, VOCABULARY * 2) if rank not in used})
    return index


def _zipf_ranks(rng: np.random.Generator, size: int) -> list[int]:
    return [int(r) for r in np.minimum(rng.zipf(1.3, size=size), VOCABULARY * 2 - 1)]


def _texts(rng: np.random.Generator, labels: np.ndarray, topic_words: dict[int, list[int]], length: Length,
           cue_rate: float) -> np.ndarray:
    """Sequences of word ranks: common words plus some words typical of each sample's label;
    `length(rng)` draws each text's number of words."""
    texts = []
    for label in labels:
        n = length(rng)
        words = _zipf_ranks(rng, n)
        cues = rng.choice(topic_words[label], size=max(1, int(n * cue_rate)))
        positions = rng.choice(n, size=len(cues), replace=False)
        for position, cue in zip(positions, cues):
            words[position] = int(cue)
        texts.append(words)
    array = np.empty(len(texts), dtype=object)
    array[:] = texts
    return array


def _noisy(rng: np.random.Generator, labels: np.ndarray, classes: int, rate: float,
           p: np.ndarray | None = None) -> np.ndarray:
    """Relabel a fraction of samples at random (classes drawn with frequencies `p`, else uniformly),
    as real annotations are imperfect."""
    flip = rng.random(len(labels)) < rate
    other = rng.integers(0, classes, len(labels)) if p is None else rng.choice(classes, len(labels), p=p)
    return np.where(flip, other, labels).astype("int64")


def _uniform(low: int, high: int) -> Length:
    return lambda rng: int(rng.integers(low, high))


def _lognormal(mean: float, sigma: float, low: int, high: int) -> Length:
    """Text lengths with the long right tail of real texts, `mean` words on average."""
    mu = np.log(mean) - sigma ** 2 / 2
    return lambda rng: int(np.clip(rng.lognormal(mu, sigma), low, high))


# Training-set articles per topic of keras.datasets.reuters (8,982 in all), as load_data() gives them.
REUTERS_TOPICS = (55, 432, 74, 3159, 1949, 17, 48, 16, 139, 101, 124, 390, 49, 172, 26, 20, 444, 39, 66, 549, 269,
                  100, 15, 41, 62, 92, 24, 15, 48, 19, 45, 39, 32, 11, 50, 10, 49, 19, 19, 24, 36, 30, 13, 21, 12, 18)
# Per scale: IMDB reviews per part and their lengths; Reuters articles (load_data keeps 80 % for training), their
# lengths and topic frequencies (None: random, with topics 3 and 4 the largest). "real": the sizes of the real
# files (IMDB 25,000 / 25,000 reviews of 236 words on average; Reuters 8,982 / 2,246 articles of 145 words).
SCALES: dict[str, dict[str, tuple[Any, ...]]] = {  # {scale: {dataset: the writer's arguments after rng}}
    "small": {"imdb": (5000, _uniform(40, 240)), "reuters": (5000, _uniform(20, 200), None)},
    "real": {"imdb": (25_000, _lognormal(236, 0.66, 11, 2494)),
             "reuters": (11_228, _lognormal(145.5, 0.92, 2, 2376), np.array(REUTERS_TOPICS) / sum(REUTERS_TOPICS))},
}


def _write_imdb(folder: Path, rng: np.random.Generator, size: int, length: Length) -> None:
    index = _word_index(rng)
    cue_words = {1: [index[w] for w in POSITIVE_WORDS], 0: [index[w] for w in NEGATIVE_WORDS]}
    extra = rng.choice(np.arange(200, VOCABULARY - 3), size=(2, 150), replace=False)
    cues = {label: cue_words[label] + list(extra[label]) for label in (0, 1)}
    data: dict[str, np.ndarray] = {}
    for part in ("train", "test"):
        labels = rng.integers(0, 2, size=size)
        data[f"x_{part}"] = _texts(rng, labels, cues, length, cue_rate=0.03)
        data[f"y_{part}"] = _noisy(rng, labels, 2, 0.16)
    np.savez(folder / "imdb.npz", **data)  # type: ignore[arg-type]  # mypy: **data could fill savez's allow_pickle
    (folder / "imdb_word_index.json").write_text(json.dumps(index), encoding="utf-8")


def _write_reuters(folder: Path, rng: np.random.Generator, size: int, length: Length,
                   frequency: np.ndarray | None, topics: int = 46) -> None:
    index = _word_index(rng)
    real_frequency = frequency
    if frequency is None:
        frequency = rng.dirichlet(np.full(topics, 0.6))
        frequency[[3, 4]] += 0.3  # like the real set, two topics dominate
        frequency = frequency / frequency.sum()
    labels = rng.choice(topics, size=size, p=frequency)
    cues = {t: list(rng.choice(np.arange(200, VOCABULARY - 3), size=25)) for t in range(topics)}
    np.savez(folder / "reuters.npz", x=_texts(rng, labels, cues, length, cue_rate=0.1),
             y=_noisy(rng, labels, topics, 0.15, real_frequency))
    (folder / "reuters_word_index.json").write_text(json.dumps(index), encoding="utf-8")


def _write_boston_housing(folder: Path, rng: np.random.Generator, size: int = 506) -> None:
    """13 features on very different scales, prices in $1000s between 5 and 50."""
    scales = np.array([10, 25, 11, 0.3, 0.12, 0.7, 28, 2.1, 8.7, 170, 2.2, 90, 7.1])
    centers = np.array([3.6, 11, 11, 0.07, 0.55, 6.3, 68, 3.8, 9.5, 408, 18.5, 357, 12.7])
    latent = rng.normal(size=(size, 13))
    x = np.abs(centers + scales * latent)
    x[:, 3] = (latent[:, 3] > 1.5).astype(float)
    price = (22 + 6.5 * latent[:, 5] - 5 * latent[:, 12] - 2.5 * latent[:, 0]
             + 2 * np.tanh(latent[:, 7] * latent[:, 5]) + rng.normal(0, 1.5, size))
    np.savez(folder / "boston_housing.npz", x=x, y=np.clip(price, 5, 50))


WRITERS: dict[str, Callable[..., None]] = {"imdb": _write_imdb, "reuters": _write_reuters,
                                           "boston_housing": _write_boston_housing}
SOURCES = "sources.json"  # in a prepared folder: where each dataset's files came from


def prepare(folder: Path | str, real: Path | str | None = None, scale: str = "small", seed: int = 2024) -> Path:
    """Fill `folder` with every dataset's files: a copy of those complete in the folder `real` (not a link:
    the grading sandbox mounts only `folder`), synthetic ones at `scale` for the rest. Files already there
    from the same source are kept; each file is replaced atomically."""
    folder, real_folder = Path(folder), None if real is None else Path(real)
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / SOURCES
    sources = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    for offset, (name, files) in enumerate(FILES.items()):
        copy_from = real_folder if real_folder and all((real_folder / file).is_file() for file in files) else None
        source = "real" if copy_from else f"synthetic {scale} {seed}"
        if sources.get(name) == source and all((folder / file).is_file() and (
                copy_from is None or filecmp.cmp(copy_from / file, folder / file)) for file in files):
            continue
        with tempfile.TemporaryDirectory(prefix=".new-", dir=folder) as new:
            if copy_from:
                for file in files:
                    shutil.copy2(copy_from / file, Path(new) / file)
            else:
                WRITERS[name](Path(new), np.random.default_rng(seed + offset), *SCALES[scale].get(name, ()))
            for file in files:
                os.replace(Path(new) / file, folder / file)
            sources[name] = source
            Path(new, SOURCES).write_text(json.dumps(sources, indent=1), encoding="utf-8")
            os.replace(Path(new, SOURCES), record)
    return folder


def default_folder(scale: str = "small") -> Path:
    """The folder the offline switch reads: COURSE_DATASETS if set; else .cache/datasets in the checkout
    (.cache/datasets-real for scale "real"), prepared from the real files in ../shared/datasets beside it."""
    if scale == "small" and os.environ.get("COURSE_DATASETS"):
        return Path(os.environ["COURSE_DATASETS"])
    # GRADER_CHECKOUT: set by grader.host.execute, whose kernels import a private copy of grader.
    checkout = Path(os.environ.get("GRADER_CHECKOUT") or Path(__file__).resolve().parent.parent)
    cache = checkout / ".cache" / ("datasets" if scale == "small" else f"datasets-{scale}")
    return prepare(cache, checkout.parent / "shared" / "datasets", scale)


def use_local_datasets(folder: Path | str | None = None) -> Path:
    """Make keras.datasets.{imdb,reuters,boston_housing} read their files from `folder`."""
    import importlib

    folder = Path(folder or default_folder())

    def local_file(fname: str, origin: str, **_: object) -> str:  # keras passes both
        return str(folder / Path(origin or fname).name)

    for name in FILES:
        module: Any = importlib.import_module(f"keras.src.datasets.{name}")  # Keras: no type information
        module.get_file = local_file
    return folder
