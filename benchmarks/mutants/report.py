"""What a run prints: per lesson the kill rate, a table by operator, the survivors with their diffs; then a
Markdown summary, the same that benchmarks/RESULTS.md records."""

from benchmarks.mutants.mutant import tally
from benchmarks.mutants.operators import OPERATORS

TARGET = 0.95


def table(result):
    """The judged mutants of one lesson by operator: counts per verdict and the kill rate."""
    judged = [m for m in result.mutants if m.verdict]
    lines = [f"{'operator':<15} {'total':>5} {'test':>5} {'crash':>5} {'timeout':>7} {'survived':>8} "
             f"{'equiv.':>6} {'kill rate':>9}"]
    groups = [(op.__name__, [m for m in judged if m.operator == op.__name__]) for op in OPERATORS]
    for name, mutants in [*groups, ("total", judged)]:
        if mutants:
            c = tally(mutants)
            lines.append(f"{name:<15} {c['total']:>5} {c['test']:>5} {c['crash']:>5} {c['timeout']:>7} "
                         f"{c['survived']:>8} {c['equivalent']:>6} {c['rate']:>9.1%}")
    return "\n".join(lines)


def report(results, commit):
    """Print every lesson's report, the totals and the summary table."""
    print(f"\n# Mutants (hidden tests at commit {commit})")
    for result in results:
        lesson_report(result)
    c = tally([m for r in results for m in r.mutants if m.verdict])
    print(f"\nall lessons: {c['total']} judged, killed {c['killed']} (test {c['test']}, crash {c['crash']}, "
          f"timeout {c['timeout']}), survived {c['survived']}, equivalent {c['equivalent']}, "
          f"kill rate {c['rate']:.1%}; {sum(r.seconds for r in results):.0f} s")
    print(f"\n{summary_table(results)}")


def lesson_report(result):
    """Print one lesson's kill rate, its table by operator, harness errors and the survivors with their diffs."""
    c = tally([m for m in result.mutants if m.verdict])
    status = "ok" if c["rate"] >= TARGET else f"below the target {TARGET:.0%}"
    print(f"\n## {result.lesson}: kill rate {c['rate']:.1%} ({status}), {c['survived']} unlisted "
          f"survivors, {len(result.mutants)} mutants made, wall time {result.seconds:.1f} s")
    print(table(result))
    for error in result.errors:
        print(f"HARNESS ERROR: {error}")
    for mutant in (m for m in result.mutants if m.verdict == "survived"):
        print(f"\nsurvivor {mutant.id}  연습 {mutant.exercise}  {mutant.operator}: {mutant.description}")
        print(mutant.diff().rstrip())


def summary_table(results):
    """Markdown rows (lesson, made, judged, killed, survived, equivalent, rate, seconds), a total row when several."""
    rows = ["| 레슨 | 만든 변이 | 판정한 변이 | 잡음 | 살아남음 | 동등(인용) | 잡은 비율 | 시간(초) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines = [(f"`{r.lesson}`", r.mutants, r.seconds) for r in results]
    if len(results) > 1:
        lines.append(("전체", [m for r in results for m in r.mutants], sum(r.seconds for r in results)))
    for name, mutants, seconds in lines:
        c = tally([m for m in mutants if m.verdict])
        rows.append(f"| {name} | {len(mutants)} | {c['total']} | {c['killed']} | {c['survived']} | "
                    f"{c['equivalent']} | {c['rate']:.1%} | {seconds:.0f} |")
    return "\n".join(rows)


def summary(results, confirmation):
    """The summary table and, after `--confirm`, how many verdicts `grader grade` agreed with."""
    text = summary_table(results)
    if confirmation:
        agreed = confirmation.graded - len(confirmation.disagreements)
        text += f"\n\n`--confirm`: `grader grade`로 채점한 변이 {confirmation.graded}개 중 {agreed}개의 판정이 같음"
    return text
