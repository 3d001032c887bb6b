"""Tell an export's format from its content, not its name (".txt" can be RIS, MEDLINE or WoS)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from scoping.errors import ScopingError

#: Formats ``read_file`` reads, by the name ``--format`` takes.
FORMATS = (
    "ris",
    "medline",
    "pubmed_xml",
    "wos",
    "bibtex",
    "endnote_xml",
    "pubmed_text",
    "json",
    "csv",
    "tsv",
    "xlsx",
)

#: Other names people use for them.
FORMAT_ALIASES = {
    "nbib": "medline",
    "pubmed": "medline",
    "ciw": "wos",
    "web_of_science": "wos",
    "bib": "bibtex",
    "xml": "pubmed_xml",
    "endnote": "endnote_xml",
    "scopus_csv": "csv",
    "ieee_csv": "csv",
    "pubmed_csv": "csv",
    "ovid_csv": "csv",
    "embase_csv": "csv",
    "excel": "xlsx",
    "abstract": "pubmed_text",
    "pubmed_abstract": "pubmed_text",
    "pop_json": "json",
}

_SAMPLE = 256 * 1024
_RIS = re.compile(r"^TY  -", re.MULTILINE)
_MEDLINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_WOS_START = re.compile(r"^(?:FN |PT [A-Z]\s*$)", re.MULTILINE)
_WOS_END = re.compile(r"^ER\s*$", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_PUBMED_XML = re.compile(r"<(?:PubmedArticleSet|PubmedArticle|PubmedBookArticle)[\s>]")
_ENDNOTE_XML = re.compile(r"<records>\s*<record>|<xml>\s*<records>")
_JSON = re.compile(r"^[\[{]\s*[\[{\"]")
# PubMed's "Abstract (text)": numbered records ("1. Journal. 2020 ...") that end in "PMID: n".
_PUBMED_TEXT = re.compile(r"^1\. \S")
_PUBMED_TEXT_PMID = re.compile(r"^PMID: \d+", re.MULTILINE)
_XML_ROOT = re.compile(r"<(?![?!])([A-Za-z][\w:.-]*)")


def resolve_format(name: str | None, *, path: str | Path) -> str:
    """Canonical format name of ``--format`` (``"auto"`` when not given)."""
    text = (name or "auto").strip().lower().replace("-", "_")
    if text in ("", "auto"):
        return "auto"
    text = FORMAT_ALIASES.get(text, text)
    if text not in FORMATS:
        raise ScopingError(
            f"unknown --format '{name}'",
            file=path,
            fix=f"use auto or one of {', '.join(FORMATS)}.",
        )
    return text


def detect_binary(data: bytes, *, path: str | Path) -> str | None:
    """``"xlsx"`` for a workbook; an error for old binary Excel; ``None`` for text."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ScopingError(
            "this is an old binary Excel (.xls) workbook",
            file=path,
            fix="open it and save it as .xlsx or as CSV (UTF-8).",
        )
    return None


def _looks_tabular(head: str, delimiter: str) -> bool:
    """Most of the first rows have as many cells as the header (prose with commas does not)."""
    lines = head.splitlines()
    if len(head) == _SAMPLE:
        lines = lines[:-1]  # the sample may end mid-row
    rows = [r for r in csv.reader(io.StringIO("\n".join(lines[:200])), delimiter=delimiter) if r]
    if not rows or len(rows[0]) < 2:
        return False
    header, body = rows[0], rows[1:21]
    if not body or sum(len(r) == len(header) for r in body) >= 0.5 * len(body):
        return True
    # Rows with stray trailing cells (Excel's extra commas) still make a table when the header
    # reads like column names, not like a sentence.
    names = all(len(c) <= 40 and len(c.split()) <= 4 for c in header)
    return names and sum(len(r) >= len(header) for r in body) >= 0.8 * len(body)


def detect_text_format(text: str, *, path: str | Path) -> str:
    """Format of decoded text, or a ``ScopingError`` that says what the file looks like."""
    head = text[:_SAMPLE].lstrip("\ufeff \t\r\n")
    if not head:
        raise ScopingError(
            "the file is empty",
            file=path,
            fix="export the search results again; the export may have failed or been cut off.",
        )
    if head.startswith("<"):
        if _PUBMED_XML.search(head):
            return "pubmed_xml"
        if _ENDNOTE_XML.search(head):
            return "endnote_xml"
        root = _XML_ROOT.search(head)
        raise ScopingError(
            f"unknown XML or HTML (root element <{root.group(1) if root else '?'}>), "
            "not PubMed XML or EndNote XML",
            file=path,
            line=1,
            fix="export the records as RIS, MEDLINE, PubMed XML, EndNote XML, BibTeX or CSV.",
        )
    if _RIS.search(head):
        return "ris"
    if _MEDLINE.search(head):
        return "medline"
    if _WOS_START.search(head) and _WOS_END.search(text):
        return "wos"
    if _BIBTEX.search(head):
        return "bibtex"
    if _JSON.match(head):
        return "json"
    if _PUBMED_TEXT.match(head) and _PUBMED_TEXT_PMID.search(head):
        return "pubmed_text"
    first = next((line for line in head.splitlines() if line.strip()), "")
    if first.lstrip('"').lower().startswith("about the data"):
        # Dimensions writes one "About the data: Exported on ..." line above the header.
        head = head.split("\n", 1)[1] if "\n" in head else ""
        first = next((line for line in head.splitlines() if line.strip()), "")
    for delimiter, name in (("\t", "tsv"), (",", "csv"), (";", "csv")):
        if delimiter in first and _looks_tabular(head, delimiter):
            return name
    raise ScopingError(
        f"unknown format: the file starts with '{first[:40]}'",
        file=path,
        line=1,
        fix=f"pass --format ({', '.join(FORMATS)}), or export the records in one of those formats.",
    )
