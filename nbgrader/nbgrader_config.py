"""Plain nbgrader course over the same sources: `cd nbgrader && nbgrader generate_assignment 01_layers`.

source/<lesson>/<lesson>.ipynb are links to ../solutions/, so there is still one source of truth.
"""

from grader.host.release import CODE_STUB, TEXT_STUB

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "keras-course-ko"
c.ClearSolutions.code_stub = {"python": CODE_STUB}
c.ClearSolutions.text_stub = TEXT_STUB
c.ExecutePreprocessor.timeout = 120
