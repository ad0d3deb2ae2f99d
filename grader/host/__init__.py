"""The instructor's side of the trust boundary: release and publish, intake, assembly, sandboxed execution,
scoring, results and reports. Nothing here runs inside a grading run: a run gets only `grader.run` (worker,
audit hook, sealed tests), `grader.checks` and `grader.datasets` (one level up); `grader.hidden` reaches a run's
kernel only sealed, one test cell at a time (grader.host.sealing)."""
