"""A real HTTP server on 127.0.0.1 that speaks enough of NCBI E-utilities to test against.

It answers ``esearch.fcgi`` (``usehistory``/``WebEnv``/``query_key``, ``retstart``/``retmax``,
``mindate``/``maxdate``/``datetype``, and PubMed's paging cap as an ``<ERROR>``) and
``efetch.fcgi`` (from the history server or by an ID list, GET or POST; a long GET is a 414),
over corpora replayed from the real PubMed XML in ``../shared/data/entrez/`` or generated
(tens of thousands of records with publication dates spread over years). Faults are injected
on request: 429 with Retry-After, 500/502/503, slow answers, connection resets, truncated XML,
HTML pages, ``<ERROR>`` elements and NCBI's rate-limit JSON in a 200.

Use it as a context manager::

    with serve(corpus=synthetic_corpus(25_000), faults=Faults(rate=0.2)) as server:
        client = EutilsClient(base_url=server.base_url, ...)
        ...
        server.stats.requests  # what the client cost

Every wait is bounded (``slow_seconds``, and shutdown wakes them) and the port is chosen by
the OS, so parallel test runs never collide.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree

SHARED_ENTREZ = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "entrez"

#: Every fault the server can inject.
ALL_FAULTS = (
    "429",
    "500",
    "502",
    "503",
    "slow",
    "reset",
    "truncated",
    "html",
    "error",
    "ratelimit_json",
)

ESEARCH_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
#: PubMed's own words when ``retstart`` passes the cap (seen from eutils.ncbi.nlm.nih.gov).
CAP_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
    "ESearch can only retrieve the first 9,999 records matching the query. To obtain more than "
    "9,999 PubMed records, consider using EDirect that contains additional logic to batch "
    "PubMed search results automatically so that an arbitrary number can be retrieved. For "
    "details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ARTICLE = re.compile(rb"<Pubmed(?:Book)?Article>.*?</Pubmed(?:Book)?Article>", re.DOTALL)
_MAX_GET_URL = 4000


@dataclass(frozen=True)
class Article:
    """One record the server knows: its PMID, its dates (any may match a range) and its XML."""

    pmid: str
    dates: tuple[date, ...]
    xml: bytes


@dataclass
class Corpus:
    """The records one query finds, newest first (PubMed's default ESearch order)."""

    articles: list[Article]
    translation: str = ""

    def __post_init__(self) -> None:
        self.articles.sort(key=lambda a: (max(a.dates), int(a.pmid)), reverse=True)

    def search(self, lo: date | None, hi: date | None) -> list[str]:
        if lo is None and hi is None:
            return [a.pmid for a in self.articles]
        lo = lo or date(1, 1, 1)
        hi = hi or date(9999, 12, 31)
        return [a.pmid for a in self.articles if any(lo <= d <= hi for d in a.dates)]


def _synthetic_xml(pmid: int, day: date, electronic: date | None) -> bytes:
    article_date = (
        f'<ArticleDate DateType="Electronic"><Year>{electronic.year}</Year>'
        f"<Month>{electronic.month:02d}</Month><Day>{electronic.day:02d}</Day></ArticleDate>"
        if electronic
        else ""
    )
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}'
        f'</PMID><Article PubModel="Print"><Journal><ISSN IssnType="Electronic">1234-5678</ISSN>'
        f'<JournalIssue CitedMedium="Internet"><Volume>{day.year - 1900}</Volume>'
        f"<Issue>{day.month}</Issue><PubDate><Year>{day.year}</Year>"
        f"<Month>{_MONTHS[day.month - 1]}</Month><Day>{day.day:02d}</Day></PubDate>"
        f"</JournalIssue><Title>Journal of synthetic studies</Title>"
        f"<ISOAbbreviation>J Synth Stud</ISOAbbreviation></Journal>"
        f"<ArticleTitle>Synthetic study {pmid} of complete literature searches.</ArticleTitle>"
        f"<Pagination><MedlinePgn>{pmid % 900 + 1}-{pmid % 900 + 9}</MedlinePgn></Pagination>"
        f'<ELocationID EIdType="doi" ValidYN="Y">10.5555/synth.{pmid}</ELocationID>'
        f'<Abstract><AbstractText Label="BACKGROUND">Record {pmid} exists to be found.'
        f'</AbstractText><AbstractText Label="RESULTS">It was found once.</AbstractText>'
        f'</Abstract><AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Author{pmid % 97}'
        f"</LastName><ForeName>Ann</ForeName><Initials>A</Initials></Author></AuthorList>"
        f'<Language>eng</Language><PublicationTypeList><PublicationType UI="D016428">Journal '
        f"Article</PublicationType></PublicationTypeList>{article_date}</Article>"
        f"</MedlineCitation><PubmedData><PublicationStatus>ppublish</PublicationStatus>"
        f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f'<ArticleId IdType="doi">10.5555/synth.{pmid}</ArticleId></ArticleIdList>'
        f"</PubmedData></PubmedArticle>"
    ).encode()


