"""Normalisation shared by every stage: identifiers, titles, authors, years.

Display forms (``clean_title``, ``normalise_author``) keep what a reader needs; match keys
(``title_key``) throw away everything that differs between exports of the same record.
"""

from __future__ import annotations

import html
import re
import unicodedata

_DOI_PREFIX = re.compile(
    r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*|doi\s+)", flags=re.IGNORECASE
)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    return str(value).strip()


def normalise_doi(value: object) -> str:
    """Lower-case bare DOI (``10.xxxx/...``), or ``""`` when the value is not a DOI."""
    text = _text(value)
    if not text:
        return ""
    text = text.split()[0] if " " in text and not text.lower().startswith("doi") else text
    text = _DOI_PREFIX.sub("", text.strip()).strip().rstrip(".,;")
    text = text.lower()
    return text if _DOI_SHAPE.match(text) else ""


def normalise_pmid(value: object) -> str:
    """PubMed ID as digits (``"PMID: 123"``, ``"123 [pmid]"`` and ``123.0`` all give ``"123"``)."""
    text = _text(value)
    if text.endswith(".0"):
        text = text[:-2]
    digits = re.sub(r"(?i)pmid|\[pmid\]|[:\s]", "", text)
    digits = digits.replace("[]", "")
    return digits if digits.isdigit() and 0 < len(digits) <= 9 else ""


def normalise_pmcid(value: object) -> str:
    """PubMed Central ID as ``PMC`` followed by digits, or ``""``."""
    text = _text(value).upper().replace(" ", "")
    match = re.search(r"PMC(\d+)", text)
    return f"PMC{match.group(1)}" if match else ""


def clean_title(value: object) -> str:
    """Title for display: HTML tags and entities resolved, whitespace folded, no trailing period."""
    text = html.unescape(_text(value))
    text = _TAG.sub("", text)
    text = _SPACE.sub(" ", text).strip()
    while text.endswith(".") and not text.endswith("..."):
        text = text[:-1].rstrip()
    return text


def fold(value: object) -> str:
    """Lower-case ASCII letters and digits separated by single spaces: a key for comparison."""
    text = unicodedata.normalize("NFKD", _text(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("ł", "l")
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def title_key(value: object) -> str:
    """Match key of a title: ``fold(clean_title(value))``."""
    return fold(clean_title(value))


def year_from(value: object) -> str:
    """Four-digit year from any date form (``2021``, ``2021/03/04``, ``Mar 2021``, ``2021.0``)."""
    text = _text(value)
    if not text:
        return ""
    match = _YEAR.search(text)
    return match.group(1) if match else ""


def normalise_author(value: object) -> str:
    """One author as ``Family IN`` (MEDLINE style): ``"Smith, John A."`` gives ``"Smith JA"``.

    Corporate authors and single names are kept as written.
    """
    text = _SPACE.sub(" ", html.unescape(_text(value))).strip().strip(",;")
    if not text:
        return ""
    if "," in text:
        family, _, given = text.partition(",")
        family, given = family.strip(), given.strip()
    else:
        parts = text.split(" ")
        if len(parts) == 1:
            return text
        last = parts[-1]
        # "Smith JA" (MEDLINE): the last token is already initials.
        if last.isupper() and len(last) <= 4 and last.isalpha():
            return f"{' '.join(parts[:-1])} {last}"
        family, given = last, " ".join(parts[:-1])
    initials = "".join(
        ch for word in re.split(r"[\s.\-]+", given) if word for ch in word[:1] if ch.isalpha()
    ).upper()
    if given.isupper() and given.replace(" ", "").replace(".", "").isalpha() and len(given) <= 4:
        initials = given.replace(" ", "").replace(".", "")
    return f"{family} {initials}".strip() if initials else family


def split_authors(value: object) -> list[str]:
    """Author list from ``"A; B"`` or BibTeX ``"A and B"`` text, each normalised."""
    text = _text(value)
    if not text:
        return []
    parts = re.split(r"\s*;\s*|\s+and\s+|\n", text)
    return [a for a in (normalise_author(p) for p in parts) if a]


def first_author_family(authors: list[str]) -> str:
    """Folded family name of the first author, or ``""``."""
    if not authors:
        return ""
    first = normalise_author(authors[0])
    head, _, last = first.rpartition(" ")
    family = head if head and last.isalpha() and last.isupper() and len(last) <= 4 else first
    return fold(family)
