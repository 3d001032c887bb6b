"""A review team's life in random steps, run by Snakemake on real exports, checked after each.

The steps are what teams do between runs: add a source, remove one, find a database that
exported a row twice, answer a dedup pair same or different, type screening decisions and
resolutions, delete ``results/``, rerun. After every step the workflow must succeed, PRISMA
must add up, every typed decision must still be in its sheet and count (or sit on a conflicts
sheet, or be marked as having left the stage), and ``clusters.csv`` must equal what a fresh
run computes from the same inputs and decisions.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from openpyxl import load_workbook
from workflow_helpers import copy_project, snakemake

from scoping.dedup.review import COLUMNS as PAIR_COLUMNS
from scoping.dedup.run import dedup_files
from scoping.screening.tables import read_table

REVIEWERS = ("amina", "liam")
STAGES = ("title_abstract", "full_text")
REASONS = {
    "title_abstract": ["Not about gambling harms", "Not a study"],
    "full_text": ["Wrong population", "Wrong outcome", "Full text not available"],
}


@dataclass(frozen=True)
class Source:
    """A real export the team may add to the review: path under shared/data and its arm."""

    name: str
    rel: str
    arm: str
    database: str


#: One topic's real exports from five databases (CiteSource's gambling-harms searches), plus a
#: Lens CSV and a PubMed CSV: they overlap, so dedup has real work across sources.
_TOPIC = "formats/citesource/topic_data/20221207_gambling-harms"
_VALID = "formats/citesource/valid_data"
POOL = (
    Source("lens", f"{_TOPIC}_lens_49.ris", "database", "Lens"),
    Source("crimjust", f"{_TOPIC}_crimjust_41.ris", "database", "Criminal Justice Abstracts"),
    Source("wos", f"{_VALID}/WoS_79.ris", "database", "Web of Science"),
    Source("psycinfo", f"{_VALID}/psycinfo_64.ris", "database", "APA PsycInfo"),
    Source("pubmed", f"{_VALID}/pubmed_46.ris", "database", "PubMed"),
    Source("benchmark", f"{_VALID}/benchmark.ris", "citation", "Citation searching"),
    Source("pubmed_csv", "formats/more/pubmed_csv/colrev_pubmed-chatbot.csv", "database", "PubMed"),
)


@dataclass
class Review:
    """The review's working copy and what people have typed so far."""

    workdir: Path
    shared: Path
    rng: random.Random
    sources: dict[str, Source] = field(default_factory=dict)
    #: (stage, reviewer, row record_id) -> (decision, reason) typed by a person.
    typed: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    #: (stage, row record_id) -> resolution typed on the conflicts sheet.
    resolved: dict[tuple[str, str], str] = field(default_factory=dict)
    answered: int = 0
    log: list[str] = field(default_factory=list)
    #: Typed rows seen counting for a record listed under another ID (a merge), over the run.
    carried: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def screening(self) -> Path:
        return self.workdir / "screening" / "review"

    def write_config(self) -> None:
        config = {
            "review": {"title": "Gambling harms (sequence test)"},
            "sources": {
                name: {
                    "type": "file",
                    "path": f"sources/{Path(src.rel).name}",
                    "arm": src.arm,
                    "database": src.database,
                    "searched_on": "2026-11-01",
                }
                for name, src in sorted(self.sources.items())
            },
            "screening": {
                "dir": "screening/review",
                "reviewers": list(REVIEWERS),
                "format": "xlsx",
                "exclusion_reasons": REASONS,
            },
        }
        path = self.workdir / "config" / "sequence.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")

    def run(self, *, where: Path | None = None) -> None:
        snakemake(where or self.workdir, "--configfile", "config/sequence.yaml")


def start_review(workdir: Path, shared: Path, seed: int) -> Review:
    workdir.mkdir(parents=True)
    copy_project(workdir)
    (workdir / "sources").mkdir()
    review = Review(workdir=workdir, shared=shared, rng=random.Random(seed))
    for src in POOL[:2]:
        add_source(review, src)
    review.write_config()
    review.run()
    return review


def add_source(review: Review, src: Source) -> None:
    target = review.workdir / "sources" / Path(src.rel).name
    if not target.exists():
        shutil.copyfile(review.shared / src.rel, target)
    review.sources[src.name] = src


# -- the steps ------------------------------------------------------------------------------


def step_add_source(review: Review) -> str:
    missing = [s for s in POOL if s.name not in review.sources]
    if not missing:
        return step_type_decisions(review)
    src = review.rng.choice(missing)
    add_source(review, src)
    return f"add source {src.name}"


def step_remove_source(review: Review) -> str:
    if len(review.sources) < 2:
        return step_add_source(review)
    name = review.rng.choice(sorted(review.sources))
    del review.sources[name]
    return f"remove source {name}"


