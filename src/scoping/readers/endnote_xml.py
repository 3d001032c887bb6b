"""EndNote XML (from EndNote, Zotero and Mendeley) to records, streamed with lxml."""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree

from scoping.errors import ScopingError
from scoping.normalise import normalise_doi, normalise_pmid
from scoping.readers.common import ReadContext, build_record, person_authors
from scoping.records import Record


def _text(elem: etree._Element | None) -> str:
    # EndNote wraps text in <style face=...> elements.
    return "" if elem is None else " ".join("".join(elem.itertext()).split())


def _all(record: etree._Element, path: str) -> list[str]:
    return [t for t in (_text(e) for e in record.iterfind(path)) if t]


def _raw(record: etree._Element) -> dict[str, object]:
    out: dict[str, object] = {}
    for elem in record.iter():
        if elem is record or (len(elem) and elem[0].tag != "style"):
            continue
        tag = elem.tag if isinstance(elem.tag, str) else ""
        if not tag or tag == "style":
            continue
        value = _text(elem)
        if not value:
            continue
        prev = out.get(tag)
        if prev is None:
            out[tag] = value
        else:
            out[tag] = [*prev, value] if isinstance(prev, list) else [prev, value]
    return out


def endnote_to_record(record: etree._Element, ctx: ReadContext, *, number: int) -> Record | None:
    """One ``<record>`` as a ``Record``."""
    accession = _text(record.find("accession-num"))
    remote = " ".join(
        _all(record, "remote-database-provider") + _all(record, "remote-database-name")
    )
    electronic = _text(record.find("electronic-resource-num"))
    ref_type = record.find("ref-type")
    pmid = accession if "pubmed" in remote.lower() or "nlm" in remote.lower() else ""
    urls = _all(record, "urls/related-urls/url") + _all(record, "urls/web-urls/url")
    return build_record(
        ctx,
        where=f"record {number}",
        row=None,
        source_id=_text(record.find("rec-number")) or accession,
        pmid=normalise_pmid(pmid),
        doi=normalise_doi(electronic),
        title=_text(record.find("titles/title")),
        abstract=_text(record.find("abstract")),
        authors=person_authors(_all(record, "contributors/authors/author")),
        year=_text(record.find("dates/year")) or _text(record.find("dates/pub-dates/date")),
        journal=_text(record.find("periodical/full-title"))
        or _text(record.find("titles/secondary-title")),
        volume=_text(record.find("volume")),
        issue=_text(record.find("number")) or _text(record.find("issue")),
        pages=_text(record.find("pages")),
        url=urls[0] if urls else "",
        publication_type=(ref_type.get("name", "") if ref_type is not None else ""),
        keywords=_all(record, "keywords/keyword"),
        language=_text(record.find("language")),
        raw=_raw(record),
    )


def read_endnote_xml(data: bytes, ctx: ReadContext) -> Iterator[Record]:
    """Records of an EndNote XML export (parsed from bytes: the XML declares its encoding)."""
    context = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag="record",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    number = 0
    try:
        for _, record in context:
            number += 1
            if not ctx.flavour:
                ctx.flavour = _text(record.find("source-app")) or "EndNote"
            out = endnote_to_record(record, ctx, number=number)
            record.clear(keep_tail=False)
            if out is not None:
                yield out
    except etree.XMLSyntaxError as error:
        raise ScopingError(
            f"malformed EndNote XML after record {number} ({error.msg})",
            file=ctx.path,
            line=error.lineno,
            fix="export the library again (File > Export > XML) or fix the file at that line.",
        ) from None
