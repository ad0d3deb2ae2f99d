"""What the harness makes and judges: a Mutant (one changed answer and its verdict), a lesson's results, tallies."""

import ast
import difflib
import hashlib
from dataclasses import asdict, dataclass, field

from benchmarks.mutants.operators import OPERATORS

KILLED = ("test", "crash", "timeout")


@dataclass
class Mutant:
    lesson: str
    exercise: str
    operator: str
    description: str
    source: str  # the mutated answer (ast.unparse)
    original: str  # the answer, normalized the same way
    verdict: str = ""  # test, crash, timeout, survived, equivalent (or "" when not judged)
    seconds: float = 0.0
    message: str = ""

    @property
    def id(self):
        """A hash of the mutated answer; for `literal`, of the target name, not the value (that follows the
        random state), so equivalent.toml can list it."""
        stable = self.source
        if self.operator == "literal":
            head, _, last = stable.rstrip("\n").rpartition("\n")
            stable = f"{head}\n{last.split(' = ')[0]} = <literal>"
        return hashlib.sha1(stable.encode()).hexdigest()[:8]

    def diff(self):
        return "".join(difflib.unified_diff(self.original.splitlines(True), self.source.splitlines(True),
                                            "answer", "mutant", n=3))

    def to_dict(self):
        return {"id": self.id, **asdict(self), "diff": self.diff()}


def mutants_of(answer, kernel=None, lesson="", exercise="", operators=None):
    """Every distinct mutant of an answer, one change each, in operator order."""
    tree = ast.parse(answer)
    original = ast.unparse(tree) + "\n"
    seen, found = {original}, []
    for operator_ in operators or OPERATORS:
        for description, mutated in operator_(tree, kernel):
            source = ast.unparse(ast.fix_missing_locations(mutated)) + "\n"
            if source not in seen:
                seen.add(source)
                found.append(Mutant(lesson, exercise, operator_.__name__, description, source, original))
    return found


@dataclass
class LessonResult:
    lesson: str
    mutants: list[Mutant] = field(default_factory=list)  # every mutant made (judged ones have a verdict)
    errors: list[str] = field(default_factory=list)  # harness errors (Korean/English sentences)
    seconds: float = 0.0


def tally(mutants):
    """{verdict: count} plus total, killed and the kill rate (equivalent mutants left out of the rate)."""
    counts = {v: sum(m.verdict == v for m in mutants) for v in (*KILLED, "survived", "equivalent")}
    counts["total"] = sum(counts.values())
    counts["killed"] = sum(counts[v] for v in KILLED)
    denominator = counts["total"] - counts["equivalent"]
    counts["rate"] = counts["killed"] / denominator if denominator else 1.0
    return counts
