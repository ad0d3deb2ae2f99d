"""Intake, on the host side (the instructor's process): find the submission files and name their students.

Every input file is read once into memory and never opened for writing; zip archives are read in
memory, never extracted. One module a job:

- `archives`: reading inputs — plain files, folders, zips (nested, with limits), safe entry names, junk files.
- `names`: LMS naming — Moodle, Canvas, Blackboard file names, Colab and browser copy marks (`clean_name`).
- `roster`: reading a roster CSV (`read_roster`) and matching a file's path to one roster student.
- `submissions`: the entry point `gather` — one file per student, newest first, and the files not graded.
"""
