"""The nbgrader course of bana-tools: what nbgrader needs, and what it lacks.

Modules (each imported only when used; none imports nbgrader at package import):

* :mod:`~bana_tools.course.layout` - names shared by every step: assignments, notebook
  paths, cell ids (``check-<id>``, ``hidden-<id>``, ``prose-<question>``).
* :mod:`~bana_tools.course.build_source` - writes ``autograding/source`` from the exercise
  declarations (content as data).
* :mod:`~bana_tools.course.release` - runs ``nbgrader generate_assignment`` and keeps the
  committed release notebooks in ``exercises/`` in step.
* the autograde passes, by phase: :mod:`~bana_tools.course.sanitise` (the answers copy in
  the notebook kept, cells a student added or duplicated neutralised, deleted cells
  restored), :mod:`~bana_tools.course.prepare` (the answers that count, prose shown escaped
  with its rubric), :mod:`~bana_tools.course.execute` (the course's cells run in process,
  else in a bounded kernel), :mod:`~bana_tools.course.cellmeta` (nbgrader's metadata check,
  schema compiled once); :mod:`~bana_tools.course.cells` holds what they share.
* :mod:`~bana_tools.course.feedback` - the feedback sanitiser (no hidden tests, no rubric).
* :mod:`~bana_tools.course.canvas` - an ``nbgrader export`` plugin writing Canvas's CSV.
* :mod:`~bana_tools.course.parallel` (the scheduler), :mod:`~bana_tools.course.sandbox` (one
  submission graded by a worker) and :mod:`~bana_tools.course.merge` (the one writer) -
  parallel autograding; :mod:`~bana_tools.course.coursedir` - the course's configuration
  and gradebook (SQLite or PostgreSQL), read as nbgrader reads them.
* :mod:`~bana_tools.course.demo` - a simulated class; :mod:`~bana_tools.course.report` -
  pass rates and a score histogram.
"""
