"""Field scores of a candidate pair and the rule that decides it.

The rules prefer a miss over a false merge: a pair merges automatically only when the titles
agree, nothing contradicts (year, volume, pages, DOI, authors, title numbers, notice type) and
enough other fields agree. Pairs that fall short but look alike go to a person.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz

from scoping.dedup.features import Keys, same_abstract
from scoping.dedup.settings import DedupSettings

#: Pair outcomes.
MERGE, REVIEW, LINK, DISTINCT = "merge", "review", "link", "distinct"

#: "Erratum: <title>": the notice's own words before the article's title.
_NOTICE_LEAD = re.compile(r"^(?:erratum|errata|correction|corrigendum)(?:\s+(?:to|on|of))?\s+")

#: Field-score columns, in log order.
FIELD_SCORES = ("title", "authors", "year", "journal", "volume", "pages", "doi")


@dataclass(slots=True)
class PairDecision:
    """Outcome of comparing two records, with the evidence behind it."""

    outcome: str
    rule: str
    score: float
    fields: dict[str, float | None] = field(default_factory=dict)


def title_similarity(a: str, b: str) -> tuple[float, bool]:
    """Similarity (0-1) of two title keys and whether one is a truncation of the other."""
    if not a or not b:
        return 0.0, False
    if a == b:
        return 1.0, False
    sim = fuzz.ratio(a, b) / 100.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    # Databases cut long titles (and drop subtitles): a long shared start is the same title.
    if len(short) >= 40 and len(long) > len(short):
        head = fuzz.ratio(short, long[: len(short)]) / 100.0
        if head >= 0.97 and head > sim:
            return head, True
        # A section heading or a kicker put before the title: "How did it ... <title>". Only
        # titles ending alike are worth the second comparison (most pairs differ at the end).
        if sim < 0.97 and short[-6:] == long[-6:]:
            tail = fuzz.ratio(short, long[-len(short) :]) / 100.0
            if tail >= 0.97 and tail > sim:
                return tail, True
    return sim, False


def corrected_title_similarity(a: Keys, b: Keys) -> tuple[float, bool]:
    """``title_similarity`` of what notices correct: "Erratum to - <title>" reads "<title>"."""
    return title_similarity(_NOTICE_LEAD.sub("", a.title), _NOTICE_LEAD.sub("", b.title))


def author_similarity(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> float:
    """Share (0-1) of the shorter author list found in the other (family name, then initial)."""
    if len(a) > len(b):
        a, b = b, a
    a, b = a[:12], b[:40]
    matched = 0.0
    for position, (family, initial) in enumerate(a):
        best = 0.0
        for other_family, other_initial in b:
            same_family = (
                family == other_family
                or (len(family) > 3 and fuzz.ratio(family, other_family) >= 85)
                or _shares_name_word(family, other_family)
            )
            if same_family:
                # A different initial may be another person with the same family name.
                agree = not (initial and other_initial and initial != other_initial)
                best = max(best, 1.0 if agree else 0.5)
            elif (
                initial
                and other_initial
                and (family[0], initial) == (other_initial, other_family[0])
            ):
                # Given and family names swapped: "Carignani A" and "Andrea C". At the same
                # place in the list it is one database's name order; elsewhere, a guess.
                in_place = len(a) > 1 and position < len(b) and b[position][0] == other_family
                best = max(best, 0.9 if in_place else 0.5)
            if best == 1.0:
                break
        matched += best
    return matched / len(a)


def _shares_name_word(a: str, b: str) -> bool:
    """``si hyun kang`` and ``kang``: given names written into the family-name field."""
    if " " not in a and " " not in b:
        return False
    words_a = {w for w in a.split() if len(w) > 2}
    return any(w in words_a for w in b.split() if len(w) > 2)


@lru_cache(maxsize=200_000)
def journal_similarity(a: str, b: str) -> float:
    """Similarity (0-1) of two journal keys; an abbreviation of the other scores 1."""
    if a == b:
        return 1.0
    if _abbreviates(a, b) or _abbreviates(b, a):
        return 1.0
    return fuzz.ratio(a, b) / 100.0


def _abbreviates(short: str, long: str) -> bool:
    """``nat rev nephrol`` abbreviates ``nature reviews nephrology``: word prefixes, in order."""
    words, targets = short.split(), long.split()
    if not words or not targets or len(words) > len(targets):
        return False
    if not targets[0].startswith(words[0]):
        return False
    j = 0
    for word in words:
        while j < len(targets) and not targets[j].startswith(word):
            j += 1
        if j == len(targets):
            return False
        j += 1
    return True


def _substituted_words(a: str, b: str) -> bool:
    """Whether each title has a content word the other lacks (a swap, not a typo or a cut)."""
    if a.replace(" ", "") == b.replace(" ", ""):
        return False  # "p16INK4a" and "p16(INK4a)": spacing only
    split_a, split_b = a.split(), b.split()
    # Counted, not just present: "rangeland fire ... Fire topic" against "rangeland fire ...
    # Invasives topic" swaps a word the other title also uses elsewhere.
    words_a = Counter(w for w in split_a if len(w) > 3)
    words_b = Counter(w for w in split_b if len(w) > 3)
    if split_a[-1] != split_b[-1] and (
        split_a[-1].startswith(split_b[-1]) or split_b[-1].startswith(split_a[-1])
    ):
        # Both cut at a database's length limit, one a letter later: "... lung can" and
        # "... lung canc" end in the same word.
        words_a[split_a[-1]] = words_b[split_b[-1]] = 0
    only_a, only_b = +(words_a - words_b), +(words_b - words_a)
    if not only_a or not only_b:
        return False
    compact_a, compact_b = a.replace(" ", ""), b.replace(" ", "")

    def unmatched(
        only: Counter[str], mine: Counter[str], other_compact: str, theirs: Counter[str]
    ) -> list[str]:
        # A word the other title has as often with a space dropped or added ("celllung",
        # "cell lung"), or close in spelling, is no swap.
        return [
            w
            for w in only
            if other_compact.count(w) < mine[w] and not any(fuzz.ratio(w, o) >= 80 for o in theirs)
        ]

    return bool(unmatched(only_a, words_a, compact_b, only_b)) and bool(
        unmatched(only_b, words_b, compact_a, only_a)
    )


#: Words of the titles of front matter that recurs in every issue of a journal.
_FRONT_MATTER = re.compile(
    r"\b(?:editor|editors|editorial|editorials|introduction|preface|foreword|masthead)\b"
)


def _recurring_front_matter(a: Keys, b: Keys) -> bool:
    """A short editorial-type title ("Editor's comments", "Editorial introduction")."""
    shortest = min(a.title, b.title, key=len)
    return len(shortest) < 60 and bool(_FRONT_MATTER.search(shortest))


def _same_issue(a: Keys, b: Keys) -> bool:
    # Cochrane reviews have an issue and no volume.
    return bool(a.issue and a.issue == b.issue and a.volume == b.volume)


def same_page_range(a: Keys, b: Keys) -> bool:
    """Both records give the same page range of several pages, not starting at page 1.

    Proceedings papers are often paginated from 1 each; a range elsewhere in an issue or
    volume belongs to one article.
    """
    return (
        bool(a.page_first)
        and a.page_first != a.page_last
        and a.page_first != "1"
        and (a.page_first, a.page_last) == (b.page_first, b.page_last)
    )


def notice_dropped(a: Keys, b: Keys) -> bool:
    """One record of an erratum lost its "Erratum:" prefix: same volume, issue and pages.

    A reply or comment is not excused: it can share a page with the letter it answers.
    """
    return (
        {a.notice, b.notice} == {"erratum", ""}
        and bool(a.volume)
        and a.volume == b.volume
        and _same_issue(a, b)
        and bool(a.page_first)
        and (a.page_first, a.page_last) == (b.page_first, b.page_last)
        and bool(a.authors)
        and bool(b.authors)
        and author_similarity(a.authors, b.authors) >= 0.9
    )


def printed_twice(a: Keys, b: Keys) -> bool:
    """One abstract printed twice in one volume (oral and poster lists): one page each.

    The same long title word for word, journal, volume, year and authors (three or more).
    """
    return (
        a.title == b.title
        and len(a.title) >= 50
        and bool(a.volume)
        and a.volume == b.volume
        and a.year == b.year != 0
        and a.notice == b.notice
        and bool(a.page_first)
        and a.page_first == a.page_last
        and b.page_first == b.page_last
        and bool(a.journal)
        and journal_similarity(a.journal, b.journal) >= 0.8
        and min(len(a.authors), len(b.authors)) >= 3
        and author_similarity(a.authors, b.authors) >= 0.85
    )


def same_text(
    a: Keys,
    b: Keys,
    *,
    title: float,
    authors: float | None,
    journal: float | None,
    settings: DedupSettings,
) -> bool:
    """The same long abstract word for word, title and authors: one text, whatever the year,
    volume, pages or DOI say.

    A conference abstract, a preprint or a single page against a page range (a meeting
    abstract and its paper) is never excused, nor are two journals.
    """
    if not same_abstract(a, b):
        return False
    if a.notice != b.notice:
        title, _ = corrected_title_similarity(a, b)
    elif (a.page_first == a.page_last) != (b.page_first == b.page_last) and (
        a.page_first and b.page_first
    ):
        return False
    return (
        title >= settings.title_threshold
        and authors is not None
        and authors >= 0.9
        and a.conference == b.conference
        and a.preprint == b.preprint
        and (journal is None or journal >= settings.journal_threshold)
        and {a.notice, b.notice} <= {"", "erratum"}
    )


def unshift(a: Keys, b: Keys) -> tuple[Keys, Keys]:
    """Put back a record's volume, issue and page that slid one field left.

    An export that lost the volume gives "issue 26, page 9" for volume 26, issue 9: read
    that way when the other record has exactly that volume and issue.
    """
    for x, y in ((a, b), (b, a)):
        if (
            not x.volume
            and x.issue
            and x.issue == y.volume
            and x.page_first == x.page_last == y.issue
        ):
            fixed = replace(x, volume=x.issue, issue=x.page_first, page_first="", page_last="")
            return (fixed, b) if x is a else (a, fixed)
    return a, b


def page_agreement(a: Keys, b: Keys) -> float | None:
    """1 when the pages agree, 0 when they contradict, None when either is missing."""
    if not (a.page_first and b.page_first):
        return None
    if a.page_first == b.page_first:
        return 1.0
    if a.e_locator or b.e_locator:
        return None
    # "487-488" and "488": one database gives only the last page. Weaker than a shared first
    # page: a letter or a correction can start on the last page of the article.
    single_a, single_b = a.page_first == a.page_last, b.page_first == b.page_last
    if (single_a and a.page_first == b.page_last) or (single_b and b.page_first == a.page_last):
        return 0.5
    if not (single_a or single_b) and a.page_last == b.page_last:
        return 0.5  # a typo in the first page: "2297-2108" and "2097-2108"
    if a.page_first.startswith(b.page_first) or b.page_first.startswith(a.page_first):
        return None  # a cut-off page number: "21" and "2142"
    return 0.0


def doi_overruled(a: Keys, b: Keys) -> bool:
    """Whether records sharing a DOI clearly are two works: the DOI is evidence, not proof.

    Errata, replies and book chapters carry the article's or the book's DOI; the abstracts of a
    meeting supplement share the supplement issue's DOI (two abstracts on pages 51 and 52 by
    other authors). Overruled by a notice type or a supplement deposit on one side only,
    titles that disagree (< 0.7), or a different first page together with other authors.
    """
    if a.notice != b.notice or a.deposit != b.deposit:
        return True
    if a.title and b.title and title_similarity(a.title, b.title)[0] < 0.7:
        return True
    return (
        page_agreement(a, b) == 0.0
        and bool(a.authors and b.authors)
        and author_similarity(a.authors, b.authors) < 0.5
    )


def contradicts(a: Keys, b: Keys) -> bool:
    """Whether two records' identifiers or bibliographic numbers rule out one paper.

    Checked across clusters before a fuzzy merge joins them, so that a record with missing
    fields cannot bridge two papers that differ where both are known (issues of an editorial).
    """
    if (not a.volume) != (not b.volume):
        a, b = unshift(a, b)
    if a.year and b.year and abs(a.year - b.year) > 1:
        return True
    if a.volume and b.volume and a.volume != b.volume:
        return True
    if a.doi and b.doi and a.doi != b.doi:
        return True
    if a.notice != b.notice and not notice_dropped(a, b):
        return True
    if a.deposit != b.deposit:
        return True
    if page_agreement(a, b) == 0.0 and not printed_twice(a, b):
        return True
    short = min(len(a.title), len(b.title)) < 60
    different_issue = bool(a.issue and b.issue and a.issue != b.issue)
    return short and different_issue and page_agreement(a, b) != 1.0


def compare(a: Keys, b: Keys, settings: DedupSettings) -> PairDecision:
    """Score the fields of ``a`` and ``b`` and apply the merge rules."""
    if (not a.volume) != (not b.volume):
        a, b = unshift(a, b)
    if a.deposit != b.deposit:
        # "Figure 1 from <title>", "Supplementary material for <title>": a deposit of one part
        # of the article (figshare...), with its title and authors; never the article itself,
        # nor another part of it. Distinct, not a question for a person.
        return PairDecision(DISTINCT, "distinct", 0.0, {})
    title, truncated = title_similarity(a.title, b.title)
    if title < 1.0 and (
        a.notice == b.notice == "erratum" or (a.notice != b.notice and notice_dropped(a, b))
    ):
        title, truncated = corrected_title_similarity(a, b)
    fields: dict[str, float | None] = {"title": round(title, 3)}
    volume = None if not (a.volume and b.volume) else float(a.volume == b.volume)
    pages = page_agreement(a, b)
    if pages == 0.0 and printed_twice(a, b):
        pages = None
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    # Same volume and first page (and year within one): the same article, whatever the author
    # forms, subtitles or title numbers say. A record without a year (Embase's conference
    # records) gives no evidence on it: then two known journals must not disagree outright
    # ("Haematologica. Conference: 16th Congress ..." and "Haematologica", not "Blood").
    bibliographic = (
        volume == 1.0
        and pages == 1.0
        and (
            year_gap <= 1
            if year_gap is not None
            else bool(a.journal and b.journal)
            and journal_similarity(a.journal, b.journal) >= settings.journal_conflict
        )
        # Front matter starts every issue on the same page: "Editorial Introduction", 22(2)
        # pages 5-6 and 22(3) pages 5-7, are two items.
        and not (a.issue and b.issue and a.issue != b.issue and a.page_last != b.page_last)
    )
    authors_early: float | None = None  # computed here only when needed, then reused
    if not bibliographic and year_gap == 0 and volume != 0.0 and same_page_range(a, b):
        # The same page range, year and authors without a volume (proceedings, one database
        # dropped it): the same article, whatever the title says.
        authors_early = author_similarity(a.authors, b.authors) if a.authors and b.authors else None
        bibliographic = authors_early is not None and authors_early >= 0.9
    if bibliographic and title < settings.title_threshold and min(len(a.title), len(b.title)) >= 15:
        # A section heading or subtitle added by one database: "MEDICAL PROGRESS <title>".
        contained = fuzz.token_set_ratio(a.title, b.title) / 100.0
        if contained >= settings.title_threshold:
            title, truncated = contained, True
    if title < settings.review_threshold and not bibliographic:
        return PairDecision(DISTINCT, "distinct", round(title, 3), fields)
    authors = authors_early
    if authors is None and a.authors and b.authors:
        authors = author_similarity(a.authors, b.authors)
    journal = journal_similarity(a.journal, b.journal) if a.journal and b.journal else None
    doi = None if not (a.doi and b.doi) else float(a.doi == b.doi)
    if title < settings.review_threshold:
        # Translated title ("Plattformokonomie..." / "Platform economy..."): the same authors,
        # journal, year, volume, issue and page range make one article; anything less does not.
        same_article = (
            bool(a.title and b.title)
            # A page range, not a single page: abstracts in a supplement share pages.
            and a.page_first != a.page_last
            and (a.page_first, a.page_last) == (b.page_first, b.page_last)
            # The issue may be missing on one side ("SUPPL" against "Suppl 2"), never differ.
            and not (a.issue and b.issue and a.issue != b.issue)
            and bool(a.issue or b.issue)
            and not (a.conference or b.conference)
            and authors is not None
            and authors >= 0.9
            and journal is not None
            and journal >= settings.journal_threshold
            and year_gap == 0
            and a.notice == b.notice
            and (doi is None or doi == 1.0)
        )
        if not same_article:
            return PairDecision(DISTINCT, "distinct", round(title, 3), fields)
        fields.update(authors=round(authors or 0.0, 3), year=1.0, journal=round(journal or 0, 3))
        fields.update(volume=volume, pages=pages, doi=doi)
        score = round(sum(v for v in fields.values() if v is not None) / len(fields), 3)
        return PairDecision(MERGE, "bibliographic+authors+journal+year", score, fields)
    fields.update(
        authors=None if authors is None else round(authors, 3),
        year=None if year_gap is None else float(year_gap == 0),
        journal=None if journal is None else round(journal, 3),
        volume=volume,
        pages=pages,
        doi=doi,
    )

    if a.thesis and b.thesis:
        # A thesis and its Dissertation Abstracts listing: one author, one title, listed up to a
        # year later, the listing's volume and page against the thesis's page count. The
        # listing is the thesis's abstract, not another work. Two listings in different
        # volumes are left to a person.
        if (
            title >= settings.title_threshold
            and authors is not None
            and authors >= 0.9
            and (year_gap is None or year_gap <= 1)
            and a.notice == b.notice
        ):
            if volume == 0.0 or doi == 0.0:
                return PairDecision(REVIEW, "uncertain:thesis+authors", round(title, 3), fields)
            return PairDecision(MERGE, "thesis+authors+year", round(title, 3), fields)
        return PairDecision(DISTINCT, "distinct", round(title, 3), fields)

    if a.preprint != b.preprint and not (
        journal is not None and journal >= settings.journal_threshold
    ):
        # A preprint and its published version differ in DOI, journal and often year: judge
        # them on title and authors alone, then link (default) or merge them. Two records
        # naming one venue are not that, even if one has an SSRN DOI: one database kept the
        # DOI of the paper's copy ("International Conference on Information Systems").
        same_work = (
            title >= settings.title_threshold
            and authors is not None
            and authors >= settings.author_threshold
            and (year_gap is None or year_gap <= 2)
            and a.notice == b.notice
        )
        if not same_work:
            return PairDecision(DISTINCT, "distinct", round(title, 3), fields)
        if settings.preprint_policy == "link":
            return PairDecision(LINK, "preprint_link", round(title, 3), fields)
        return PairDecision(MERGE, "preprint_merge", round(title, 3), fields)

    # A proceedings paper listed under the meeting's year and under the proceedings' year: no
    # journal, volume or issue on one side, the same long title and the same authors (two or
    # more). A journal abstract repeated a year later (annual meetings) is not excused.
    near_year = (
        year_gap == 1
        and volume is None
        and not (a.journal and b.journal and not (a.proceedings and b.proceedings))
        and not (a.issue and b.issue)
        and title >= 0.99
        and len(min(a.title, b.title, key=len)) >= 50
        and min(len(a.authors), len(b.authors)) >= 2
        and authors is not None
        and authors >= 0.9
    )
    support = [
        name
        for name, ok in (
            ("authors", authors is not None and authors >= settings.author_threshold),
            ("year", year_gap == 0 or near_year),
            ("journal", journal is not None and journal >= settings.journal_threshold),
            ("volume", volume == 1.0),
            ("pages", pages is not None and pages > 0.0),
            ("doi", doi == 1.0),
        )
        if ok
    ]
    short = len(min(a.title, b.title, key=len)) < settings.short_title_chars
    conflicts: list[str] = []
    if year_gap is not None and year_gap > 1:
        conflicts.append("year")
    elif year_gap == 1 and not (volume == 1.0 and pages != 0.0) and not near_year:
        # Online-first and print years differ by one; then the volume must agree.
        conflicts.append("year")
    if volume == 0.0:
        conflicts.append("volume")
    if pages == 0.0:
        conflicts.append("pages")
    if doi == 0.0:
        conflicts.append("doi")
    if (a.notice != b.notice and not notice_dropped(a, b)) or (
        a.kind and b.kind and a.kind != b.kind
    ):
        conflicts.append("notice")
    if not bibliographic:
        if authors is not None and authors < 0.5:
            conflicts.append("authors")
        if a.numbers != b.numbers and not (
            truncated and (a.numbers <= b.numbers or b.numbers <= a.numbers)
        ):
            # "Part 1" and "Part 2", "phase II" and "phase III": different papers.
            conflicts.append("title_numbers")
        if a.conference != b.conference:
            conflicts.append("conference_abstract")
        if (
            journal is not None
            and journal < settings.journal_conflict
            and not (volume == 1.0 and _same_issue(a, b))
            and not (a.proceedings and b.proceedings)
        ):
            # A review in the Cochrane Library and its journal version are two reports.
            conflicts.append("journal")
        if title < 1.0 and not truncated and _substituted_words(a.title, b.title):
            # "... in Pediatric Patients" and "... in Adult Patients": one word swapped.
            conflicts.append("title_words")
        if (
            len(min(a.title, b.title, key=len)) < 60
            and not (pages == 1.0 and a.page_last == b.page_last)
            and a.issue
            and b.issue
            and a.issue != b.issue
        ):
            # "Editor's comments", "Introduction": short titles recur in every issue, often on
            # the same first page ("5-6", "5-7"); only the same page range excuses the issue.
            conflicts.append("issue")

    if conflicts and _recurring_front_matter(a, b):
        # "Editor's Comments", "Editorial Introduction": one in every issue, by the same editor.
        # Any difference in issue, volume, pages or DOI makes two items, not a question.
        return PairDecision(DISTINCT, "distinct", round(title, 3), fields)

    known = [v for v in fields.values() if v is not None]
    score = round(sum(known) / len(known), 3) if known else 0.0
    need = settings.min_support + (1 if short else 0)
    if short and not (doi == 1.0 or (pages is not None and pages > 0.0) or _same_issue(a, b)):
        # "Editorial notes" recurs in every issue: a short title needs the issue, pages or DOI.
        need = len(support) + 1
    if title >= settings.title_threshold and not conflicts and len(support) >= need:
        outcome = MERGE
        rule = f"title{'_truncated' if truncated else ''}+{'+'.join(support)}"
    elif same_text(a, b, title=title, authors=authors, journal=journal, settings=settings):
        # One text under two citations: a paper printed twice (two volumes, two DOIs), or a
        # correction notice to which a database copied the article's abstract.
        outcome, rule = MERGE, "title+authors+abstract"
    elif len(conflicts) <= 1 and len(support) >= 1:
        outcome = REVIEW
        rule = "uncertain:" + ("+".join(support) or "-")
        rule += f" vs {conflicts[0]}" if conflicts else ""
    else:
        return PairDecision(DISTINCT, "distinct", score, fields)
    return PairDecision(outcome, rule, score, fields)
