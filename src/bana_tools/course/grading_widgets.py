"""Widgets in the grading process, where no frontend listens.

A graded notebook shows its form, so grading builds the form's widget tree (a few hundred
models) only to write a widget-view output. In a kernel, ipywidgets would serialise every
model's state for the frontend and ``repr`` the whole tree for the output's ``text/plain``,
of which it keeps 110 characters. While :func:`widgets_for_grading` is active, neither
happens, and the outputs are the same:

- a new widget gets a :class:`NoFrontendComm` (nothing is sent, no state is serialised; the
  model id is made as a comm would make it);
- the ``text/plain`` of a widget's display is built from :func:`repr_prefix`, which walks
  the tree only as far as those 110 characters reach.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: ipywidgets keeps this many characters of a widget's repr as its display's text/plain
#: (and marks a longer one with an ellipsis): ``Widget._repr_mimebundle_``.
_PLAIN_TEXT_CHARS = 110


def live_widgets() -> dict[str, Any]:
    """ipywidgets' registry of open models (``Widget.widgets``, read without its warning)."""
    import warnings

    import ipywidgets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return dict(ipywidgets.Widget.widgets)


class NoFrontendComm:
    """A widget's comm while grading in process: it sends nothing, and because it has no
    kernel, ipywidgets never serialises the widget's state for it."""

    kernel = None  # ipywidgets sends state only through a comm that has a kernel

    def __init__(self, comm_id: str) -> None:
        self.comm_id = comm_id

    def on_msg(self, callback: Any) -> None:
        pass

    def on_close(self, callback: Any) -> None:
        pass

    def send(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass


def repr_prefix(obj: Any, limit: int) -> str:
    """``repr(obj)[:limit]``, building only that much of it.

    A widget's repr is its class name and the keys its own ``_repr_keys()`` picks, with
    their values' reprs; a form's repr holds every widget below it. This walks widgets,
    tuples and lists in the order the full repr writes them and stops once ``limit``
    characters are known. Anything else (and a widget class with a repr of its own) is
    ``repr`` as usual.
    """
    from ipywidgets import Widget

    parts: list[str] = []
    size = 0

    def emit(text: str) -> bool:
        nonlocal size
        parts.append(text)
        size += len(text)
        return size >= limit

    def walk(value: Any) -> bool:  # True once enough is known
        kind = type(value)
        if isinstance(value, Widget) and kind.__repr__ is Widget.__repr__ \
                and kind._gen_repr_from_keys is Widget._gen_repr_from_keys:
            if emit(f"{kind.__name__}("):
                return True
            for i, key in enumerate(value._repr_keys()):
                if emit(f"{', ' if i else ''}{key}=") or walk(getattr(value, key)):
                    return True
            return emit(")")
        if kind is tuple or kind is list:
            if emit("(" if kind is tuple else "["):
                return True
            for i, item in enumerate(value):
                if (i and emit(", ")) or walk(item):
                    return True
            if kind is tuple and len(value) == 1 and emit(","):
                return True
            return emit(")" if kind is tuple else "]")
        return emit(repr(value))

    walk(obj)
    return "".join(parts)[:limit]


@contextmanager
def widgets_for_grading() -> Iterator[None]:
    """While the block runs, new widgets get a :class:`NoFrontendComm`, and a widget's
    display builds only the part of its repr that ``text/plain`` keeps; restored after."""
    import ipywidgets

    widget = ipywidgets.Widget
    original_open, original_bundle, original_repr = (
        widget.open, widget._repr_mimebundle_, widget.__repr__)

    def open_without_frontend(self: Any) -> None:
        if self.comm is None:
            self.comm = NoFrontendComm(self._model_id or uuid.uuid4().hex)

    def bundle(self: Any, **kwargs: Any) -> Any:
        # one character more than is kept, so ipywidgets still sees that it must cut
        plain = repr_prefix(self, _PLAIN_TEXT_CHARS + 1)
        # ipywidgets builds the display from repr(self): give it that prefix, only for self
        widget.__repr__ = lambda w: plain if w is self else original_repr(w)
        try:
            return original_bundle(self, **kwargs)
        finally:
            widget.__repr__ = original_repr

    widget.open = open_without_frontend
    widget._repr_mimebundle_ = bundle
    try:
        yield
    finally:
        widget.open, widget._repr_mimebundle_, widget.__repr__ = (
            original_open, original_bundle, original_repr)
