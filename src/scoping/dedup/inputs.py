"""Reading dedup inputs: the project's own records CSVs, or any file ``scoping import`` reads.

The project's records CSV is recognised by its full header (``RECORD_COLUMNS``, as
``write_records`` writes it, optionally followed by the merged records' extra columns), never
guessed from a column or two. Every other file goes through ``scoping.readers.read_file``, as in
``scoping import``: the same format detection, encodings, column names and errors.
"""

from __future__ import annotations

import codecs
import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from scoping.errors import ScopingError
from scoping.readers import read_file
from scoping.records import RECORD_COLUMNS, Record, read_records

log = logging.getLogger(__name__)

#: A table's own record-ID column, kept beside the clusters (the bib-dedupe / CoLRev ``ID``).
_ID_COLUMNS = ("ID", "id", "record_id", "key")


@dataclass(slots=True)
class InputHits:
    """Hits read from one input file, with the file's own ID per hit where it has one."""

    records: list[Record]
    own_ids: list[str] = field(default_factory=list)
    id_column: str = ""
    problems: list[str] = field(default_factory=list)


def _header(path: Path) -> list[str]:
    """The first line of ``path`` as CSV cells (a records CSV's header is plain ASCII)."""
    with path.open("rb") as handle:
        first = handle.readline(65536)
    first = first.removeprefix(codecs.BOM_UTF8)
    text = first.decode("ascii", errors="replace").strip("\r\n")
    return next(csv.reader([text]), [])


def is_records_csv(path: str | Path) -> bool:
    """Whether ``path`` is a records CSV this project wrote: its header starts with every
    column of ``RECORD_COLUMNS`` in order."""
    header = _header(Path(path))
    return tuple(header[: len(RECORD_COLUMNS)]) == RECORD_COLUMNS


def read_input(path: str | Path) -> InputHits:
    """Hits of one dedup input: a records CSV, or any export ``scoping import`` reads."""
    path = Path(path)
    if not path.is_file():
        raise ScopingError("input file not found", file=path, fix="check the path.")
    if is_records_csv(path):
        records = read_records(path)
        return InputHits(records, [r.source_id for r in records], "")
    result = read_file(path)
    for problem in result.problems:
        log.warning("%s: %s", path, problem)
    records = list(result.records)
    # A table's own ID column (bib-dedupe / CoLRev "ID") is written beside the clusters, as
    # read: the reader keeps every cell under its column name in ``raw``.
    id_column = ""
    if result.format in ("csv", "tsv", "xlsx"):
        columns = {k for r in records for k in r.raw}
        id_column = next((c for c in _ID_COLUMNS if c in columns), "")
    if id_column:
        own_ids = [str(r.raw.get(id_column, "")) for r in records]
    else:
        own_ids = [r.source_id for r in records]
    return InputHits(records, own_ids, id_column, list(result.problems))
