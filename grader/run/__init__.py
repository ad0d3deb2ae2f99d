"""Inside a grading run (the sandbox): the worker and the kernel side of the trust boundary.

`spec` is the one contract with the host (RunSpec, spec.json). `worker` executes the graded notebook with
nbclient, bounds outputs and passes the kernel's signed records on. In the student's kernel, `kernel` installs
the audit hook (`hook`) and the trusted snapshot (`snapshot`) before any student code, and runs each sealed test
cell; `seal` is the cryptography both sides share. Nothing here is secret: hidden tests and reference answers
come only sealed, inside the graded notebook, and never as files.
"""
