"""Web of Science tagged text (plain-text / CIW export, also Zoological Record) to records."""

from __future__ import annotations

from collections.abc import Iterator

from scoping.normalise import normalise_doi
from scoping.readers.common import ReadContext, build_record, person_authors
from scoping.readers.tagged import WOS, TaggedRecord, iter_tagged
from scoping.records import Record


def _pages(rec: TaggedRecord) -> str:
    start, end = rec.first("BP"), rec.first("EP")
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end or rec.first("AR")


def _keywords(rec: TaggedRecord) -> list[str]:
    text = "; ".join(rec.values("DE") + rec.values("ID"))
    return [k.strip() for k in text.split(";") if k.strip()]


def wos_to_record(rec: TaggedRecord, ctx: ReadContext) -> Record | None:
    """One Web of Science record as a ``Record`` (one author per line, values wrap over lines)."""
    accession = rec.first("UT", "AN")
    # Zoological Record puts the author's e-mail in brackets after the name.
    names = [n.split(" (", 1)[0] for n in rec.lines("AU")]
    return build_record(
        ctx,
        where=f"the record at line {rec.line}",
        line=rec.line,
        source_id=accession,
        pmid=rec.first("PM"),
        doi=normalise_doi(rec.first("DI", "DO")),
        title=rec.first("TI"),
        abstract=rec.first("AB"),
        authors=person_authors(names) + rec.lines("CA"),
        year=rec.first("PY", "EA", "PD"),
        journal=rec.first("SO", "SE", "BS"),
        volume=rec.first("VL"),
        issue=rec.first("IS"),
        pages=_pages(rec),
        url=f"https://www.webofscience.com/wos/woscc/full-record/{accession}"
        if accession.startswith("WOS:")
        else "",
        publication_type=rec.first("DT", "PT"),
        keywords=_keywords(rec),
        language=rec.first("LA"),
        raw=rec.raw(),
    )


def read_wos(text: str, ctx: ReadContext) -> Iterator[Record]:
    """Records of a Web of Science tagged export."""
    for rec in iter_tagged(text, dialect=WOS, path=ctx.path):
        out = wos_to_record(rec, ctx)
        if out is not None:
            yield out