def step_duplicate_row(review: Review) -> str:
    """A database exports one record twice (seen in a real Embase export: 8 such rows)."""
    name = review.rng.choice(sorted(review.sources))
    path = review.workdir / "sources" / Path(review.sources[name].rel).name
    raw = path.read_bytes()
    if path.suffix == ".csv":
        text = raw.decode("utf-8-sig")
        rows = list(csv.reader(text.splitlines(keepends=True)))
        lines = text.splitlines(keepends=True)
        if len(rows) < 2 or len(lines) != len(rows):
            return f"duplicate row: {name} has multi-line rows, skipped"
        pick = review.rng.randrange(1, len(lines))
        line = lines[pick] if lines[pick].endswith("\n") else lines[pick] + "\n"
        path.write_bytes(raw + (b"" if raw.endswith(b"\n") else b"\n") + line.encode("utf-8"))
        return f"duplicate row {pick} of {name}"
    text = raw.decode("utf-8-sig", errors="strict")
    newline = "\r\n" if "\r\n" in text else "\n"
    records = [r for r in text.split("ER  -") if "TY  -" in r]
    pick = review.rng.randrange(len(records))
    block = records[pick].lstrip("\r\n ")
    path.write_text(text.rstrip() + newline + newline + block + "ER  - " + newline, "utf-8")
    return f"duplicate record {pick} of {name}"


def step_answer_pair(review: Review) -> str:
    sheet = review.screening / "dedup_review.xlsx"
    if not sheet.exists():
        return "answer pair: no review sheet yet"
    book = load_workbook(sheet)
    pairs = book["pairs"]
    column = PAIR_COLUMNS.index("decision") + 1
    open_rows = [
        r for r in range(2, pairs.max_row + 1) if not str(pairs.cell(r, column).value or "").strip()
    ]
    if not open_rows:
        return "answer pair: none open"
    row = review.rng.choice(open_rows)
    answer = review.rng.choice(("same", "different"))
    pairs.cell(row=row, column=column, value=answer)
    book.save(sheet)
    review.answered += 1
    return f"answer dedup pair row {row}: {answer}"


def step_type_decisions(review: Review) -> str:
    said = []
    for stage in STAGES:
        for reviewer in REVIEWERS:
            path = review.screening / stage / f"{reviewer}.xlsx"
            if not path.exists():
                continue
            book = load_workbook(path)
            sheet = book["screening"]
            header = [c.value for c in sheet[1]]
            col = {name: header.index(name) + 1 for name in ("record_id", "decision", "reason")}
            empty = [
                r
                for r in range(2, sheet.max_row + 1)
                if sheet.cell(r, col["record_id"]).value
                and not str(sheet.cell(r, col["decision"]).value or "").strip()
            ]
            for r in review.rng.sample(empty, min(len(empty), review.rng.randint(1, 12))):
                choices = ("include", "exclude", "maybe")
                decision = review.rng.choices(choices, weights=(5, 4, 1))[0]
                reason = review.rng.choice(REASONS[stage]) if decision == "exclude" else ""
                sheet.cell(r, col["decision"], decision)
                if reason:
                    sheet.cell(r, col["reason"], reason)
                rid = str(sheet.cell(r, col["record_id"]).value).strip()
                review.typed[(stage, reviewer, rid)] = (decision, reason)
                said.append(f"{stage}/{reviewer}/{rid}={decision}")
            book.save(path)
        said += resolve_conflicts(review, stage)
    return "type " + (", ".join(said[:6]) + (" ..." if len(said) > 6 else "") or "nothing")


def resolve_conflicts(review: Review, stage: str) -> list[str]:
    path = review.screening / stage / "conflicts.xlsx"
    if not path.exists():
        return []
    book = load_workbook(path)
    sheet = book[book.sheetnames[0]] if "screening" not in book.sheetnames else book["screening"]
    header = [c.value for c in sheet[1]]
    if "resolution" not in header:
        return []
    col = {n: header.index(n) + 1 for n in ("record_id", "resolution", "resolution_reason")}
    said = []
    for r in range(2, sheet.max_row + 1):
        rid = sheet.cell(r, col["record_id"]).value
        if not rid or str(sheet.cell(r, col["resolution"]).value or "").strip():
            continue
        if review.rng.random() < 0.5:
            continue
        decision = review.rng.choice(("include", "exclude"))
        sheet.cell(r, col["resolution"], decision)
        if decision == "exclude":
            sheet.cell(r, col["resolution_reason"], review.rng.choice(REASONS[stage]))
        review.resolved[(stage, str(rid).strip())] = decision
        said.append(f"resolve {stage}/{rid}={decision}")
    book.save(path)
    return said


def step_delete_results(review: Review) -> str:
    shutil.rmtree(review.workdir / "results", ignore_errors=True)
    return "delete results/"


def step_rerun(review: Review) -> str:
    return "rerun"


STEPS = (
    (step_add_source, 3),
    (step_remove_source, 1),
    (step_duplicate_row, 2),
    (step_answer_pair, 3),
    (step_type_decisions, 6),
    (step_delete_results, 1),
    (step_rerun, 1),
)


def take_step(review: Review) -> str:
    action = review.rng.choices([s for s, _ in STEPS], weights=[w for _, w in STEPS])[0]
    what = action(review)
    review.write_config()
    review.log.append(what)
    return what


