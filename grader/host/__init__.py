"""The instructor's side of the trust boundary: release and publish, intake, assembly, sandboxed execution,
scoring, results and reports. Nothing here runs inside a student's kernel; what does is `grader.checks`,
`grader.hidden`, `grader.guard` and `grader.datasets` (one level up)."""
