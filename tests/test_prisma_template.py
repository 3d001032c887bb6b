"""prisma.csv has the PRISMA2020 template's rows and columns and means what the template means."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from prisma_helpers import HAND_SETTINGS, flow_of, generated_review, hand_review

from scoping.prisma import prisma_csv
from scoping.prisma.template import TEMPLATE_COLUMNS, TEMPLATE_ROWS

TEMPLATE = "prisma/PRISMA2020/PRISMA.csv"
OLD_TEMPLATE = "prisma/PRISMA2020/PRISMA_v0.0.3_2021.csv"


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def parse_name_n(text: str) -> dict[str, int]:
    """The template's list cells: ``"Name, n; Name, n"``."""
    pairs = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, _, n = item.rpartition(",")
        pairs[name.strip()] = int(n)
    return pairs


def read_template_values(text: str, template: list[dict[str, str]]) -> dict[str, object]:
    """n of each data row: a number where the template has a number, else a name-n list."""
    values: dict[str, object] = {}
    for row, template_row in zip(_read(text), template, strict=True):
        if row["data"] == "NA":
            continue
        numeric = template_row["n"].isdigit()
        values[row["data"]] = int(row["n"]) if numeric else parse_name_n(row["n"])
    return values


def test_embedded_template_is_the_published_one(shared_data: Path) -> None:
    with (shared_data / TEMPLATE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == TEMPLATE_COLUMNS
    assert [tuple(r) for r in rows[1:]] == list(TEMPLATE_ROWS)


def _hand_csv(tmp_path: Path) -> str:
    files = hand_review(tmp_path)
    flow = flow_of(files, HAND_SETTINGS)
    return prisma_csv(flow)


def test_prisma_csv_has_exactly_the_template_rows_and_columns(
    tmp_path: Path, shared_data: Path
) -> None:
    text = _hand_csv(tmp_path)
    template_text = (shared_data / TEMPLATE).read_text(encoding="utf-8")
    assert text.splitlines()[0] == template_text.splitlines()[0]
    ours, template = _read(text), _read(template_text)
    assert len(ours) == len(template)
    for row, template_row in zip(ours, template, strict=True):
        assert list(row) == list(template_row)
        for column in ("data", "node", "box", "description", "boxtext", "tooltips", "url"):
            assert row[column] == template_row[column], (row["data"], column)


def test_prisma_csv_values_read_with_template_semantics(tmp_path: Path, shared_data: Path) -> None:
    template = _read((shared_data / TEMPLATE).read_text(encoding="utf-8"))
    values = read_template_values(_hand_csv(tmp_path), template)
    assert values == {
        "previous_studies": 4,
        "previous_reports": 5,
        "database_results": 13,
        "database_specific_results": {"PubMed": 9, "Embase": 4},
        "register_results": 2,
        "register_specific_results": {"ClinicalTrials.gov": 2},
        "website_results": 3,
        "organisation_results": 0,
        "citations_results": 2,
        "duplicates": 4,
        "excluded_automatic": 0,
        "excluded_other": 1,
        "records_screened": 10,
        "records_excluded": 4,
        "dbr_sought_reports": 6,
        "dbr_notretrieved_reports": 1,
        "other_sought_reports": 2,
        "other_notretrieved_reports": 1,
        "dbr_assessed": 5,
        "dbr_excluded": {"Wrong population": 2, "Not primary research": 1},
        "other_assessed": 1,
        "other_excluded": {},
        "new_studies": 3,
        "new_reports": 3,
        "total_studies": 7,
        "total_reports": 8,
        "identification": 0,
        "screening": 0,
        "included": 0,
        "total_studies_ma": 0,
        "total_reports_ma": 0,
    }


@pytest.mark.parametrize("review", ["hand", "generated"])
def test_prisma_csv_adds_up_as_the_template_reads_it(
    tmp_path: Path, shared_data: Path, review: str
) -> None:
    template = _read((shared_data / TEMPLATE).read_text(encoding="utf-8"))
    if review == "hand":
        text = _hand_csv(tmp_path)
    else:
        files, settings = generated_review(tmp_path)
        text = prisma_csv(flow_of(files, settings))
    v = read_template_values(text, template)
    assert v["database_results"] == sum(v["database_specific_results"].values())
    assert v["register_results"] == sum(v["register_specific_results"].values())
    assert (
        v["database_results"]
        + v["register_results"]
        - v["duplicates"]
        - v["excluded_automatic"]
        - v["excluded_other"]
        == v["records_screened"]
    )
    assert v["records_screened"] - v["records_excluded"] == v["dbr_sought_reports"]
    assert v["dbr_sought_reports"] - v["dbr_notretrieved_reports"] == v["dbr_assessed"]
    assert v["other_sought_reports"] - v["other_notretrieved_reports"] == v["other_assessed"]
    included = (
        v["dbr_assessed"]
        - sum(v["dbr_excluded"].values())
        + v["other_assessed"]
        - sum(v["other_excluded"].values())
    )
    assert included == v["new_studies"] > 0
    assert v["total_studies"] == v["previous_studies"] + v["new_studies"]


def test_prisma_csv_covers_the_older_template(tmp_path: Path, shared_data: Path) -> None:
    """Every data row of the 2021 template (v0.0.3) is in prisma.csv, so older apps read it."""
    old = _read((shared_data / OLD_TEMPLATE).read_text(encoding="utf-8"))
    ours = {row["data"] for row in _read(_hand_csv(tmp_path))}
    assert {row["data"] for row in old} <= ours