# -- the checks -----------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_prisma_adds_up(review: Review) -> dict[str, object]:
    prisma = json.loads((review.workdir / "results/prisma/prisma.json").read_text("utf-8"))
    identified = sum(prisma["identified"].values())
    records = _rows(review.workdir / "results/dedup/records.csv")
    clusters = _rows(review.workdir / "results/dedup/clusters.csv")
    assert identified == len(clusters), "every hit is identified once"
    assert identified - prisma["duplicates_removed"] == prisma["records_screened"] == len(records)
    screened = prisma["records_screened"]
    assert screened == (
        prisma["records_excluded"] + prisma["reports_sought"] + prisma["pending"]["title_abstract"]
    )
    assert prisma["reports_sought"] == prisma["reports_assessed"] + prisma["reports_not_retrieved"]
    assert prisma["reports_assessed"] == (
        prisma["reports_excluded_total"]
        + prisma["studies_included"]
        + prisma["pending"]["full_text"]
    )
    return prisma


def _current_ids(records: list[dict[str, str]]) -> dict[str, list[str]]:
    """Every ID a sheet row may carry -> the records it stands for now."""
    now: dict[str, list[str]] = {r["record_id"]: [r["record_id"]] for r in records}
    for r in records:
        for member in r["member_ids"].split("; "):
            if member and member not in now:
                now.setdefault(f"alias:{member}", []).append(r["record_id"])
    return {k.removeprefix("alias:"): v for k, v in now.items()}


def check_typed_decisions_kept(review: Review) -> None:
    records = _rows(review.workdir / "results/dedup/records.csv")
    now = _current_ids(records)
    for stage in STAGES:
        decisions_path = review.workdir / f"results/screening/{stage}/decisions.csv"
        decisions = {r["record_id"]: r for r in _rows(decisions_path)}
        conflicts = set()
        conflicts_path = review.screening / stage / "conflicts.xlsx"
        if conflicts_path.exists():
            conflicts = {row["record_id"] for _, row in read_table(conflicts_path).rows}
        for reviewer in REVIEWERS:
            path = review.screening / stage / f"{reviewer}.xlsx"
            mine = {k: v for k, v in review.typed.items() if k[:2] == (stage, reviewer)}
            if not mine:
                continue
            rows = {row["record_id"]: row for _, row in read_table(path).rows}
            for (_, _, rid), (decision, reason) in mine.items():
                row = rows.get(rid)
                assert row is not None, f"{path}: the row of {rid} is gone"
                assert (row["decision"], row["reason"]) == (decision, reason), (
                    f"{path}: {rid} reads {row['decision']!r}, typed {decision!r}"
                )
                targets = now.get(rid, [])
                if len(targets) != 1 or targets[0] not in decisions:
                    # The record left the stage (or one ID is now two records): said in status.
                    assert row["status"].strip(), f"{path}: {rid} left the stage unmarked"
                    continue
                if targets[0] != rid:
                    review.carried.add((stage, reviewer, rid))
                counted = decisions[targets[0]][f"{reviewer}_decision"]
                assert counted == decision or targets[0] in conflicts, (
                    f"{path}: {rid} typed {decision!r} but {targets[0]} counts {counted!r} "
                    "and is not on the conflicts sheet"
                )


def check_clusters_match_a_fresh_run(review: Review, scratch: Path) -> None:
    inputs = [review.workdir / f"results/search/{name}.csv" for name in sorted(review.sources)]
    review_sheet = scratch / "dedup_review.xlsx"
    shutil.copyfile(review.screening / "dedup_review.xlsx", review_sheet)
    fresh = scratch / "clusters.csv"
    dedup_files(inputs=inputs, output=fresh, review=review_sheet)
    ours = review.workdir / "results/dedup/clusters.csv"
    if fresh.read_bytes() != ours.read_bytes():
        a, b = set(fresh.read_text("utf-8").splitlines()), set(ours.read_text("utf-8").splitlines())
        raise AssertionError(
            "clusters.csv depends on what ran before: only in a fresh run "
            f"{sorted(a - b)[:5]}; only in the workflow's {sorted(b - a)[:5]}"
        )


def check_fresh_clone_agrees(review: Review, scratch: Path) -> None:
    """A fresh copy with the same config, sources and people's files, run once from nothing."""
    clone = scratch / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    clone.mkdir()
    copy_project(clone)
    shutil.copytree(review.workdir / "sources", clone / "sources")
    shutil.copytree(review.workdir / "screening", clone / "screening")
    shutil.copyfile(review.workdir / "config" / "sequence.yaml", clone / "config" / "sequence.yaml")
    review.run(where=clone)
    for rel in ("results/dedup/clusters.csv", "results/dedup/records.csv"):
        assert (clone / rel).read_bytes() == (review.workdir / rel).read_bytes(), rel
    ours = json.loads((review.workdir / "results/prisma/prisma.json").read_text("utf-8"))
    theirs = json.loads((clone / "results/prisma/prisma.json").read_text("utf-8"))
    assert ours == theirs
