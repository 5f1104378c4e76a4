"""The execute phase of autograding: the course's own cells run in the grading process.

A graded notebook of this course runs only the course's own code: students answer in forms,
and ``NeutraliseAddedCells`` turns every cell a student added into text before this phase.
What is left is the form, the self-check and the test cells, whose source the gradebook
holds. Starting a kernel and round-tripping each of those cells costs a second or two per
notebook to call pure functions of a JSON file.

:class:`InProcessExecute` (nbgrader's ``Execute`` with the course's output cap) checks that
every code cell left in the notebook is a known source cell of the gradebook with exactly
the gradebook's source. If so, it runs the cells in an IPython shell inside the grading
process, in the notebook's folder, and writes what a kernel would have written: stdout and
stderr as stream outputs, displays as ``display_data``, the value of the last expression
as ``execute_result`` (formatted by IPython's display formatter), exceptions as ``error``
outputs, execution counts from 1, and the kernel's ``language_info`` in the notebook's
metadata. nbgrader's ``SaveAutoGrades`` and feedback then see the same notebook as after a
kernel. Any other code (e.g. with ``NeutraliseAddedCells.run_added_cells = True``, or a
source notebook with solution cells) goes to the kernel as before; so does everything with
``InProcessExecute.in_process = False``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.interactiveshell import InteractiveShell
from jupyter_client.kernelspec import NoSuchKernel
from nbclient.util import run_sync
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Type

from bana_tools.course.grading_widgets import live_widgets, widgets_for_grading


def _output_size(msg: dict[str, Any]) -> int:
    content = msg.get("content") or {}
    size = len(content.get("text") or "")
    data = content.get("data")
    if isinstance(data, dict):
        for value in data.values():
            size += len(value) if isinstance(value, str) else len(json.dumps(value, default=str))
    size += sum(len(line) for line in content.get("traceback") or [])
    return size


class BoundedExecute(Execute):
    """nbgrader's ``Execute`` with a cap on the output a cell may produce.

    Output beyond ``max_output_bytes`` for one cell is dropped as it arrives (it never
    accumulates in memory or lands in the graded notebook), and one line on stdout says
    so. The per-cell timeout is ``Execute.timeout`` (interrupt and carry on).

    A kernel that dies before it answers its first request (a busy machine, two kernels
    racing for a port) is started again, up to ``kernel_start_attempts`` times: no cell has
    run yet, so nothing of the submission is lost or run twice. A kernel that dies while a
    cell runs is not retried; that is nbgrader's error, as before.
    """

    max_output_bytes = Integer(
        1_000_000, help="largest output (bytes of text and data) kept for one cell; -1: no cap"
    ).tag(config=True)

    kernel_start_attempts = Integer(
        3, help="times to start a kernel for one notebook before its grading fails (a kernel "
                "that dies on start is started again; no cell has run by then)"
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km: Any = None):
        attempts = max(1, self.kernel_start_attempts)
        for attempt in range(1, attempts + 1):
            self._bana_sizes: dict[int, int] = {}
            self._bana_cut: set[int] = set()
            self._bana_kernel_ready = False
            try:
                return super().preprocess(nb, resources, km=km)
            except Exception as exc:
                if (self._bana_kernel_ready or km is not None or attempt == attempts
                        or isinstance(exc, NoSuchKernel)):
                    raise
                self.log.warning("the kernel did not start (%s: %s); starting it again "
                                 "(attempt %d of %d)", type(exc).__name__, exc, attempt + 1,
                                 attempts)
                self.km = self.kc = None
        raise AssertionError("unreachable")  # pragma: no cover

    async def async_start_new_kernel_client(self) -> Any:
        client = await super().async_start_new_kernel_client()
        self._bana_kernel_ready = True
        return client

    # nbclient binds the blocking version to its own coroutine; bind it to this one
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        if self.max_output_bytes < 0 or msg.get("msg_type") not in (
            "stream", "display_data", "execute_result", "error", "update_display_data"
        ):
            return super().output(outs, msg, display_id, cell_index)
        sizes = getattr(self, "_bana_sizes", {})
        used = sizes.get(cell_index, 0) + _output_size(msg)
        sizes[cell_index] = used
        if used <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        cut = getattr(self, "_bana_cut", set())
        if cell_index not in cut:
            cut.add(cell_index)
            note = from_dict({
                "output_type": "stream", "name": "stdout",
                "text": f"\n[output cut by the grader: this cell printed more than "
                        f"{self.max_output_bytes:,} bytes]\n",
            })
            outs.append(note)
            return note
        return None


def known_code_sources(resources: ResourcesDict, holder: object | None = None) -> dict[str, str]:
    """grade id -> source of every code cell the gradebook's source notebook holds."""
    from bana_tools.course.cells import source_cells

    return {name: c.source for name, c in source_cells(resources, holder).cells.items()
            if c.cell_type == "code"}


