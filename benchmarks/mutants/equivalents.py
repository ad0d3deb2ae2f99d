"""benchmarks/equivalent.toml: the survivors the task text allows, each with the sentence that allows it."""

from pathlib import Path

from benchmarks.mutants.mutant import KILLED
from grader.host.course import tomllib

EQUIVALENT = Path(__file__).resolve().parent.parent / "equivalent.toml"


def load_equivalents(path=EQUIVALENT):
    """[[equivalent]] entries; each needs lesson, exercise, operator, id, mutation and a quote."""
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", [])
    for entry in entries:
        missing = {"lesson", "exercise", "operator", "id", "mutation", "quote"} - {
            k for k, v in entry.items() if str(v).strip()}
        if missing:
            raise ValueError(f"{path.name}: entry {entry.get('id')} lacks {', '.join(sorted(missing))}")
    keys = [(e["lesson"], e["id"]) for e in entries]
    if len(set(keys)) < len(keys):
        raise ValueError(f"{path.name}: listed twice: {sorted({k for k in keys if keys.count(k) > 1})}")
    return entries


def apply_equivalents(results, entries):
    """Mark listed survivors as equivalent; warnings for entries that no longer match."""
    listed = {(e["lesson"], e["id"]): e for e in entries}
    warnings = []
    for result in results:
        for mutant in result.mutants:
            if mutant.verdict == "survived" and (mutant.lesson, mutant.id) in listed:
                mutant.verdict = "equivalent"
            elif mutant.verdict in KILLED and (mutant.lesson, mutant.id) in listed:
                warnings.append(f"{mutant.lesson} {mutant.id}: listed as equivalent but now killed ({mutant.verdict})")
    made = {(m.lesson, m.id) for r in results for m in r.mutants}
    judged_exercises = {(m.lesson, m.exercise) for r in results for m in r.mutants}
    for (lesson, id_), entry in listed.items():
        if (lesson, entry["exercise"]) in judged_exercises and (lesson, id_) not in made:
            warnings.append(f"{lesson} {id_} ({entry['exercise']}, {entry['mutation']}): listed in "
                            f"{EQUIVALENT.name} but no longer made")
    return warnings
