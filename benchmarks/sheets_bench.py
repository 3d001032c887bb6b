"""Write and read back screening sheets for N records (default 20,000); print seconds.

    python benchmarks/sheets_bench.py [--records 20000] [--format xlsx|csv]

Records are real PubMed records (../shared/data/entrez/metapub/pmid_xml, with abstracts) repeated
with new IDs until N. Steps timed: create both reviewers' sheets, read one back, append 1,000
new records to both (xlsx: by editing the sheet XML), reconcile (reads both sheets). For xlsx,
the same 1,000-row append to one sheet is also timed both ways, XML edit against the openpyxl
load-and-save path (the fallback, and what appends cost before), with their ratio.
Target: create + read back under 30 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from screening_helpers import pubmed_records, write_dedup_records  # noqa: E402

from scoping.screening import ScreeningSettings, reconcile_stage, update_sheets  # noqa: E402
from scoping.screening.layout import reviewer_spec  # noqa: E402
from scoping.screening.tables import (  # noqa: E402
    _rewrite_xlsx,
    _rewrite_xlsx_openpyxl,
    read_table,
)


@contextmanager
def _timed(times: dict[str, tuple[float, float]], step: str) -> Iterator[None]:
    """Record the wall and CPU seconds of the block under ``step``."""
    start, cpu = time.perf_counter(), time.process_time()
    yield
    times[step] = (time.perf_counter() - start, time.process_time() - cpu)


def _records(n: int) -> list:
    base = [r for r in pubmed_records(REPO.parent / "shared" / "data") if r.abstract]
    return [replace(base[i % len(base)], record_id=f"bench-{i:06d}") for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()
    settings = ScreeningSettings(format=args.format)
    records = _records(args.records + 1_000)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        first = write_dedup_records(tmp / "records.csv", records[: args.records])
        times: dict[str, tuple[float, float]] = {}

        with _timed(times, "create 2 sheets"):
            update_sheets(
                stage="title_abstract",
                records_path=first,
                include_from=None,
                directory=tmp / "screening",
                settings=settings,
            )

        sheet = tmp / "screening" / "title_abstract" / f"reviewer1.{args.format}"
        with _timed(times, "read back 1 sheet"):
            rows = len(read_table(sheet).rows)
        assert rows == args.records, rows

        more = write_dedup_records(tmp / "records.csv", records)
        if args.format == "xlsx":
            spec = reviewer_spec("title_abstract", settings)
            new = [
                {
                    "record_id": r.record_id,
                    "title": r.title,
                    "abstract": r.abstract,
                    "authors": "; ".join(r.authors),
                    "journal": r.journal,
                    "pmid": r.pmid,
                    "url": r.url,
                    "batch": "2",
                }
                for r in records[args.records :]
            ]
            for step, rewrite in (
                ("1 sheet: openpyxl baseline", _rewrite_xlsx_openpyxl),
                ("1 sheet: XML edit", _rewrite_xlsx),
            ):
                with _timed(times, step):
                    rewrite(sheet, tmp / f"{len(times)}.xlsx", spec, new, {})
        with _timed(times, "append 1,000 to 2 sheets"):
            update_sheets(
                stage="title_abstract",
                records_path=more,
                include_from=None,
                directory=tmp / "screening",
                settings=settings,
            )

        with _timed(times, "reconcile (reads 2 sheets)"):
            reconcile_stage(
                stage="title_abstract",
                records_path=more,
                include_from=None,
                directory=tmp / "screening",
                output=tmp / "decisions.csv",
                agreement_path=tmp / "agreement.json",
                settings=settings,
            )
        size = sheet.stat().st_size / 2**20

    print(f"sheets benchmark: {args.records:,} records, format {args.format}, sheet {size:.1f} MiB")
    print(f"  {'step':<28} {'wall':>7} {'cpu':>7}  (wall includes waiting for a busy machine)")
    for step, (wall, cpu) in times.items():
        print(f"  {step:<28} {wall:6.1f}s {cpu:6.1f}s")
    if "1 sheet: XML edit" in times:
        base, fast = times["1 sheet: openpyxl baseline"][0], times["1 sheet: XML edit"][0]
        print(f"  appending 1,000 rows: XML edit {base / fast:.1f}x faster than openpyxl")
    wall = times["create 2 sheets"][0] + times["read back 1 sheet"][0]
    cpu = times["create 2 sheets"][1] + times["read back 1 sheet"][1]
    print(f"  {'create + read back':<28} {wall:6.1f}s {cpu:6.1f}s (target < 30 s)")


if __name__ == "__main__":
    main()
