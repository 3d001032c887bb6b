"""Normalisation shared by every stage: identifiers, titles, authors, years.

Display forms (``clean_title``, ``normalise_author``) keep what a reader needs; match keys
(``title_key``) throw away everything that differs between exports of the same record.
"""

from __future__ import annotations

import ast
import html
import re
import unicodedata
from urllib.parse import unquote

_DOI_PREFIX = re.compile(
    r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*|doi\s+)", flags=re.IGNORECASE
)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Unicode letters and digits survive: a Cyrillic or Chinese title must not fold to "".
_NON_ALNUM = re.compile(r"[\W_]+")
#: Words that mark an organisation named as an author ("World Health Organization").
_CORPORATE = re.compile(
    r"\b(?:organi[sz]ation|university|universit[eéà]|institute?|ministry|department|"
    r"association|agency|council|committee|society|foundation|cent(?:re|er)|network|office|"
    r"trust|collaboration|consortium|commission|programme|program|bank|fund|federation|board|"
    r"authority|union|alliance|coalition|partnership|group|services?|government|unicef|"
    r"oecd|ngo|inc|ltd|gmbh|corporation|company|hospital|clinic|college|school|"
    r"academy|working party|task force|investigators)\b"
)
_NAME_PARTS = re.compile(r"[\s.\-]+")
# Generational suffixes are not initials: "Taylor, Purcell Jr." is "Taylor P".
_SUFFIX = re.compile(r"[,\s]+(?:Jr|Sr|II|III|IV|2nd|3rd)\.?(?=,|$)", flags=re.IGNORECASE)
_MAY_HAVE_SUFFIX = re.compile(r"(?i)jr|sr|ii|iv|2nd|3rd")
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
    if "%" in text:  # Ovid writes DOIs URL-encoded: 10.1016/0376-8716%2876%2990010-7
        text = unquote(text)
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
    # Control characters (NUL, form feeds from PDF copy-paste) are not part of a title and make
    # spreadsheet writers fail later.
    text = _CONTROL.sub(" ", text)
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
    text = _text(value)
    if "&" in text:
        text = html.unescape(text)
    if "  " in text or "\t" in text or "\n" in text:
        text = _SPACE.sub(" ", text)
    text = text.strip().strip(",;")
    if not text:
        return ""
    if " " in text and is_corporate_author(text):
        return text
    if _MAY_HAVE_SUFFIX.search(text):
        text = _SUFFIX.sub("", text).strip().strip(",")
    if "," in text:
        family, _, given = text.partition(",")
        family, given = family.strip(), given.strip()
    else:
        parts = text.split(" ")
        if len(parts) == 1 or not any(ch.isalpha() for ch in parts[-1]):
            return text
        last = parts[-1].replace(".", "").replace("-", "")
        # "Smith JA" (MEDLINE), "Adler D.G." (Embase, Scopus): the last token is initials.
        if last.isupper() and len(last) <= 4 and last.isalpha():
            return f"{' '.join(parts[:-1])} {last}"
        family, given = parts[-1], " ".join(parts[:-1])
    initials = "".join(
        word[0] for word in _NAME_PARTS.split(given) if word and word[0].isalpha()
    ).upper()
    if given.isupper() and given.replace(" ", "").replace(".", "").isalpha() and len(given) <= 4:
        initials = given.replace(" ", "").replace(".", "")
    return f"{family} {initials}".strip() if initials else family


def is_corporate_author(value: object) -> bool:
    """True for an organisation named as author ("Department of Health", "WHO Working Group")."""
    text = _text(value)
    return (" " in text and bool(_CORPORATE.search(text.lower()))) or (
        text.isupper() and (" " not in text and "," not in text and len(text) > 4)
    )


def split_authors(value: object) -> list[str]:
    """Author list from ``"A; B"`` or BibTeX ``"A and B"`` text, each normalised."""
    text = _text(value)
    if not text:
        return []
    if ";" not in text and "\n" not in text and is_corporate_author(text):
        return [text]
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


_TRUNCATED = re.compile(r"(?:[,;]?\s*(?:…|\.\.\.|\bet al\.?))+\s*$", flags=re.IGNORECASE)
# "Smith JA", "Adler D.G." (family first) and "J Smith", "D.G. Adler" (initials first).
_INITIALS_NAME = re.compile(
    r"^(?:[^\W\d_][\w'’\-. ]*\s(?:[A-Z]\.?-?){1,4}"
    r"|(?:[A-Z]{1,4}\s|(?:[A-Z]\.\s?-?){1,4})[^\W\d_][\w'’\- ]*)$"
)


def split_author_list(value: object) -> list[str]:
    """Raw author names from one exported cell, not yet normalised.

    Handles ``"A; B"``, BibTeX ``"A and B"`` and the comma lists of Scopus and Embase
    (``"Liu R., Adler D.G."``), where a comma cannot otherwise be told from ``"Family, Given"``.
    """
    text = _SPACE.sub(" ", _text(value))
    # Google Scholar (Publish or Perish) cuts long lists with "…"; others write "et al.".
    text = _TRUNCATED.sub("", text).strip()
    if not text:
        return []
    if text.startswith("[") and text.endswith("]"):
        # asreview and pandas write lists as Python literals: "['Marx, Karl', 'Lindgren, A']".
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            items = None
        if isinstance(items, list):
            return [str(i).strip() for i in items if str(i).strip()]
    if ";" in text or "\n" in text:
        parts = re.split(r"\s*[;\n]\s*", text)
    elif " and " in text and not is_corporate_author(text):
        parts = re.split(r"\s+and\s+", text)
    elif text.count(",") >= 1 and all(
        _INITIALS_NAME.match(p.strip()) for p in text.split(",") if p.strip()
    ):
        parts = text.split(",")
    else:
        parts = [text]
    return [p.strip() for p in parts if p.strip()]
