"""``scoping import``: read one export (any supported format) and write normalised records."""

from __future__ import annotations

import argparse
from pathlib import Path

from scoping.errors import ScopingError
from scoping.jsonarg import json_object_arg
from scoping.readers import FORMATS, ImportResult, read_file
from scoping.records import RECORD_COLUMNS, SOURCE_TYPES, write_records
from scoping.searchlog import now_iso, write_search_log

#: Record fields whose fill rate the summary shows.
SUMMARY_FIELDS = tuple(
    c for c in RECORD_COLUMNS if c not in ("record_id", "source", "source_type", "raw")
)

#: Database label per format, used when neither --database nor the content names one.
FORMAT_LABELS = {
    "medline": "PubMed",
    "pubmed_xml": "PubMed",
    "wos": "Web of Science",
}


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="read one export (RIS, MEDLINE, PubMed XML, WoS, BibTeX, EndNote XML, CSV, XLSX)",
        description="Read one export file, print a summary and optionally write records CSV. "
        "An empty value for any option means 'not given'.",
    )
    parser.add_argument("file", help="the export file")
    parser.add_argument(
        "--format", default="", help=f"auto (default) or one of: {', '.join(FORMATS)}"
    )
    parser.add_argument("--source", default="", help="source name (default: the file's stem)")
    parser.add_argument(
        "--source-type",
        default="",
        help=f"PRISMA arm: {', '.join(SOURCE_TYPES)} (default: other)",
    )
    parser.add_argument(
        "--database", default="", help="database label for the search log (default: detected)"
    )
    parser.add_argument(
        "--columns",
        default="",
        help='JSON object mapping record fields to column names, e.g. \'{"title": "Name"}\'',
    )
    parser.add_argument("--encoding", default="", help="force an encoding (default: detect)")
    parser.add_argument(
        "--searched-on", default="", help="date the team ran the search (for the search log)"
    )
    parser.add_argument(
        "--query",
        default="",
        help="the search strategy behind the export, for the search log (default: the file path)",
    )
    parser.add_argument("--output", default="", help="records CSV to write")
    parser.add_argument("--search-log", default="", help="one-row search log CSV to write")
    parser.set_defaults(func=run)


def parse_columns(text: str) -> dict[str, str] | None:
    """``--columns`` JSON as a dict (``None`` when empty); a ``ScopingError`` when malformed."""
    example = '{"title": "Document title", "url": "Link"}'
    parsed = json_object_arg(text, option="--columns", example=example, allow_file=False)
    if parsed is None:
        return None
    value = parsed[0]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ScopingError(
            "--columns must be a JSON object of field names to column names",
            fix='e.g. \'{"title": "Document title", "year": "Pub year"}\'.',
        )
    return {k: v for k, v in value.items() if v.strip()} or None


def fill_rates(result: ImportResult) -> dict[str, float]:
    """Share of records with each summary field filled in."""
    n = len(result.records) or 1
    return {name: sum(1 for r in result.records if getattr(r, name)) / n for name in SUMMARY_FIELDS}


def summary_lines(result: ImportResult) -> list[str]:
    """The summary a person reads after an import."""
    flavour = f" ({result.flavour})" if result.flavour else ""
    lines = [
        f"{result.path}: {len(result.records)} records, format {result.format}{flavour}, "
        f"encoding {result.encoding}",
        "filled: " + ", ".join(f"{name} {rate:.0%}" for name, rate in fill_rates(result).items()),
    ]
    if result.problems:
        lines.append(f"problems ({len(result.problems)}):")
        lines.extend(f"  - {p}" for p in result.problems)
    else:
        lines.append("problems: none")
    return lines


def run(args: argparse.Namespace) -> int:
    source_type = args.source_type.strip() or "other"
    result = read_file(
        args.file,
        format=args.format.strip() or "auto",
        columns=parse_columns(args.columns),
        source=args.source.strip() or None,
        source_type=source_type,
        encoding=args.encoding.strip() or None,
    )
    stamp = now_iso()
    for rec in result.records:
        rec.retrieved_at = args.searched_on.strip() or stamp
    print("\n".join(summary_lines(result)))
    output = args.output.strip()
    if output:
        write_records(output, result.records)
        print(f"wrote {len(result.records)} records -> {output}")
    if args.search_log.strip():
        source = args.source.strip() or Path(args.file).stem
        database = args.database.strip() or (
            result.flavour or FORMAT_LABELS.get(result.format) or source
        )
        write_search_log(
            args.search_log.strip(),
            [
                {
                    "source": source,
                    "source_type": source_type,
                    "database": database,
                    # The config's query says how the export was made; the path is the fallback.
                    "query": args.query.strip() or str(args.file),
                    "date_run": stamp,
                    "date_searched": args.searched_on.strip(),
                    "count_reported": len(result.records),
                    "records_fetched": len(result.records),
                    "file": output,
                }
            ],
        )
    return 0