def synthetic_corpus(
    n: int,
    *,
    first_year: int = 1990,
    last_year: int = 2025,
    first_pmid: int = 20_000_000,
    two_dates_every: int = 40,
) -> Corpus:
    """``n`` generated records, publication dates spread evenly and deterministically over
    ``first_year..last_year``. Every ``two_dates_every``-th record also has an electronic
    date 200 days earlier (PubMed's [dp] matches both), so date ranges can overlap."""
    start = date(first_year, 1, 1).toordinal()
    span = date(last_year, 12, 31).toordinal() - start + 1
    articles = []
    for i in range(n):
        day = date.fromordinal(start + (i * 7919) % span)
        electronic = None
        if two_dates_every and i % two_dates_every == 0:
            electronic = date.fromordinal(max(start, day.toordinal() - 200))
        dates = (day,) if electronic is None else (day, electronic)
        pmid = first_pmid + i
        articles.append(Article(str(pmid), dates, _synthetic_xml(pmid, day, electronic)))
    return Corpus(articles)


def _article_date(element: etree._Element) -> date:
    for path in (
        ".//JournalIssue/PubDate",
        ".//Book/PubDate",
        ".//ArticleDate",
        ".//PubMedPubDate[@PubStatus='pubmed']",
    ):
        node = element.find(path)
        if node is None:
            continue
        year = node.findtext("Year") or (node.findtext("MedlineDate") or "")[:4]
        if not year.isdigit():
            continue
        month_text = node.findtext("Month") or "1"
        month = _MONTHS.index(month_text[:3]) + 1 if month_text[:3] in _MONTHS else int(month_text)
        day_text = node.findtext("Day") or "1"
        return date(int(year), month, int(day_text))
    return date(2000, 1, 1)


def real_articles(entrez_dir: Path = SHARED_ENTREZ) -> list[Article]:
    """Every real ``<PubmedArticle>`` in the shared efetch files, byte for byte."""
    seen: dict[str, Article] = {}
    files = sorted((entrez_dir / "metapub" / "pmid_xml").glob("*.xml"))
    files += sorted((entrez_dir / "biopython" / "Entrez").glob("pubmed*.xml"))
    files += [entrez_dir / "metapub" / "pmid_28731372.xml"]
    for path in files:
        for match in _ARTICLE.finditer(path.read_bytes()):
            raw = match.group(0)
            element = etree.fromstring(raw, etree.XMLParser(resolve_entities=False))
            pmid = (element.findtext(".//PMID") or "").strip()
            if pmid and pmid not in seen:
                seen[pmid] = Article(pmid, (_article_date(element),), raw)
    return list(seen.values())


def real_corpus(entrez_dir: Path = SHARED_ENTREZ) -> Corpus:
    """The real records as one query's result set."""
    return Corpus(real_articles(entrez_dir))


@dataclass
class Faults:
    """Which requests fail and how.

    ``script`` gives the fault (or ``""`` for none) of the first requests in order; after it,
    each request fails with probability ``rate``, its kind drawn from ``kinds`` by a seeded
    generator, so a run is reproducible. Only ``endpoints`` are faulted.
    """

    script: Sequence[str] = ()
    rate: float = 0.0
    kinds: Sequence[str] = ALL_FAULTS
    seed: int = 0
    endpoints: Sequence[str] = ("esearch", "efetch")
    retry_after: str = "1"
    slow_seconds: float = 1.0

    def __post_init__(self) -> None:
        unknown = set(self.script) - set(ALL_FAULTS) - {""}
        unknown |= set(self.kinds) - set(ALL_FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s): {sorted(unknown)}")
        self._rng = random.Random(self.seed)
        self._index = 0

    def draw(self) -> str:
        index, self._index = self._index, self._index + 1
        if index < len(self.script):
            return self.script[index]
        if self.rate and self._rng.random() < self.rate:
            return self._rng.choice(list(self.kinds))
        return ""


