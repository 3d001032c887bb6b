"""Comparison keys of one record, computed once per record before any pair is scored.

Match keys throw away what differs between exports of the same paper (case, punctuation,
accents, bracketed translations, language tags, journal abbreviations); flags keep what makes
two look-alike records different papers (errata, replies, preprints, conference abstracts,
part numbers).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from scoping.normalise import fold as _fold_unicode
from scoping.normalise import normalise_author
from scoping.records import Record, accession_of

_LANG_TAG = re.compile(
    r"[\[(]\s*(?:in\s+)?(?:article\s+in\s+)?(?:chinese|japanese|german|french|spanish|italian|"
    r"russian|portuguese|polish|dutch|czech|korean|turkish|hungarian|danish|swedish|norwegian|"
    r"finnish|hebrew|croatian|serbian|persian|ukrainian|greek|author'?s\s+transl?)\.?\s*[\])]\s*$",
    flags=re.IGNORECASE,
)
_NOTICE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("erratum", re.compile(r"^(?:erratum|errata|correction|corrigendum|addendum)\b")),
    ("erratum", re.compile(r"\b(?:erratum|errata|corrigendum|correction to|corrections to)\b")),
    ("retraction", re.compile(r"^(?:retraction|retracted|notice of retraction|withdrawn)\b")),
    ("retraction", re.compile(r"\bretraction$")),
    ("reply", re.compile(r"^(?:reply|response|in reply|authors? reply|author response)\b")),
    ("reply", re.compile(r"\b(?:reply|response)$")),
    ("comment", re.compile(r"^(?:comment|commentary|letter|editorial comment)\b")),
    ("comment", re.compile(r"\b(?:comment|commentary)$")),
)
#: Cheap pre-check: every notice pattern contains one of these stems.
_NOTICE_HINT = re.compile(
    r"errat|correct|corrig|addend|retract|withdraw|repl|respon|comment|letter"
)
_NOTICE_TYPES = {
    "erratum": "erratum",
    "published erratum": "erratum",
    "correction": "erratum",
    "retraction of publication": "retraction",
    "retraction notice": "retraction",
    "comment": "comment",
    "letter": "comment",
    "editorial": "comment",
    "reply": "reply",
}
_PREPRINT_WORDS = re.compile(
    r"\b(?:medrxiv|biorxiv|arxiv|ssrn|research square|preprints?|chemrxiv|psyarxiv|osf preprints)\b"
)
_PREPRINT_DOI = ("10.1101/", "10.21203/", "10.2139/", "10.48550/", "10.20944/", "10.31234/")
_CONF_WORDS = re.compile(r"\b(?:conference abstract|meeting abstract|congress|abstracts?)\b")
_SUPPL = re.compile(r"\bsuppl")
# A proceedings volume or a meeting is named a dozen ways ("Americas Conference on Information
# Systems", "AMCIS 2017 Proceedings"): its name may support a match, never contradict one.
_PROCEEDINGS_WORDS = re.compile(
    r"\b(?:conference|proceedings|proc|symposium|workshop|congress|colloquium|meeting|"
    r"inproceedings|conf|cpaper)\b"
)
_THESIS = re.compile(r"\b(?:dissertations?|thesis|phdthesis|mastersthesis|ph d)\b")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8"}
_PART_WORDS = {"part", "phase", "stage", "type", "study", "trial", "grade", "class", "volume"}
_JOURNAL_STOP = {
    "the",
    "of",
    "and",
    "for",
    "in",
    "on",
    "a",
    "an",
    "de",
    "la",
    "der",
    "und",
    "official",
}
_DIGITS = re.compile(r"\d+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# MEDLINE appends "[Erratum appears in ...]", "[Comment in ...]" to the title of the article.
_INDEX_NOTE = re.compile(
    r"\.?\s*\[(?:published\s+)?(?:erratum|retraction|comment|update|corrected|republished)"
    r"\w*\s+(?:appears?|in|of|and)\b.*$",
    flags=re.IGNORECASE | re.DOTALL,
)
# An erratum's citation of the article it corrects, after the article's title: Web of Science
# "(vol 85, pg 553, 2010)", Embase "(New England Journal of Medicine (2009) 360 (542-544))".
_CITED_ARTICLE = re.compile(
    r"\s*\((?:\s*vol\.?\s*\w+\s*,\s*pg\.?\s*\w+\s*,\s*\d{4}\s*"
    r"|[^()]*\((?:19|20)\d\d\)\s*\w+\s*(?:\(\s*\w+\s*\)\s*)?\(\s*\w+(?:\s*-+\s*\w+)?\s*\))\)\s*$",
    flags=re.IGNORECASE,
)
# A deposit of one part of an article (figshare, AACR, Dryad...): "Figure 1 from <title>",
# "Table 2 <title>", "Supplementary material for <title>", "Data from <title>",
# "Supplementary Table S1". The lead names the part; what follows is the article's title.
_DEPOSIT = re.compile(
    r"^(?:(?:supplementary|supplemental)\s+(?:material|data|information|file|figure|table|"
    r"methods|appendix|video|movie)s?(?:\s+s?\d+[a-z]?)?"
    r"|additional\s+file\s+\d+"
    r"|(?:figure|fig|table|movie|video|dataset)\s+s?\d+[a-z]?"
    r"|data\s+from)(?=\s|$)"
)
_DEPOSIT_HINT = re.compile(r"^(?:suppl|addit|fig|table|movie|video|data)")
_DEPOSIT_TYPES = ("dataset", "data set", "figure", "image", "media")
_SHORT_NOTE = re.compile(r"\[[^\[\]]{1,30}\]")
_PAGE_COUNT = re.compile(r"^\d+\s*(?:p|pp|pages?)\.?$", flags=re.IGNORECASE)
_ATTACHED_PAGES = re.compile(r"^(?:quiz|discussion)\s+([\d\s,-]+)", flags=re.IGNORECASE)
_PAGE_FIRST = re.compile(r"^\s*([A-Za-z]{0,2}\d+[A-Za-z]?)")


@dataclass(slots=True)
class Keys:
    """Comparison keys of one record (see ``record_keys``)."""

    title: str
    compact: str
    numbers: frozenset[str]
    notice: str
    kind: str
    deposit: str  # "figure 1", "table s2", "supplementary material", "data"... or ""
    preprint: bool
    conference: bool
    proceedings: bool
    thesis: bool
    abstract: str  # the record's own abstract when long enough to compare, else ""
    authors: tuple[tuple[str, str], ...]
    year: int
    journal: str
    volume: str
    issue: str
    page_first: str
    page_last: str
    e_locator: bool
    doi: str
    pmid: str
    pmcid: str
    accession: str


def fold(value: str) -> str:
    """``scoping.normalise.fold`` with a fast path for ASCII text (most records): same result."""
    if value.isascii():
        return _NON_ALNUM.sub(" ", value.lower()).strip()
    return _fold_unicode(value)


def title_match_key(title: str) -> str:
    """Folded title without a bracketed-translation wrapper, language tags or notes."""
    text = _INDEX_NOTE.sub("", title) if "[" in title else title
    text = text.strip().strip('"').strip()
    if _cites_article(text):
        text = _CITED_ARTICLE.sub("", text)
    for _ in range(2):
        if not text.endswith(("]", ")", "].", ").")):
            break
        text = _LANG_TAG.sub("", text).strip().rstrip(".").strip()
    # MEDLINE wraps translated titles in brackets: "[A study of ...]".
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text = text[1:-1]
    # Notes such as "[corrected]", "[Review] [33 refs]", "[1]" differ between databases.
    if "[" in text:
        text = _SHORT_NOTE.sub(" ", text)
    return fold(text)


def deposit_kind(title_key: str, publication_type: str = "") -> str:
    """The part of an article a supplement deposit holds (its title's lead), or ``""``.

    ``"figure 1 from ..."`` gives ``"figure 1"``; a deposit typed as a dataset or figure with
    another title gives its type.
    """
    if _DEPOSIT_HINT.match(title_key):
        found = _DEPOSIT.match(title_key)
        if found:
            return found.group(0).removesuffix(" from")
    kind = publication_type.strip().lower()
    return kind if kind in _DEPOSIT_TYPES else ""


def title_numbers(key: str) -> frozenset[str]:
    """Numbers in a title key, with roman numerals after "part", "phase"... read as digits."""
    words = key.split()
    found = set(_DIGITS.findall(key))
    for before, word in itertools.pairwise(words):
        if before in _PART_WORDS and word in _ROMAN:
            found.add(_ROMAN[word])
    return frozenset(found)


def _cites_article(title: str) -> bool:
    """Whether the title ends with an erratum's citation of the article (see _CITED_ARTICLE)."""
    end = title.rstrip()[-160:]
    if not end.endswith(")") or not ("pg" in end or "))" in end):
        return False  # the cheap test first: most titles do not end that way
    return bool(_CITED_ARTICLE.search(end))


def notice_kind(title: str) -> str:
    """``erratum``, ``retraction``, ``reply``, ``comment`` (from the title) or ``""``."""
    if re.match(r"^\s*re\s*:", title, flags=re.IGNORECASE):
        return "comment"
    if _cites_article(title):
        return "erratum"
    title_key = fold(_INDEX_NOTE.sub("", title) if "[" in title else title)
    if not _NOTICE_HINT.search(title_key):
        return ""
    for kind, pattern in _NOTICE_PATTERNS:
        if pattern.search(title_key):
            return kind
    return ""


def type_kind(publication_type: str) -> str:
    """Notice kind from the publication type: ``""`` when unknown, ``paper`` when ordinary."""
    if not publication_type.strip():
        return ""
    for part in publication_type.lower().replace(",", ";").split(";"):
        kind = _NOTICE_TYPES.get(part.strip())
        if kind:
            return kind
    return "paper"


def author_keys(authors: list[str]) -> tuple[tuple[str, str], ...]:
    """``(folded family name, first initial)`` per author."""
    keys = (_author_key(author) for author in authors)
    return tuple(k for k in keys if k[0] and k[0] not in {"et al", "anonymous"})


@lru_cache(maxsize=500_000)
def _author_key(author: str) -> tuple[str, str]:
    # Cached: the same author strings recur across records and databases.
    name = normalise_author(author)
    head, _, tail = name.rpartition(" ")
    if head and tail.isalpha() and tail.isupper() and len(tail) <= 4:
        return fold(head), tail[0].lower()
    return fold(name), ""


@lru_cache(maxsize=100_000)
def journal_key(journal: str) -> str:
    """Folded journal name without stop words and without a ``": subtitle"`` or ``"= ..."`` tail."""
    text = journal.split(" = ")[0]
    words = [w for w in fold(text).split() if w not in _JOURNAL_STOP]
    return " ".join(words)


def page_span(pages: str) -> tuple[str, str, bool]:
    """``(first, last, e_locator)`` page numbers; ``"288-97"`` gives ``("288", "297", False)``.

    Letters are dropped (``"c37"`` and ``"37"`` are one page); a single letter-led number
    (``"e12724"``, ``"a1754"``) is an article number, not comparable with a page range.
    """
    text = (pages or "").strip()
    if _PAGE_COUNT.match(text):
        return "", "", False  # "215 p": a thesis's page count, not a page number
    # MEDLINE adds the article's own quiz or discussion: "119-27; quiz 128" ends on page 128.
    text, _, more = text.partition(";")
    match = _PAGE_FIRST.match(text)
    if not match:
        return "", "", False
    numbers = _DIGITS.findall(text)
    first = numbers[0].lstrip("0") or "0"
    ranged = len(numbers) > 1 and bool(re.search(r"\d[A-Za-z]?\s*[-–]+\s*[A-Za-z]?\d", text))
    last = first
    if ranged:
        last = numbers[1].lstrip("0") or "0"
        if len(last) < len(first):
            # Abbreviated range: "288-97" ends at 297.
            last = first[: len(first) - len(last)] + last
    extra = _ATTACHED_PAGES.match(more.strip())
    if extra and last.isdigit():
        _, extra_last, _ = page_span(extra.group(1))
        if extra_last.isdigit() and int(last) < int(extra_last) <= int(last) + 10:
            last = extra_last
    e_locator = text[:1].isalpha() and not ranged
    return first, last, e_locator


def _is_preprint(record: Record, journal: str) -> bool:
    if record.doi.startswith(_PREPRINT_DOI):
        return True
    where = fold(f"{journal} {record.publication_type}")
    return bool(_PREPRINT_WORDS.search(where))


def _is_conference(record: Record, journal: str) -> bool:
    kinds = fold(f"{record.publication_type} {record.raw.get('ENTRYTYPE', '')}")
    if "conference abstract" in kinds or "meeting abstract" in kinds:
        return True
    where = fold(f"{journal} {record.volume} {record.issue}")
    return bool(_CONF_WORDS.search(where)) and bool(_SUPPL.search(where) or "abstract" in where)


def _is_proceedings(record: Record, journal: str) -> bool:
    where = fold(f"{journal} {record.publication_type} {record.raw.get('ENTRYTYPE', '')}")
    return bool(_PROCEEDINGS_WORDS.search(where))


def _is_thesis(record: Record, journal: str) -> bool:
    where = fold(
        f"{journal} {record.volume} {record.issue} {record.publication_type} "
        f"{record.raw.get('ENTRYTYPE', '')}"
    )
    return bool(_THESIS.search(where))


# A volume is a number, perhaps after "Vol." and with a letter ("30a"), then perhaps a
# qualifier after a space or a bracket ("24 Suppl 3", "21 (Pt 1)", "9661 LNCS", "12(3)").
_VOLUME = re.compile(r"^(?:vol(?:ume)?\.?\s*)?(\d+)[a-z]?(?=[\s(,;]|$)", flags=re.IGNORECASE)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def volume_number(text: str) -> str:
    """The volume number in a volume field, or ``""`` where the value is not a volume.

    Garbled values carry no evidence: a stray bracket (``"1)"``, cut from ``"61(1)"``), a
    workshop code (``"WS-11-11"``), a date (``"07-12-May-2016"``), ``"UNKNOWN"``.
    """
    text = text.strip()
    if not text or not _balanced(text):
        return ""
    found = _VOLUME.match(text)
    return found.group(1) if found else ""


def issue_number(text: str) -> str:
    """The first number of an issue field (``"Suppl. 2"``, ``"1-2"``), ``""`` when garbled."""
    if not _balanced(text):
        return ""
    found = _DIGITS.search(text)
    return found.group(0) if found else ""


def _is_year_volume(volume: str, year: int) -> bool:
    """Whether a volume number is the publication year (within one), not a volume."""
    if len(volume) != 4 or not volume.startswith(("19", "20")):
        return False
    return not year or abs(int(volume) - year) <= 1


def accession_key(record: Record) -> str:
    """The record's self-naming database accession number, lower case, or ``""``."""
    return accession_of(source_id=record.source_id, raw=record.raw, url=record.url)


#: Shorter abstracts ("Not available", a one-line summary) say nothing about identity.
_MIN_ABSTRACT_CHARS = 200


def same_abstract(a: Keys, b: Keys) -> bool:
    """The same abstract word for word, whatever the case, punctuation or spacing."""
    if not a.abstract or not b.abstract:
        return False
    return a.abstract is b.abstract or _abstract_key(a.abstract) == _abstract_key(b.abstract)


@lru_cache(maxsize=50_000)
def _abstract_key(abstract: str) -> str:
    # Folded only for the few pairs that get this far: folding every abstract up front cost
    # a third of the key time at 50,000 records.
    return fold(abstract)


def record_keys(record: Record) -> Keys:
    """All comparison keys of ``record``."""
    title = title_match_key(record.title)
    year = int(record.year) if record.year.isdigit() else 0
    volume = volume_number(record.volume)
    if volume and _is_year_volume(volume, year):
        # Magazines filed by year ("Harvard Business Review 2016"): not a volume number.
        volume = ""
    first, last, e_locator = page_span(record.pages)
    journal = record.journal
    return Keys(
        title=title,
        compact=title.replace(" ", ""),
        numbers=title_numbers(title),
        notice=notice_kind(record.title),
        kind=type_kind(record.publication_type),
        deposit=deposit_kind(title, record.publication_type),
        preprint=_is_preprint(record, journal),
        conference=_is_conference(record, journal),
        proceedings=_is_proceedings(record, journal),
        thesis=_is_thesis(record, journal),
        abstract=record.abstract if len(record.abstract) >= _MIN_ABSTRACT_CHARS else "",
        authors=author_keys(record.authors),
        year=year,
        journal=journal_key(journal),
        volume=volume.lstrip("0"),
        issue=issue_number(record.issue).lstrip("0"),
        page_first=first,
        page_last=last,
        e_locator=e_locator,
        doi=record.doi,
        pmid=record.pmid,
        pmcid=record.pmcid,
        accession=accession_key(record),
    )
