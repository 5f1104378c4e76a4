"""nbgrader's cell-metadata check with its JSON schema compiled once per process.

nbgrader's ``CheckCellMetadata`` runs twice per graded notebook (after sanitising and
after grading) and validates every nbgrader cell with ``jsonschema.validate``, which checks
the schema itself and builds a validator on every call: about 0.08 s per notebook, more
than running the notebook's checks in process. :class:`CheckCellMetadata` here is the same
check, and raises the same errors, with the schema compiled once. The version checks and
nbgrader's own rules for each cell (grade ids, points, markdown cells, duplicate ids) are
nbgrader's code, unchanged: only the schema step is replaced.
"""

from __future__ import annotations

import json
import traceback
from functools import lru_cache
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata


@lru_cache(maxsize=4)
def _compiled(schema_json: str) -> Any:
    """A jsonschema validator for the schema (nbgrader's own schema: not re-checked)."""
    import jsonschema

    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)


class _SchemaStep(BaseMetadataValidator):
    """The schema step of ``BaseMetadataValidator.validate_cell`` with a compiled schema.

    It sits between nbgrader's versioned validator and ``BaseMetadataValidator`` in the
    method order, so nbgrader's versioned rules still run around it.
    """

    def validate_cell(self, cell: NotebookNode) -> None:
        meta = cell.metadata.get("nbgrader")
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            super().validate_cell(cell)  # nbgrader's own too-old / too-new errors
            return
        import jsonschema

        error = jsonschema.exceptions.best_match(
            _compiled(json.dumps(self.schema)).iter_errors(meta))
        if error is not None:
            raise error  # what jsonschema.validate raises


class CompiledMetadataValidator(MetadataValidator, _SchemaStep):
    """nbgrader's current ``MetadataValidator`` with the schema compiled once."""


class CheckCellMetadata(NbgraderCheckCellMetadata):
    """nbgrader's ``CheckCellMetadata`` (same errors, same log) with a compiled schema."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        try:
            CompiledMetadataValidator().validate_nb(nb)
        except ValidationError as exc:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from exc
        return nb, resources
