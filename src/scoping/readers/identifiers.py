"""DOIs and PubMed IDs where vendors put them: in links, URL-encoded, or with a prefix.

Ovid hides the DOI in a full-text link (``...&DO=10.1101%2f2023.02.27.530354``), EBSCO writes
PMIDs as ``NLM31530099``, the legacy PubMed CSV as ``PMID:31301691 | PMCID:PMC...`` and Ovid as
``29635641 [http://www.ncbi.nlm.nih.gov/pubmed/?term=29635641]``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from scoping.normalise import normalise_doi, normalise_pmcid, normalise_pmid

_DOI = re.compile(r"10\.\d{4,9}/[^\s\"'<>|&#?]+")
# A DOI as a query parameter of a link (Ovid's full-text links: "&DO=10.1101%2f2023...").
_DOI_PARAM = re.compile(
    r"[?&](?:DO|doi|id|rft_id)=(?:info%3Adoi%2F|doi:)?(10\.\d{4,9}(?:%2[fF]|/)[^&#\s]+)"
)
# File and view suffixes publishers put after the DOI in an article link.
_LINK_TAIL = re.compile(r"(?:\.pdf|/full|/abstract|/epdf|/pdf|\.full)$", re.IGNORECASE)
_PMID = re.compile(
    r"(?:\bPMID:?\s*|\bNLM|/pubmed/(?:\?term=)?|pubmed\.ncbi\.nlm\.nih\.gov/)(\d{1,9})\b",
    re.IGNORECASE,
)
# "29635641 [http://...]" (Ovid) and "21010415; 21065698" (Lens: the first is the article's).
_LEADING_PMID = re.compile(r"^\s*(\d{1,9})(?:\s*[\[;,]|\s*$)")


def doi_in_text(text: str) -> str:
    """The first DOI inside a longer text or a link (decoded), or ``""``."""
    if not text or "10." not in text:
        return ""
    param = _DOI_PARAM.search(text)
    if param:
        doi = normalise_doi(unquote(param.group(1)))
        if doi:
            return doi
    found = _DOI.search(unquote(text) if "%2" in text.lower() else text)
    if not found:
        return ""
    return normalise_doi(_LINK_TAIL.sub("", found.group(0).rstrip(".,;)]")))


def pmid_in_text(text: str) -> str:
    """A PubMed ID from ``PMID:123``, ``NLM123``, ``123 [http://...]``, a PubMed link, or ``""``."""
    if not text:
        return ""
    bare = normalise_pmid(text)
    if bare:
        return bare
    lead = _LEADING_PMID.match(text)
    if lead:
        return lead.group(1)
    found = _PMID.search(text)
    return found.group(1) if found else ""


def pmcid_in_text(text: str) -> str:
    """A PubMed Central ID (``PMC123``) inside a longer text, or ``""``."""
    return normalise_pmcid(text) if text and "PMC" in text.upper() else ""
