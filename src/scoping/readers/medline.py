"""PubMed MEDLINE / .nbib exports to records."""

from __future__ import annotations

from collections.abc import Iterator

from scoping.normalise import normalise_doi
from scoping.readers.common import ReadContext, build_record, person_authors
from scoping.readers.tagged import MEDLINE, TaggedRecord, iter_tagged
from scoping.records import Record


def _doi(rec: TaggedRecord) -> str:
    for value in rec.values("LID") + rec.values("AID"):
        if value.endswith("[doi]"):
            doi = normalise_doi(value[: -len("[doi]")])
            if doi:
                return doi
    return ""


def medline_to_record(rec: TaggedRecord, ctx: ReadContext) -> Record | None:
    """One MEDLINE record as a ``Record``."""
    pmid = rec.first("PMID")
    # AU is already "Family IN"; FAU ("Family, Given") only where a record lacks AU.
    names = rec.values("AU") or person_authors(rec.values("FAU"))
    return build_record(
        ctx,
        where=f"the record at line {rec.line}",
        line=rec.line,
        source_id=pmid,
        pmid=pmid,
        pmcid=rec.first("PMC"),
        doi=_doi(rec),
        title=rec.first("TI", "BTI", "TT"),
        abstract=rec.first("AB"),
        # Collective authors (CN) are organisations: kept as written.
        authors=names + rec.values("CN"),
        year=rec.first("DP", "DEP", "EDAT"),
        journal=rec.first("JT", "TA"),
        volume=rec.first("VI"),
        issue=rec.first("IP"),
        pages=rec.first("PG"),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        publication_type="; ".join(rec.values("PT")),
        keywords=rec.values("MH") + rec.values("OT"),
        language=rec.first("LA"),
        raw=rec.raw(),
    )


def read_medline(text: str, ctx: ReadContext) -> Iterator[Record]:
    """Records of a MEDLINE-format export (records separated by blank lines)."""
    for rec in iter_tagged(text, dialect=MEDLINE, path=ctx.path):
        out = medline_to_record(rec, ctx)
        if out is not None:
            yield out