@dataclass
class ServerStats:
    """What the server saw."""

    requests: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)
    log: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _History:
    queries: dict[str, list[str]] = field(default_factory=dict)


class EutilsServer:
    """State behind the HTTP handler: corpora, history server, faults and counters."""

    def __init__(
        self,
        *,
        corpora: Mapping[str, Corpus],
        faults: Faults | None,
        cap: int,
        canned: Mapping[str, bytes],
        html_page: bytes,
    ) -> None:
        self.corpora = dict(corpora)
        self.faults = faults or Faults()
        self.cap = cap
        self.canned = dict(canned)
        self.html_page = html_page
        self.stats = ServerStats()
        #: Answer history fetches as if the WebEnv had expired (NCBI drops them after hours).
        self.forget_history = False
        self.base_url = ""
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.histories: dict[str, _History] = {}
        self.by_pmid: dict[str, Article] = {}
        for corpus in self.corpora.values():
            for article in corpus.articles:
                self.by_pmid.setdefault(article.pmid, article)

    # -- E-utilities ----------------------------------------------------------------------

    def esearch(self, params: Mapping[str, str]) -> bytes:
        term = params.get("term", "").strip()
        if term in self.canned:
            return self.canned[term]
        retstart = int(params.get("retstart") or 0)
        retmax = int(params.get("retmax") or 20)
        if retstart > self.cap - 1:
            return ESEARCH_HEAD + _element("eSearchResult", _error(CAP_ERROR))
        corpus = self.corpora.get(term) or self.corpora.get("*")
        lo = _parse_date(params.get("mindate", ""), end=False)
        hi = _parse_date(params.get("maxdate", ""), end=True)
        if (lo is None) != (hi is None):
            return ESEARCH_HEAD + _element(
                "eSearchResult", _error("mindate and maxdate must be given together")
            )
        ids = corpus.search(lo, hi) if corpus else []
        history = b""
        if params.get("usehistory", "").lower() == "y":
            with self.lock:
                webenv = params.get("WebEnv") or f"MCID_{len(self.histories) + 1:08d}"
                store = self.histories.setdefault(webenv, _History())
                query_key = str(len(store.queries) + 1)
                store.queries[query_key] = ids
            history = f"<QueryKey>{query_key}</QueryKey><WebEnv>{webenv}</WebEnv>".encode()
        page = ids[retstart : retstart + max(0, min(retmax, self.cap - retstart))]
        translation = (corpus.translation if corpus and corpus.translation else "") or (
            f'"{term}"[All Fields]'
        )
        body = (
            f"<Count>{len(ids)}</Count><RetMax>{len(page)}</RetMax>"
            f"<RetStart>{retstart}</RetStart>".encode()
            + history
            + b"<IdList>\n"
            + b"".join(f"<Id>{pmid}</Id>\n".encode() for pmid in page)
            + b"</IdList><TranslationSet/><QueryTranslation>"
            + _escape(translation)
            + b"</QueryTranslation>"
        )
        return ESEARCH_HEAD + _element("eSearchResult", body)

    def efetch(self, params: Mapping[str, str]) -> bytes:
        if params.get("id"):
            ids = [p.strip() for p in params["id"].split(",") if p.strip()]
        elif params.get("WebEnv"):
            history = self.histories.get(params["WebEnv"])
            found = history.queries.get(params.get("query_key", "")) if history else None
            if self.forget_history:
                found = None
            if found is None:
                return EFETCH_HEAD + _element(
                    "eFetchResult", _error(f"Unable to obtain query #{params.get('query_key')}")
                )
            retstart = int(params.get("retstart") or 0)
            retmax = int(params.get("retmax") or 20)
            if retstart > self.cap - 1:
                return EFETCH_HEAD + _element("eFetchResult", _error(CAP_ERROR))
            ids = found[retstart : retstart + min(retmax, 10_000)]
        else:
            return EFETCH_HEAD + _element("eFetchResult", _error("Empty id list - nothing todo"))
        articles = [self.by_pmid[p].xml for p in ids if p in self.by_pmid]
        return (
            EFETCH_HEAD + b"<PubmedArticleSet>\n" + b"\n".join(articles) + b"\n</PubmedArticleSet>"
        )

    def error_body(self, endpoint: str) -> bytes:
        if endpoint == "esearch":
            return ESEARCH_HEAD + _element(
                "eSearchResult", _error("Search Backend failed: read timeout")
            )
        return EFETCH_HEAD + _element("eFetchResult", _error("Internal server error"))


