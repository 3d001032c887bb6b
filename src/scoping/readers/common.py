"""What every reader shares: the result type, read options, and building one record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from scoping.errors import ScopingError
from scoping.normalise import (
    clean_title,
    first_author_family,
    fold,
    normalise_author,
    normalise_doi,
    normalise_pmid,
    year_from,
)
from scoping.records import Record

#: At most this many problems of one kind are listed one by one; the rest are counted.
MAX_LISTED = 5


@dataclass(slots=True)
class ImportResult:
    """Records read from one file, with what was detected and what looked wrong."""

    records: list[Record]
    format: str
    encoding: str
    problems: list[str] = field(default_factory=list)
    flavour: str = ""  # the exporting tool or database, where the content tells (e.g. "Scopus")
    path: str = ""


@dataclass(slots=True)
class ReadContext:
    """Options of one read and the problems found so far."""

    path: Path
    source: str
    source_type: str
    require_title: bool  # grey-literature lists: an untitled row without a URL is an error
    columns: dict[str, str] | None = None
    problems: list[str] = field(default_factory=list)
    flavour: str = ""
    untitled: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        self.problems.append(message)

    def summarise(self) -> list[str]:
        """Problems, with the untitled and skipped records folded into one line each."""
        out = list(self.problems)
        if self.untitled:
            out.append(
                f"{len(self.untitled)} record(s) without a title kept, identified by their other "
                f"fields: {listing(self.untitled)}"
            )
        if self.empty:
            out.append(f"{len(self.empty)} empty record(s) kept as found: {listing(self.empty)}")
        return out


def listing(items: list[str]) -> str:
    """The first few items, and how many more."""
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def person_authors(names: list[str]) -> list[str]:
    """Each name as ``Family IN`` (corporate names kept as written), empties dropped."""
    return [a for a in (normalise_author(n) for n in names) if a]


def _untitled_id(fields: dict[str, object], *, ctx: ReadContext, where: str) -> str:
    """Stable ``ref-`` ID for a record with no title, DOI, PMID or URL, from what it does have.

    A record with none of those fields either (kept so the count matches the database's own)
    is named by its source and place in the file.
    """
    authors = fields.get("authors") or []
    parts = [
        fold(fields.get("abstract", ""))[:500],
        year_from(fields.get("year", "")),
        first_author_family(list(authors)),  # type: ignore[arg-type]
        fold(fields.get("journal", "")),
        str(fields.get("volume", "")),
        str(fields.get("pages", "")),
        str(fields.get("source_id", "")),
    ]
    if not any(parts):
        parts = ["empty", ctx.source, where]
    digest = hashlib.sha1(("untitled|" + "|".join(parts)).encode("utf-8")).hexdigest()[:12]
    return f"ref-{digest}"


def build_record(
    ctx: ReadContext,
    *,
    where: str,
    line: int | None = None,
    row: int | None = None,
    **fields: object,
) -> Record:
    """A ``Record`` from one parsed entry.

    An entry without a title is kept when a DOI, PMID or URL identifies it. Otherwise it is an
    error in a grey-literature list (``ctx.require_title``) and, elsewhere, kept under an ID built
    from its other fields (or, for an empty entry, its place in the file), and reported. Keeping
    them makes the count match the database's own, which PRISMA reports.
    """
    title = clean_title(fields.get("title", ""))
    if not title:
        identified = (
            normalise_doi(fields.get("doi"))
            or normalise_pmid(fields.get("pmid"))
            or str(fields.get("url") or "").strip()
        )
        if not identified:
            empty = not any(value for name, value in fields.items() if name != "raw")
            if ctx.require_title:
                raise ScopingError(
                    "this entry has no title and no URL to identify it",
                    file=ctx.path,
                    line=line,
                    row=row,
                    fix=f"fill in its title (or the URL of the page) at {where}, or delete it.",
                )
            if empty:
                ctx.empty.append(where)
            else:
                ctx.untitled.append(where)
            fields["record_id"] = _untitled_id(fields, ctx=ctx, where=where)
        else:
            ctx.untitled.append(where)
    fields["title"] = title
    return Record.create(source=ctx.source, source_type=ctx.source_type, **fields)
