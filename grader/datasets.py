"""Offline copies of the Keras datasets the lessons load (IMDB, Reuters, Boston housing).

Lessons keep the real `keras.datasets.X.load_data(...)` calls. Where Keras cannot download
(CI, an offline machine), `use_local_datasets()` makes those calls read files from a local
folder instead: the original Keras files when present, else small synthetic files in the same
format, made here with a fixed seed so that the lessons' models learn them like the real ones.
The switch is the IPython startup file in tests/ipython (set IPYTHONDIR to that folder).
"""

import json
import os
from pathlib import Path

import numpy as np

FILES = {
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


def _word_index(rng):
    """Readable words for the most frequent ranks, 'wordN' for the rest; rank 1 is most frequent."""
    words = list(COMMON_WORDS)
    special = POSITIVE_WORDS + NEGATIVE_WORDS
    ranks = rng.choice(np.arange(len(words) + 1, 1500), size=len(special), replace=False)
    index = {word: rank for rank, word in enumerate(words, start=1)}
    index.update({word: int(rank) for word, rank in zip(special, ranks)})
    used = set(index.values())
    index.update({f"word{rank}": rank for rank in range(1, VOCABULARY * 2) if rank not in used})
    return index


def _zipf_ranks(rng, size):
    return [int(r) for r in np.minimum(rng.zipf(1.3, size=size), VOCABULARY * 2 - 1)]


def _texts(rng, labels, topic_words, length, cue_rate):
    """Sequences of word ranks: common words plus some words typical of each sample's label."""
    texts = []
    for label in labels:
        n = int(rng.integers(*length))
        words = _zipf_ranks(rng, n)
        cues = rng.choice(topic_words[label], size=max(1, int(n * cue_rate)))
        positions = rng.choice(n, size=len(cues), replace=False)
        for position, cue in zip(positions, cues):
            words[position] = int(cue)
        texts.append(words)
    array = np.empty(len(texts), dtype=object)
    array[:] = texts
    return array


def _noisy(rng, labels, classes, rate):
    """Relabel a fraction of samples at random, as real annotations are imperfect."""
    flip = rng.random(len(labels)) < rate
    return np.where(flip, rng.integers(0, classes, len(labels)), labels).astype("int64")


def _write_imdb(folder, rng, size=5000):
    index = _word_index(rng)
    cue_words = {1: [index[w] for w in POSITIVE_WORDS], 0: [index[w] for w in NEGATIVE_WORDS]}
    extra = rng.choice(np.arange(200, VOCABULARY - 3), size=(2, 150), replace=False)
    cues = {label: cue_words[label] + list(extra[label]) for label in (0, 1)}
    data = {}
    for part in ("train", "test"):
        labels = rng.integers(0, 2, size=size)
        data[f"x_{part}"] = _texts(rng, labels, cues, (40, 240), cue_rate=0.03)
        data[f"y_{part}"] = _noisy(rng, labels, 2, 0.16)
    np.savez(folder / "imdb.npz", **data)
    (folder / "imdb_word_index.json").write_text(json.dumps(index), encoding="utf-8")


def _write_reuters(folder, rng, size=5000, topics=46):
    index = _word_index(rng)
    frequency = rng.dirichlet(np.full(topics, 0.6))
    frequency[[3, 4]] += 0.3  # like the real set, two topics dominate
    labels = rng.choice(topics, size=size, p=frequency / frequency.sum())
    cues = {t: list(rng.choice(np.arange(200, VOCABULARY - 3), size=25)) for t in range(topics)}
    np.savez(folder / "reuters.npz", x=_texts(rng, labels, cues, (20, 200), cue_rate=0.1),
             y=_noisy(rng, labels, topics, 0.15))
    (folder / "reuters_word_index.json").write_text(json.dumps(index), encoding="utf-8")


def _write_boston_housing(folder, rng, size=506):
    """13 features on very different scales, prices in $1000s between 5 and 50."""
    scales = np.array([10, 25, 11, 0.3, 0.12, 0.7, 28, 2.1, 8.7, 170, 2.2, 90, 7.1])
    centers = np.array([3.6, 11, 11, 0.07, 0.55, 6.3, 68, 3.8, 9.5, 408, 18.5, 357, 12.7])
    latent = rng.normal(size=(size, 13))
    x = np.abs(centers + scales * latent)
    x[:, 3] = (latent[:, 3] > 1.5).astype(float)
    price = (22 + 6.5 * latent[:, 5] - 5 * latent[:, 12] - 2.5 * latent[:, 0]
             + 2 * np.tanh(latent[:, 7] * latent[:, 5]) + rng.normal(0, 1.5, size))
    np.savez(folder / "boston_housing.npz", x=x, y=np.clip(price, 5, 50))


def make_synthetic(folder, seed=2024):
    """Write synthetic imdb, reuters and boston_housing files (Keras format) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for offset, write in enumerate((_write_imdb, _write_reuters, _write_boston_housing)):
        write(folder, np.random.default_rng(seed + offset))
    return folder


def _has_all_files(folder):
    return all((folder / name).is_file() for names in FILES.values() for name in names)


def default_folder():
    """COURSE_DATASETS if set; else ../shared/datasets beside a checkout; else synthetic files."""
    if os.environ.get("COURSE_DATASETS"):
        return Path(os.environ["COURSE_DATASETS"])
    # GRADER_CHECKOUT: set by grader.host.execute, whose kernels import a private copy of grader.
    checkout = Path(os.environ.get("GRADER_CHECKOUT") or Path(__file__).resolve().parent.parent)
    shared = checkout.parent / "shared" / "datasets"
    if _has_all_files(shared):
        return shared
    synthetic = checkout / ".cache" / "datasets"
    return synthetic if _has_all_files(synthetic) else make_synthetic(synthetic)


def use_local_datasets(folder=None):
    """Make keras.datasets.{imdb,reuters,boston_housing} read their files from `folder`."""
    import importlib

    folder = Path(folder or default_folder())

    def local_file(fname=None, origin=None, **_):
        return str(folder / Path(origin or fname).name)

    for name in FILES:
        importlib.import_module(f"keras.src.datasets.{name}").get_file = local_file
    return folder