def _element(tag: str, body: bytes) -> bytes:
    return f"<{tag}>".encode() + body + f"</{tag}>\n".encode()


def _error(message: str) -> bytes:
    return b"<ERROR>" + _escape(message) + b"</ERROR>"


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def _parse_date(text: str, *, end: bool) -> date | None:
    parts = [int(p) for p in re.split(r"[/-]", text.strip()) if p] if text.strip() else []
    if not parts:
        return None
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (12 if end else 1)
    if len(parts) > 2:
        return date(year, month, parts[2])
    if not end:
        return date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


class _Handler(BaseHTTPRequestHandler):
    server_version = "eutils-test/1.0"
    state: EutilsServer  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if len(self.path) > _MAX_GET_URL:
            self._send(414, b"<html><body>Request-URI Too Long</body></html>", "text/html")
            return
        query = urlsplit(self.path).query
        self._answer({k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        query = urlsplit(self.path).query
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        params.update({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
        self._answer(params)

    def _answer(self, params: dict[str, str]) -> None:
        state = self.state
        path = urlsplit(self.path).path
        folder, _, name = path.rpartition("/")
        endpoint = name.removesuffix(".fcgi") if folder == "/entrez/eutils" else path
        with state.lock:
            state.stats.requests += 1
            state.stats.by_endpoint[endpoint] += 1
            state.stats.times.append(time.monotonic())
            state.stats.log.append({"endpoint": endpoint, "method": self.command, **params})
            fault = state.faults.draw() if endpoint in state.faults.endpoints else ""
            if fault:
                state.stats.faults[fault] += 1
        if endpoint == "esearch":
            make = state.esearch
        elif endpoint == "efetch":
            make = state.efetch
        else:
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            return
        if fault == "reset":
            # SO_LINGER 0 makes close() send a TCP RST: the client sees a reset connection.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault in ("429", "ratelimit_json"):
            # NCBI's own body, which echoes the API key (or the caller's address).
            who = params.get("api_key") or self.client_address[0]
            body = json.dumps(
                {"error": "API rate limit exceeded", "api-key": who, "count": "4", "limit": "3"}
            ).encode()
            if fault == "429":
                retry = {"Retry-After": state.faults.retry_after}
                self._send(429, body, "application/json", retry)
            else:
                self._send(200, body, "application/json")
            return
        if fault in ("500", "502", "503"):
            page = f"<html><head><title>{fault} Server Error</title></head></html>".encode()
            self._send(int(fault), page, "text/html")
            return
        if fault == "html":
            self._send(200, state.html_page, "text/html")
            return
        if fault == "error":
            self._send(200, state.error_body(endpoint), "text/xml")
            return
        body = make(params)
        if fault == "truncated":
            body = body[: max(1, len(body) * 3 // 5)]
        if fault == "slow" and state.stopping.wait(state.faults.slow_seconds):
            return
        self._send(200, body, "text/xml; charset=UTF-8")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] = {}
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to tell it


def _default_html() -> bytes:
    real = SHARED_ENTREZ / "biopython" / "Entrez" / "pubmed3.html"
    if real.is_file():
        return real.read_bytes()
    return b"<html><head><title>Service unavailable</title></head><body></body></html>"


@contextlib.contextmanager
def serve(
    *,
    corpus: Corpus | Mapping[str, Corpus] | None = None,
    faults: Faults | None = None,
    cap: int = 9999,
    canned: Mapping[str, bytes] | None = None,
) -> Iterator[EutilsServer]:
    """Run the server on 127.0.0.1 (a free port) for the ``with`` block; yield its state.

    ``corpus`` answers every query; a mapping answers each term with its corpus (``"*"`` for
    any other term). ``canned`` maps a term to an ESearch body sent verbatim (a real reply).
    """
    if corpus is None:
        corpora: Mapping[str, Corpus] = {}
    elif isinstance(corpus, Corpus):
        corpora = {"*": corpus}
    else:
        corpora = corpus
    state = EutilsServer(
        corpora=corpora, faults=faults, cap=cap, canned=canned or {}, html_page=_default_html()
    )
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/entrez/eutils/"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
