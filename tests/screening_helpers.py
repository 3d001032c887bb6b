"""Helpers for the screening tests: real records, and typing into sheets as a person would."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from scoping.pubmed_xml import iter_pubmed_xml
from scoping.records import RECORD_COLUMNS, Record, write_records


def pubmed_records(shared_data: Path) -> list[Record]:
    """The 164 real single-article PubMed records (titles, abstracts, PMIDs, DOIs)."""
    records: list[Record] = []
    for path in sorted((shared_data / "entrez" / "metapub" / "pmid_xml").glob("*.xml")):
        records.extend(iter_pubmed_xml(path))
    return records


def bibdedupe_records(shared_data: Path, name: str = "cytology_screening") -> list[Record]:
    """Records of a bib-dedupe benchmark set (real titles, authors, journals; no abstracts)."""
    path = shared_data / "dedup" / "bibdedupe_benchmark" / name / "records_pre_merged.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Record.create(
                source="bibdedupe",
                source_id=row["ID"],
                title=row["title"],
                year=row["year"],
                authors=row["author"].split(" and "),
                journal=row["journal"],
                pages=row["pages"],
                record_id=f"ref-{row['ID']}",
            )
            for row in csv.DictReader(handle)
        ]


def write_dedup_records(path: Path, records: list[Record]) -> Path:
    """A records CSV shaped like dedup's output (records columns plus found_by, n_hits)."""
    write_records(path, records)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*RECORD_COLUMNS, "found_by", "n_hits"])
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {"found_by": row["source"], "n_hits": "1"})
    return path


def type_decisions(path: Path, decisions: dict[str, tuple[str, str]]) -> None:
    """Open an xlsx with openpyxl and type decision and reason cells, as a screener would."""
    book = load_workbook(path)
    sheet = book["screening"]
    header = [c.value for c in sheet[1]]
    rid, dec, rea = (header.index(n) + 1 for n in ("record_id", "decision", "reason"))
    for r in range(2, sheet.max_row + 1):
        value = sheet.cell(row=r, column=rid).value
        if value in decisions:
            decision, reason = decisions[value]
            sheet.cell(row=r, column=dec).value = decision or None
            sheet.cell(row=r, column=rea).value = reason or None
    book.save(path)


def type_cells(path: Path, column: str, values: dict[str, str]) -> None:
    """Type any column of an xlsx sheet (for example 'resolution' in conflicts.xlsx)."""
    book = load_workbook(path)
    sheet = book["screening"]
    header = [c.value for c in sheet[1]]
    rid, col = header.index("record_id") + 1, header.index(column) + 1
    for r in range(2, sheet.max_row + 1):
        value = sheet.cell(row=r, column=rid).value
        if value in values:
            sheet.cell(row=r, column=col).value = values[value]
    book.save(path)
