"""``scoping dedup`` reads its inputs as ``scoping import`` does; its own records CSV by header."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from dedup_helpers import rec

from scoping.cli import main
from scoping.dedup.engine import deduplicate
from scoping.dedup.evaluate import pairwise_scores, read_true_groups
from scoping.dedup.inputs import is_records_csv, read_input
from scoping.records import write_records


def _labelled(shared_data: Path, name: str) -> Path:
    return shared_data / "dedup" / "bibdedupe_benchmark" / name


def _scores(path: Path, truth_file: Path) -> tuple[int, str]:
    hits = read_input(path)
    result = deduplicate(hits.records)
    scores = pairwise_scores(
        dict(zip(hits.own_ids, result.cluster_ids, strict=True)), read_true_groups(truth_file)
    )
    return result.n_clusters, scores.counts


def test_a_latin1_csv_is_read_as_import_reads_it(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The respiratory labelled set (1,988 records, 185 accented characters: "Ã¶", "é") saved as
    # latin-1, as Excel on Windows saves a CSV. It crashed with UnicodeDecodeError (exit 1).
    folder = _labelled(shared_data, "respiratory")
    source = folder / "records_pre_merged.csv"
    latin1 = tmp_path / "respiratory_latin1.csv"
    latin1.write_bytes(source.read_text(encoding="utf-8-sig").encode("latin-1"))
    truth = folder / "merged_record_ids.csv"
    labelled_clusters = 1988 - sum(len(g) - 1 for g in read_true_groups(truth))
    assert labelled_clusters == 1552
    clusters, counts = _scores(latin1, truth)
    assert (clusters, counts) == _scores(source, truth) == (1565, "488/0/21")
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(latin1), "--output", str(out)]) == 0
    assert "1988 hits -> 1565 records" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["ID"] == "id_0000001"  # the file's own IDs, beside the clusters


def test_a_csv_with_record_id_and_source_columns_is_not_taken_for_a_records_csv(
    shared_data: Path, tmp_path: Path
) -> None:
    # The cytology labelled set with its ID column named "record_id" and a "source" column
    # added, as a team's own tracking sheet has them. Read as the project's records format,
    # its "author" and "number" columns were ignored (878 clusters for 623 on such a file).
    folder = _labelled(shared_data, "cytology_screening")
    with (folder / "records_pre_merged.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    tracked = tmp_path / "tracked.csv"
    with tracked.open("w", encoding="utf-8", newline="") as handle:
        columns = ["record_id", "source", *(c for c in rows[0] if c != "ID")]
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({"record_id": row["ID"], "source": "cytology", **row} | {"ID": None})
    assert not is_records_csv(tracked)
    hits = read_input(tracked)
    assert hits.id_column == "record_id" and hits.own_ids[0] == "id_0000001"
    assert hits.records[0].authors == ["Zuna RE", "Wang SS", "Schiffman M", "Solomon D"]
    truth = folder / "merged_record_ids.csv"
    labelled_clusters = 1856 - sum(len(g) - 1 for g in read_true_groups(truth))
    clusters, counts = _scores(tracked, truth)
    assert (labelled_clusters, clusters, counts) == (1084, 1087, "905/0/4")


def test_the_projects_own_records_csv_is_known_by_its_full_header(tmp_path: Path) -> None:
    title = "Complement dysfunction in hemolytic uremic syndrome"
    records = [
        rec("medline", "1", title=title, authors="Zipfel PF", year="2006"),
        rec("embase", "2", title=title, authors="Zipfel P", year="2006"),
    ]
    path = tmp_path / "records.csv"
    write_records(path, records)
    assert is_records_csv(path)
    hits = read_input(path)
    assert [r.record_id for r in hits.records] == [r.record_id for r in records]
    assert [r.source for r in hits.records] == ["medline", "embase"]
