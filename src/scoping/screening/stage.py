"""Which records are in a screening stage, and which reviewers screen each one."""

from __future__ import annotations

import csv
import hashlib
import itertools
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scoping.errors import ScopingError
from scoping.screening.settings import STAGES, ScreeningSettings

csv.field_size_limit(sys.maxsize)  # the records' 'raw' column can be long


@dataclass(slots=True)
class Stage:
    """The records of one stage, in the order of the records file."""

    name: str
    #: Every record of the review, by ID (rows of the records file).
    records: dict[str, dict[str, str]]
    #: IDs of the records in this stage, in order.
    ids: list[str]
    #: While a pilot round runs: the sample that goes to the sheets (else ``None``).
    pilot: set[str] | None = None
    #: ``ids`` as a set, for membership tests.
    members: set[str] = field(default_factory=set)
    #: IDs a sheet row may carry that are no record's ID now, mapped to the records they belong
    #: to (a merge left the row's ID behind as a member; a split made one ID two records).
    aliases: dict[str, list[str]] = field(default_factory=dict)

    def current(self, row_id: str) -> list[str]:
        """The records of the review a sheet row's ID stands for now (none if it left)."""
        if row_id in self.records:
            return [row_id]
        return self.aliases.get(row_id, [])

    @property
    def listed(self) -> list[str]:
        """IDs that belong in the sheets now (the pilot sample during a pilot)."""
        return self.ids if self.pilot is None else [i for i in self.ids if i in self.pilot]


def read_rows(path: str | Path, *, needed: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV written by an earlier stage, checking that ``needed`` columns exist."""
    path = Path(path)
    if not path.is_file():
        raise ScopingError("file not found", file=path, fix="run the stage that writes it first.")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise ScopingError(
                f"column(s) {', '.join(missing)} missing",
                file=path,
                row=1,
                column=missing[0],
                fix="pass the file the previous stage wrote (see docs/file-contracts.md).",
            )
        return list(reader)


def load_stage(
    *,
    stage: str,
    records_path: str | Path,
    include_from: str | Path | None,
    settings: ScreeningSettings,
) -> Stage:
    """The records of ``stage``: all records, or for full text those finally included before."""
    if stage not in STAGES:
        raise ScopingError(f"unknown stage '{stage}'", fix=f"use one of {', '.join(STAGES)}.")
    records: dict[str, dict[str, str]] = {}
    for line, row in enumerate(read_rows(records_path, needed=("record_id", "title")), start=2):
        rid = (row.get("record_id") or "").strip()
        if not rid or rid in records:
            raise ScopingError(
                "empty or repeated record_id" + (f" '{rid}'" if rid else ""),
                file=records_path,
                line=line,
                column="record_id",
                fix="pass the deduplicated records (one row per record).",
            )
        records[rid] = row
    aliases: dict[str, list[str]] = {}
    for rid, row in records.items():
        for member in (row.get("member_ids") or "").split(";"):
            member = member.strip()
            if member and member != rid and member not in records:
                aliases.setdefault(member, []).append(rid)
    if stage == "title_abstract":
        ids = list(records)
    else:
        if not include_from:
            raise ScopingError(
                "the full-text stage needs --include-from",
                fix="pass results/screening/title_abstract/decisions.csv.",
            )
        rows = read_rows(include_from, needed=("record_id", "final"))
        included = {r["record_id"].strip() for r in rows if r["final"].strip() == "include"}
        ids = [rid for rid in records if rid in included]
    pilot = None
    if stage == "title_abstract" and settings.pilot_active and settings.pilot_size > 0:
        rng = random.Random(settings.pilot_seed)
        pool = sorted(ids)  # sorted: the sample must not depend on the records' file order
        pilot = set(rng.sample(pool, min(settings.pilot_size, len(pool))))
    return Stage(
        name=stage, records=records, ids=ids, pilot=pilot, members=set(ids), aliases=aliases
    )


def assigned_reviewers(record_id: str, settings: ScreeningSettings, *, pilot: bool) -> list[str]:
    """Reviewers who screen a record: everyone, or one pair chosen by a hash of its ID.

    The hash keeps a record with the same pair on every rerun; pilot records go to everyone so
    the whole team calibrates on the same sample.
    """
    if settings.assignment == "all" or pilot or len(settings.reviewers) == 2:
        return list(settings.reviewers)
    pairs = list(itertools.combinations(settings.reviewers, 2))
    digest = int(hashlib.sha1(record_id.encode("utf-8")).hexdigest()[:12], 16)
    return list(pairs[digest % len(pairs)])


def screeners(
    record_id: str,
    settings: ScreeningSettings,
    *,
    pilot: bool,
    listed_as: dict[str, set[str]],
) -> list[str]:
    """Who screens a record, given the IDs each reviewer's sheet lists it under.

    ``listed_as[reviewer]`` holds the IDs of that reviewer's rows that stand for the record.
    A record that reached the sheets under an ID a merge has since left behind stays with the
    reviewers who have it: it never goes to another screener again.
    """
    assigned = assigned_reviewers(record_id, settings, pilot=pilot)
    holders = [r for r in settings.reviewers if listed_as.get(r)]
    if not holders or any(record_id in listed_as[r] for r in holders):
        return assigned
    return holders
