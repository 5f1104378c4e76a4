"""One line from a pydantic ``ValidationError``, for messages that must stay on one line
(an answers file that cannot be read, a hub settings file, a CLI option)."""

from __future__ import annotations

from pydantic import ValidationError


def first_error(exc: ValidationError, whole: str = "file") -> str:
    """The first of pydantic's errors as ``field: message`` (``whole`` when the error is
    about the whole input, not one field); invalid JSON in plain words, without a field."""
    err = exc.errors()[0]
    msg = err.get("msg", "invalid")
    if err.get("type") == "json_invalid":
        # pydantic says "Invalid JSON: <what>"; say it in plain words, without a field name.
        return f"not valid JSON, {msg.partition(': ')[2] or msg}"
    where = ".".join(str(p) for p in err.get("loc", ())) or whole
    return f"{where}: {msg}"