def _source(cell: NotebookNode) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def runs_in_process(nb: NotebookNode, known: dict[str, str]) -> bool:
    """True when every code cell is a known course cell with the gradebook's exact source."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        name = meta.get("grade_id") if isinstance(meta, dict) else None
        if name not in known or _source(cell) != known[name]:
            return False
    return True


def language_info() -> dict[str, Any]:
    """What an IPython kernel of this Python reports in its ``kernel_info`` reply."""
    from ipykernel.ipkernel import IPythonKernel

    info = IPythonKernel.language_info
    return dict(info) if isinstance(info, dict) else {
        "name": "python", "version": sys.version.split()[0], "mimetype": "text/x-python",
        "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
        "pygments_lexer": f"ipython{sys.version_info[0]}", "nbconvert_exporter": "python",
        "file_extension": ".py",
    }


class GradingDisplayHook(DisplayHook):
    """IPython's display hook, except that clearing the output cache (on every
    ``reset``, so once per graded notebook) does not force a full garbage collection: that
    collection took a quarter of a second per notebook, more than running its checks. The
    grading process frees its cycles in Python's ordinary, generational way."""

    def flush(self) -> None:
        collect = gc.collect
        gc.collect = lambda *args, **kwargs: 0  # one worker thread; restored below
        try:
            super().flush()
        finally:
            gc.collect = collect


class GradingShell(InteractiveShell):
    """An IPython shell that records an exception the way a kernel reports it."""

    displayhook_class = Type(GradingDisplayHook)
    last_error: dict[str, Any] | None = None

    def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
        self.last_error = {"ename": getattr(etype, "__name__", str(etype)),
                           "evalue": str(evalue), "traceback": list(stb)}


def grading_shell() -> GradingShell:
    """The process's grading shell (IPython's display() publishes only through the
    initialised singleton), printing nothing for the last expression: a kernel sends it
    as ``execute_result``, which :meth:`InProcessExecute._run_cell` writes itself."""
    if InteractiveShell.initialized():
        shell = InteractiveShell.instance()
        if not isinstance(shell, GradingShell):
            raise RuntimeError("another IPython shell runs in this process")
    else:
        shell = GradingShell.instance(colors="Linux", history_length=0)
        shell.history_manager.enabled = False
    shell.displayhook.write_output_prompt = lambda: None
    shell.displayhook.write_format_data = lambda *args, **kwargs: None
    return shell


class InProcessExecute(BoundedExecute):
    """``BoundedExecute`` that runs the course's own cells without a kernel (see module)."""

    in_process = Bool(
        True, help="run notebooks whose code cells are all known course cells in the grading "
                   "process instead of a kernel (identical outputs and grades)",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km: Any = None):
        if self.in_process and runs_in_process(nb, known_code_sources(resources, self.parent)):
            self.log.debug("running the course's cells in process (no kernel)")
            self._run_in_process(nb, resources)
            return nb, resources
        return super().preprocess(nb, resources, km=km)

    def _run_in_process(self, nb: NotebookNode, resources: ResourcesDict) -> None:
        path = (resources.get("metadata") or {}).get("path") or "."
        shell = getattr(self, "_bana_shell", None) or grading_shell()
        self._bana_shell = shell
        shell.reset(new_session=False)
        shell.execution_count = 1
        nb.metadata["language_info"] = language_info()
        here = Path.cwd()
        # the form module makes shared layout models when imported: import it first, so
        # they are not counted (and closed) as this notebook's
        import bana_tools.forms.widgets  # noqa: F401

        before = set(live_widgets())
        os.chdir(path)
        try:
            with widgets_for_grading():
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        self._run_cell(shell, cell)
        finally:
            os.chdir(here)
            # what this notebook's cells created goes; shared module-level models stay
            for model_id, widget in list(live_widgets().items()):
                if model_id not in before:
                    widget.close()

    def _run_cell(self, shell: Any, cell: NotebookNode) -> None:
        from IPython.utils.capture import capture_output

        count = shell.execution_count
        shell.last_error = None
        with capture_output(stdout=True, stderr=True, display=True) as captured:
            result = shell.run_cell(_source(cell), store_history=True, silent=False)
        outputs: list[dict[str, Any]] = []
        if captured.stdout:
            outputs.append({"output_type": "stream", "name": "stdout", "text": captured.stdout})
        if captured.stderr:
            outputs.append({"output_type": "stream", "name": "stderr", "text": captured.stderr})
        for item in captured.outputs:
            outputs.append({"output_type": "display_data", "data": dict(item.data),
                            "metadata": dict(item.metadata or {})})
        if result.result is not None and result.success:
            data, metadata = shell.display_formatter.format(result.result)
            outputs.append({"output_type": "execute_result", "execution_count": count,
                            "data": data, "metadata": metadata})
        if shell.last_error is not None:
            outputs.append({"output_type": "error", **shell.last_error})
        cell.execution_count = count
        cell.outputs = self._capped([from_dict(o) for o in outputs])

    def _capped(self, outputs: list[NotebookNode]) -> list[NotebookNode]:
        """The same cap as ``BoundedExecute`` puts on a kernel's messages."""
        if self.max_output_bytes < 0:
            return outputs
        kept: list[NotebookNode] = []
        used = 0
        for out in outputs:
            used += _output_size({"content": dict(out)})
            if used <= self.max_output_bytes:
                kept.append(out)
                continue
            kept.append(from_dict({
                "output_type": "stream", "name": "stdout",
                "text": f"\n[output cut by the grader: this cell printed more than "
                        f"{self.max_output_bytes:,} bytes]\n",
            }))
            break
        return kept
