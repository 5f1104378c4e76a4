"""nbgrader configuration of the BANA 7085 course (run nbgrader commands in this folder).

The grading pipeline (preprocessors for structured answers, feedback sanitiser, output
caps) is set by ``bana_tools.course.config.configure``; see that module for the list.
Below it are the settings an instructor is expected to change.
"""

from bana_tools.course.config import configure

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
configure(c, course_id="bana7085")

# Where `nbgrader release_assignment` / `fetch_assignment` / `submit` exchange files.
# On a shared JupyterHub this is a folder every user can write to; nbgrader's default is
# /srv/nbgrader/exchange. Tests and the demo course use a folder of their own.
# c.Exchange.root = "/srv/nbgrader/exchange"

# Limits for one cell while autograding (seconds; bytes of output kept per cell).
c.Execute.timeout = 60
c.BoundedExecute.max_output_bytes = 1_000_000
# When a cell must run in a kernel: starts tried before a notebook's grading fails (a kernel
# can die on start on a busy machine; no cell has run by then).
c.BoundedExecute.kernel_start_attempts = 3

# Cells a student adds are shown to the grader as text and never run. To run them
# (limited by the timeout and output cap above), set:
# c.NeutraliseAddedCells.run_added_cells = True

# Canvas export: `nbgrader export --exporter=bana_tools.course.canvas.CanvasExportPlugin`.
# Map nbgrader assignment names to Canvas assignment ids, and point to the gradebook CSV
# exported from Canvas so each student's Canvas ID, SIS ids and section are filled in.
# c.CanvasExportPlugin.assignment_ids = {"ch01": 123456, "ch02": 123457}
# c.CanvasExportPlugin.roster = "canvas-roster.csv"
