"""A polite, complete and resumable PubMed search over NCBI E-utilities.

``EutilsClient`` makes the HTTP calls: every request is paced by a rate limiter shared by all
processes on the machine (3/s without an API key, 10/s with one), retried with backoff on 429,
5xx, timeouts, dropped connections and unusable bodies (truncated XML, an HTML page, an
``<ERROR>`` element, a rate-limit JSON in a 200), and cached as raw bytes keyed by endpoint and
parameters, so a rerun of an unchanged query sends nothing.

``search_pubmed`` runs one query: ESearch with the history server, splitting the query into
publication-date ranges when it finds more than ESearch pages through (9,999 IDs), proving that
the union of the ranges equals the count, then EFetch in batches.

Credentials come from ``NCBI_API_KEY``, ``NCBI_EMAIL`` and ``NCBI_TOOL``; they are sent to NCBI
in POST bodies (never in URLs, which HTTP libraries log) and never logged or cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import math
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from lxml import etree

from scoping.atomic import write_bytes_atomic, write_text_atomic
from scoping.errors import ScopingError
from scoping.pubmed_xml import iter_pubmed_xml
from scoping.records import Record

try:  # POSIX: a lock shared by every process on the machine
    import fcntl
except ImportError:  # pragma: no cover - Windows: pace within the process only
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("scoping.pubmed")

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
#: ESearch returns at most this many PubMed IDs per query (``retstart`` above 9998 is an error).
ESEARCH_CAP = 9999
#: EFetch returns at most this many records per request.
EFETCH_MAX = 10000
DEFAULT_BATCH = 1000
#: Requests per second NCBI allows without and with an API key.
RATE_NO_KEY, RATE_WITH_KEY = 3.0, 10.0
#: Lower and upper bounds of an unbounded publication-date range.
EARLIEST, LATEST = date(1000, 1, 1), date(3000, 12, 31)
#: Aim each date range at this share of the cap, so a skewed guess rarely needs a second split.
_SPLIT_FILL = 0.8
#: PubMed grows roughly exponentially; split points assume this e-folding time (days).
_GROWTH_DAYS = 20 * 365.25
#: Hard bound on the searches one query may take (date splitting is recursive).
_MAX_SEARCHES = 5000

_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
)
_ERROR_ELEMENT = re.compile(rb"<ERROR>\s*(.*?)\s*</ERROR>", flags=re.DOTALL)
_HISTORY_LOST = re.compile(r"unable to obtain query|webenv|query_key|history", re.IGNORECASE)
_HTML_TITLE = re.compile(rb"<title>\s*(.*?)\s*</title>", flags=re.IGNORECASE | re.DOTALL)
_DATE = re.compile(r"^(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?$")


# --------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class Credentials:
    """Who is asking: NCBI asks for an e-mail and a tool name; an API key raises the rate."""

    email: str = ""
    api_key: str = field(default="", repr=False)
    tool: str = "scoping"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """``NCBI_EMAIL``, ``NCBI_API_KEY`` and ``NCBI_TOOL`` from the environment."""
        env = os.environ if environ is None else environ
        return cls(
            email=env.get("NCBI_EMAIL", "").strip(),
            api_key=env.get("NCBI_API_KEY", "").strip(),
            tool=env.get("NCBI_TOOL", "").strip() or "scoping",
        )

    def params(self) -> dict[str, str]:
        out = {"tool": self.tool}
        if self.email:
            out["email"] = self.email
        if self.api_key:
            out["api_key"] = self.api_key
        return out


def resolve_base_url(
    base_url: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str:
    """``base_url`` if given, else ``SCOPING_EUTILS_URL``, else NCBI's; always ends in ``/``."""
    env = os.environ if environ is None else environ
    url = (base_url or "").strip() or env.get("SCOPING_EUTILS_URL", "").strip() or DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise ScopingError(
            f"E-utilities base URL '{url}' is not an http(s) URL",
            fix="set --base-url or SCOPING_EUTILS_URL to e.g. " + DEFAULT_BASE_URL,
        )
    return url if url.endswith("/") else url + "/"


# --------------------------------------------------------------------------- rate limit


class RateLimiter:
    """Spaces requests at least ``1/rate`` seconds apart across every process on the machine.

    The time of the next free slot lives in a small file guarded by ``flock``; each caller
    takes the next slot under the lock, then sleeps until it comes. Parallel Snakemake jobs
    therefore share one allowance instead of each taking the full rate.
    """

    def __init__(
        self,
        *,
        rate: float,
        path: str | Path,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.path = Path(path)
        self._clock = clock
        self._sleep = sleep
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.path, "a+", encoding="ascii") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                try:
                    stored = float(handle.read().strip() or 0.0)
                except ValueError:
                    stored = 0.0

                def store(value: float) -> None:
                    handle.seek(0)
                    handle.truncate()
                    handle.write(repr(value))
                    handle.flush()

                yield stored, store
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def wait(self) -> None:
        """Block until this process may send its next request."""
        with self._locked() as (next_free, store):
            now = self._clock()
            # A slot far in the future means a stale file (clock change): start afresh.
            if next_free - now > 3600:
                next_free = now
            slot = max(now, next_free)
            store(slot + self.interval)
        if slot > now:
            self._sleep(slot - now)

    def defer(self, seconds: float) -> None:
        """Push every process's next slot at least ``seconds`` into the future (after a 429)."""
        with self._locked() as (next_free, store):
            store(max(next_free, self._clock() + seconds))


def default_limiter_path(base_url: str) -> Path:
    """One pacing file per E-utilities host and user, in the system temp dir.

    Shared by every run of that user (another user's file could not be opened for writing).
    """
    host = urlsplit(base_url).netloc or base_url
    digest = hashlib.sha1(host.encode("utf-8")).hexdigest()[:16]
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"scoping-eutils-{user}-{digest}.pace"


# --------------------------------------------------------------------------- client


class ResponseProblem(Exception):
    """A response that cannot be used; ``retry`` says whether asking again may help."""

    def __init__(self, kind: str, detail: str = "", *, retry: bool = True) -> None:
        self.kind = kind
        self.detail = detail
        self.retry = retry
        self.retry_after: float | None = None
        super().__init__(f"{kind}: {detail}" if detail else kind)


@dataclass
class ClientStats:
    """What a client did: requests sent, answers served from the cache, retries and why."""

    http_requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    problems: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    body: bytes
    fetched_at: str
    from_cache: bool


def _check_common(body: bytes) -> None:
    """Reject bodies no E-utility means as data: JSON errors, HTML pages, ``<ERROR>``."""
    head = body[:1024].lstrip()
    if not head:
        raise ResponseProblem("empty response")
    if head.startswith(b"{"):
        try:
            message = str(json.loads(body.decode("utf-8", "replace")).get("error", ""))
        except (ValueError, AttributeError):
            message = "unreadable JSON"
        # Only the "error" field: NCBI's JSON also echoes the API key.
        kind = "rate limit (JSON)" if "rate limit" in message.lower() else "JSON error"
        raise ResponseProblem(kind, message[:200])
    lowered = head.lower()
    if lowered.startswith(b"<!doctype html") or b"<html" in lowered:
        title = _HTML_TITLE.search(body[:4096])
        raise ResponseProblem(
            "HTML page instead of XML",
            title.group(1).decode("utf-8", "replace")[:120] if title else "",
        )
    match = _ERROR_ELEMENT.search(body)
    if match and match.group(1).strip():
        message = match.group(1).decode("utf-8", "replace")
        lost = bool(_HISTORY_LOST.search(message))
        # An expired history cannot come back by asking again; the caller refetches by ID.
        raise ResponseProblem(
            "history lost" if lost else "ERROR element",
            " ".join(message.split())[:300],
            retry=not lost,
        )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        with contextlib.suppress(TypeError, ValueError):
            from email.utils import parsedate_to_datetime

            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    return None


class EutilsClient:
    """HTTP calls to E-utilities: paced, retried, validated and cached."""

    def __init__(
        self,
        *,
        base_url: str,
        credentials: Credentials | None = None,
        cache_dir: str | Path | None = None,
        refresh: bool = False,
        rate: float | None = None,
        limiter_path: str | Path | None = None,
        timeout: float = 60.0,
        retries: int = 6,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = resolve_base_url(base_url, environ={})
        self.credentials = credentials or Credentials()
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.refresh = refresh
        if rate is None:
            rate = RATE_WITH_KEY if self.credentials.api_key else RATE_NO_KEY
        self.limiter = RateLimiter(
            rate=rate, path=limiter_path or default_limiter_path(self.base_url), sleep=sleep
        )
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._session = session or requests.Session()
        self._jitter = random.Random()
        self.stats = ClientStats()

    def __repr__(self) -> str:
        return f"EutilsClient(base_url={self.base_url!r}, cache_dir={self.cache_dir!r})"

    def close(self) -> None:
        self._session.close()

    # -- cache ----------------------------------------------------------------------------

    def _cache_path(self, endpoint: str, key_params: Mapping[str, str]) -> Path | None:
        if self.cache_dir is None:
            return None
        canonical = json.dumps(
            {"endpoint": endpoint, "params": dict(sorted(key_params.items()))},
            sort_keys=True,
            ensure_ascii=True,
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        return self.cache_dir / endpoint / digest[:2] / f"{digest}.xml"

    def _scrub(self, text: str) -> str:
        key = self.credentials.api_key
        return text.replace(key, "***") if key else text

    def _read_cache(
        self, path: Path, validate: Callable[[bytes], Any]
    ) -> tuple[Any, Response] | None:
        if not path.is_file():
            return None
        body = path.read_bytes()
        try:
            parsed = validate(body)
        except ResponseProblem:
            log.warning("%s: cached response unusable, fetching again", path.name)
            return None
        self.stats.cache_hits += 1
        fetched_at = ""
        with contextlib.suppress(OSError, ValueError, LookupError, TypeError):
            fetched_at = json.loads(path.with_suffix(".json").read_text("utf-8"))["fetched_at"]
        return parsed, Response(body, fetched_at, True)

    @staticmethod
    def _write_cache(path: Path, body: bytes, fetched_at: str) -> None:
        write_bytes_atomic(path, body)
        # When PubMed answered: a rerun served from the cache reports the original date.
        write_text_atomic(path.with_suffix(".json"), json.dumps({"fetched_at": fetched_at}))

    # -- one call -------------------------------------------------------------------------

    def call(
        self,
        endpoint: str,
        params: Mapping[str, str],
        *,
        validate: Callable[[bytes], Any],
        cache_params: Mapping[str, str] | None = None,
    ) -> tuple[Any, Response]:
        """POST ``params`` to ``<base>/<endpoint>.fcgi``; return ``(validate(body), response)``.

        ``cache_params`` (default ``params``) key the cache: pass them when ``params`` hold
        something that changes between runs for the same answer (a WebEnv).
        """
        cache_path = self._cache_path(
            endpoint, cache_params if cache_params is not None else params
        )
        if cache_path is not None and not self.refresh:
            cached = self._read_cache(cache_path, validate)
            if cached is not None:
                return cached

        url = f"{self.base_url}{endpoint}.fcgi"
        data = {**params, **self.credentials.params()}
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            self.limiter.wait()
            problem: ResponseProblem
            try:
                self.stats.http_requests += 1
                reply = self._session.post(url, data=data, timeout=self.timeout)
                body = reply.content
            except requests.Timeout:
                problem = ResponseProblem("timeout", f"no answer within {self.timeout:g} s")
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                problem = ResponseProblem("connection error", type(error).__name__)
            else:
                if reply.status_code == 200:
                    try:
                        parsed = validate(body)
                    except ResponseProblem as bad:
                        problem = bad
                    else:
                        fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat()
                        if cache_path is not None:
                            self._write_cache(cache_path, body, fetched_at)
                        return parsed, Response(body, fetched_at, False)
                elif reply.status_code == 429 or reply.status_code >= 500:
                    problem = ResponseProblem(f"HTTP {reply.status_code}")
                    problem.retry_after = _retry_after(reply.headers)
                else:
                    detail = ""
                    try:
                        _check_common(body)
                    except ResponseProblem as described:
                        detail = described.detail
                    raise ScopingError(
                        self._scrub(
                            f"{endpoint} answered HTTP {reply.status_code} {reply.reason} {detail}"
                        ).strip(),
                        fix="check the query, NCBI_API_KEY and the E-utilities base URL.",
                    )
            self.stats.problems[problem.kind] = self.stats.problems.get(problem.kind, 0) + 1
            if not problem.retry and "WebEnv" in params:
                raise problem
            if attempt == attempts:
                raise ScopingError(
                    self._scrub(f"{endpoint} failed {attempts} times; last problem: {problem}"),
                    fix="try again later (NCBI may be busy), or check the base URL and network.",
                )
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            delay *= 1 + 0.25 * self._jitter.random()
            if problem.retry_after is not None:
                delay = min(self.max_retry_after, problem.retry_after)
            if problem.kind.startswith(("HTTP 429", "rate limit")):
                # Everyone on this machine is over the limit, not just this process.
                self.limiter.defer(delay)
            log.warning(
                "%s: %s; retry %d of %d in %.1f s",
                endpoint,
                self._scrub(str(problem)),
                attempt,
                self.retries,
                delay,
            )
            self.stats.retries += 1
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- ESearch / EFetch


@dataclass(frozen=True)
class SearchPage:
    """One ESearch answer."""

    count: int
    ids: tuple[str, ...]
    query_translation: str
    webenv: str
    query_key: str
    fetched_at: str
    from_cache: bool
    notes: tuple[str, ...] = ()
    mindate: date | None = None
    maxdate: date | None = None


def parse_esearch(body: bytes, *, retstart: int = 0, retmax: int = ESEARCH_CAP) -> dict[str, Any]:
    """Fields of an ESearch XML answer; raises ``ResponseProblem`` when it is unusable."""
    _check_common(body)
    try:
        root = etree.fromstring(body, _XML_PARSER)
    except etree.XMLSyntaxError as error:
        raise ResponseProblem("malformed or truncated XML", error.msg) from None
    if root.tag != "eSearchResult":
        raise ResponseProblem("unexpected XML", f"root element <{root.tag}>")
    count_text = root.findtext("Count")
    if count_text is None or not count_text.strip().isdigit():
        raise ResponseProblem("ESearch answer without a Count")
    count = int(count_text)
    ids = tuple(i.text.strip() for i in root.iterfind("IdList/Id") if i.text)
    expected = max(0, min(retmax, count - retstart))
    if len(ids) != expected:
        # NCBI's backend sometimes answers with fewer IDs than it counts; asking again helps.
        raise ResponseProblem("incomplete ID list", f"{len(ids)} IDs where {expected} were due")
    return {
        "count": count,
        "ids": ids,
        "query_translation": " ".join((root.findtext("QueryTranslation") or "").split()),
        "webenv": (root.findtext("WebEnv") or "").strip(),
        "query_key": (root.findtext("QueryKey") or "").strip(),
        # PubMed ran the query without these parts (PhraseNotFound, FieldNotFound...):
        # the reviewer must know, since the log shows the query as written.
        "notes": tuple(
            f"{node.tag}: {' '.join((node.text or '').split())}"
            for node in root.iterfind("ErrorList/*")
        ),
    }


def parse_efetch(body: bytes, *, source: str, source_type: str) -> list[Record]:
    """Records of an EFetch PubMed XML answer; raises ``ResponseProblem`` when unusable."""
    _check_common(body)
    try:
        return list(iter_pubmed_xml(io.BytesIO(body), source=source, source_type=source_type))
    except ScopingError as error:
        raise ResponseProblem("malformed or truncated XML", error.message) from None


def _fmt(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def parse_date_limit(text: str, *, end: bool, option: str) -> date | None:
    """``YYYY``, ``YYYY/MM`` or ``YYYY/MM/DD`` as a date (the last day of it when ``end``)."""
    text = (text or "").strip()
    if not text:
        return None
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError
        year, month, day = int(match[1]), match[2], match[3]
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            first = date(year, int(month), 1)
            if not end:
                return first
            following = date(year + (first.month == 12), first.month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        return date(year, int(month), int(day))
    except ValueError:
        raise ScopingError(
            f"{option} '{text}' is not a date",
            column=option,
            fix="write it as YYYY/MM/DD (or YYYY/MM, or YYYY).",
        ) from None


def guess_start(lo: date, end: date, share: float, *, today: date) -> date:
    """Start of the newest range ``start..end`` expected to hold ``share`` of the records in
    ``lo..end``, assuming PubMed's exponential growth and (almost) nothing dated after today."""
    a, e = lo.toordinal(), end.toordinal()
    b = min(e, today.toordinal())
    if b <= a:
        b = e
    f_a = math.exp((a - b) / _GROWTH_DAYS)
    share = min(max(share, 0.0), 1.0)
    start = round(b + _GROWTH_DAYS * math.log(1.0 - share * (1.0 - f_a)))
    return date.fromordinal(min(max(start, a), e))


@dataclass
class SearchResult:
    """One PubMed query, run: what PubMed reported and what was fetched."""

    query: str
    query_translation: str
    count: int
    pmids: list[str]
    records: list[Record]
    date_run: str
    searches: int
    missing: list[str] = field(default_factory=list)


class PubmedSearch:
    """Runs one query through a client: ESearch (split by date when needed), then EFetch."""

    def __init__(
        self,
        *,
        client: EutilsClient,
        query: str,
        mindate: date | None = None,
        maxdate: date | None = None,
        datetype: str = "pdat",
        cap: int = ESEARCH_CAP,
        today: date | None = None,
    ) -> None:
        if not query.strip():
            raise ScopingError(
                "the PubMed query is empty", fix="give a query, e.g. 'malaria[tiab]'."
            )
        self.client = client
        self.query = query
        self.mindate = mindate
        self.maxdate = maxdate
        self.datetype = datetype
        self.cap = cap
        self.today = today or datetime.now(UTC).date()
        self.searches = 0

    def esearch(self, *, lo: date | None, hi: date | None, retmax: int) -> SearchPage:
        # sort=pub_date makes the order (and so --max-records) newest first, whatever
        # PubMed's default order is at the time.
        params = {
            "db": "pubmed",
            "term": self.query,
            "retmax": str(retmax),
            "retstart": "0",
            "sort": "pub_date",
        }
        if lo is not None or hi is not None:
            params.update(
                datetype=self.datetype,
                mindate=_fmt(lo or EARLIEST),
                maxdate=_fmt(hi or LATEST),
            )
        params["usehistory"] = "y"
        self.searches += 1
        if self.searches > _MAX_SEARCHES:
            raise ScopingError(
                f"date splitting took more than {_MAX_SEARCHES} searches",
                fix="narrow the query or its date range.",
            )
        fields, response = self.client.call(
            "esearch", params, validate=lambda body: parse_esearch(body, retmax=retmax)
        )
        return SearchPage(
            **fields,
            fetched_at=response.fetched_at,
            from_cache=response.from_cache,
            mindate=lo,
            maxdate=hi,
        )

    def _leaves(self, page: SearchPage, lo: date, hi: date) -> list[SearchPage]:
        """Search pages, newest first, whose ID lists are complete and together cover ``lo..hi``.

        Walks back from ``hi`` in ranges aimed at 80% of the cap: the first sized by PubMed's
        growth, each next one by the density of records in the range just searched. A range
        still above the cap is walked in turn (recursion ends at a single day).
        """
        if page.count <= self.cap:
            return [page]
        if lo >= hi:
            raise ScopingError(
                f"{page.count} records carry the publication date {_fmt(lo)}, more than "
                f"ESearch pages through ({self.cap})",
                fix="narrow the query (add a filter) so one day holds fewer records.",
            )
        target = self.cap * _SPLIT_FILL
        # Few records carry a date after today: days beyond it do not dilute the density.
        horizon = self.today.toordinal()
        leaves: list[SearchPage] = []
        remaining = page.count
        a, end = lo.toordinal(), hi.toordinal()
        start = guess_start(lo, hi, target / remaining, today=self.today).toordinal()
        while True:
            if remaining <= target:
                start = a  # what is left fits: sweep it in one range
            if start <= a and end == hi.toordinal():
                start = a + (end - a + 1) // 2  # never search the whole range again
            start = min(max(start, a), end)
            sub_lo, sub_hi = date.fromordinal(start), date.fromordinal(end)
            sub = self.esearch(lo=sub_lo, hi=sub_hi, retmax=self.cap)
            leaves.extend(self._leaves(sub, sub_lo, sub_hi))
            if start == a:
                return leaves
            remaining -= sub.count
            days_seen = max(0, min(end, horizon) - start + 1)
            if sub.count and days_seen:
                width = max(1, round(target * days_seen / sub.count))
            else:
                width = max(4 * days_seen, 365)  # nothing here: look further back, faster
            end = start - 1
            start = end - width + 1

    def run(
        self,
        *,
        max_records: int | None = None,
        batch_size: int = DEFAULT_BATCH,
        source: str = "pubmed",
        source_type: str = "database",
        progress: Callable[[int, int], None] | None = None,
    ) -> SearchResult:
        """Search, split by date when needed, fetch every record (or the first ``max_records``)."""
        if not 1 <= batch_size <= EFETCH_MAX:
            raise ScopingError(
                f"batch size {batch_size} is outside 1..{EFETCH_MAX}",
                fix=f"use at most {EFETCH_MAX} records per EFetch request.",
            )
        if max_records is not None and max_records < 0:
            raise ScopingError("max_records is negative", fix="give 0 or more, or leave it empty.")
        first_max = self.cap if max_records is None else min(self.cap, max_records)
        top = self.esearch(lo=self.mindate, hi=self.maxdate, retmax=first_max)
        for note in top.notes:
            log.warning("pubmed: PubMed reports %s (translation: %s)", note, top.query_translation)
        wanted = top.count if max_records is None else min(top.count, max_records)
        if wanted <= len(top.ids):
            leaves = [top]
        else:
            # Newest ranges first, matching ESearch's own most-recent-first order.
            leaves = self._leaves(top, self.mindate or EARLIEST, self.maxdate or LATEST)
        pmids = list(dict.fromkeys(pmid for leaf in leaves for pmid in leaf.ids))
        if max_records is None and len(pmids) != top.count:
            raise ScopingError(
                f"the date ranges found {len(pmids)} distinct PMIDs where PubMed counts "
                f"{top.count} for the whole query (PubMed changed during the run?)",
                fix="run the search again with --refresh.",
            )
        pmids = pmids[:wanted]
        log.info(
            "pubmed: %d found, fetching %d in %d date range(s) with %d search(es)",
            top.count,
            len(pmids),
            len(leaves),
            self.searches,
        )
        fetcher = _Fetcher(
            client=self.client,
            wanted=pmids,
            batch_size=batch_size,
            source=source,
            source_type=source_type,
            progress=progress,
        )
        if len(leaves) == 1:
            fetcher.fetch_page(leaves[0])
        else:
            # Date ranges hold uneven, overlapping ID lists: batching the union by ID fills
            # every request, where per-range history batches would leave many part-empty.
            fetcher.fetch_ids(pmids)
        missing = fetcher.fetch_missing()
        if missing:
            log.warning(
                "pubmed: %d PMID(s) found by ESearch were not returned by EFetch: %s",
                len(missing),
                ", ".join(missing[:10]),
            )
        records = [fetcher.records[p] for p in pmids if p in fetcher.records]
        for rec in records:
            rec.retrieved_at = top.fetched_at
        return SearchResult(
            query=self.query,
            query_translation=top.query_translation,
            count=top.count,
            pmids=pmids,
            records=records,
            date_run=top.fetched_at,
            searches=self.searches,
            missing=missing,
        )


class _Fetcher:
    """EFetch in batches: from the history server where it is fresh, else by POSTed IDs."""

    def __init__(
        self,
        *,
        client: EutilsClient,
        wanted: Sequence[str],
        batch_size: int,
        source: str,
        source_type: str,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.client = client
        self.wanted = set(wanted)
        self.total = len(self.wanted)
        self.batch_size = batch_size
        self.source = source
        self.source_type = source_type
        self.progress = progress
        self.records: dict[str, Record] = {}
        self.tried: set[str] = set()

    def _store(self, records: list[Record]) -> None:
        for rec in records:
            if rec.pmid in self.wanted and rec.pmid not in self.records:
                self.records[rec.pmid] = rec
        if self.progress is not None:
            self.progress(len(self.records), self.total)

    def _efetch(
        self, ids: Sequence[str], *, history: tuple[str, str, int] | None = None
    ) -> list[Record]:
        params = {"db": "pubmed", "retmode": "xml", "rettype": "abstract"}
        if history is None:
            params["id"] = ",".join(ids)
        else:
            webenv, query_key, retstart = history
            params.update(
                WebEnv=webenv, query_key=query_key, retstart=str(retstart), retmax=str(len(ids))
            )
        # Keyed by the IDs, not the WebEnv: a rerun or a resumed run finds the batch whatever
        # way it was fetched before.
        key = {
            "db": "pubmed",
            "rettype": "abstract",
            "ids": hashlib.sha256(",".join(sorted(ids)).encode()).hexdigest(),
        }
        records, _ = self.client.call(
            "efetch",
            params,
            cache_params=key,
            validate=lambda body: parse_efetch(
                body, source=self.source, source_type=self.source_type
            ),
        )
        return records

    def fetch_page(self, page: SearchPage) -> None:
        ids = [p for p in page.ids if p in self.wanted]
        # A WebEnv read back from the cache has long expired: fetch such pages by ID.
        use_history = bool(page.webenv and page.query_key and not page.from_cache)
        for start in range(0, len(ids), self.batch_size):
            batch = ids[start : start + self.batch_size]
            todo = [p for p in batch if p not in self.records and p not in self.tried]
            if not todo:
                continue
            self.tried.update(todo)
            records: list[Record] | None = None
            if use_history and len(todo) == len(batch) and ids == list(page.ids[: len(ids)]):
                try:
                    records = self._efetch(batch, history=(page.webenv, page.query_key, start))
                except ResponseProblem as problem:
                    log.info("efetch: %s; fetching by ID instead", problem)
                    use_history = False
            if records is None:
                records = self._efetch(todo)
            self._store(records)

    def fetch_ids(self, pmids: Sequence[str]) -> None:
        """Fetch by POSTed ID lists, ``batch_size`` at a time."""
        for start in range(0, len(pmids), self.batch_size):
            self._store(self._efetch(pmids[start : start + self.batch_size]))

    def fetch_missing(self) -> list[str]:
        """Ask once more, by ID, for what no batch returned; the PMIDs still missing."""
        self.fetch_ids(sorted(self.wanted - set(self.records), key=int))
        return sorted(self.wanted - set(self.records), key=int)


def compose_query(query: str, filters: str | Sequence[str] = ()) -> str:
    """``query`` ANDed with PubMed filters (``english[lang]``...); the query alone without any.

    ``filters`` is PubMed syntax as one string, a JSON list of strings, or a sequence.
    """
    if isinstance(filters, str):
        text = filters.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                raise ScopingError(
                    f"--filters '{text}' is not a JSON list",
                    column="--filters",
                    fix='write e.g. ["english[lang]", "humans[mh]"] or plain PubMed syntax.',
                ) from None
        else:
            items = [text]
    else:
        items = list(filters)
    parts = [str(f).strip() for f in items if str(f).strip()]
    if not parts:
        return query
    return " AND ".join([f"({query.strip()})", *(f"({f})" for f in parts)])


def search_pubmed(
    *,
    client: EutilsClient,
    query: str,
    mindate: str = "",
    maxdate: str = "",
    max_records: int | None = None,
    batch_size: int = DEFAULT_BATCH,
    source: str = "pubmed",
    source_type: str = "database",
    progress: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Run one PubMed query and fetch its records (see ``PubmedSearch``)."""
    lo = parse_date_limit(mindate, end=False, option="--mindate")
    hi = parse_date_limit(maxdate, end=True, option="--maxdate")
    if lo and hi and lo > hi:
        raise ScopingError(
            f"--mindate {mindate} is after --maxdate {maxdate}", fix="swap or correct the dates."
        )
    search = PubmedSearch(client=client, query=query, mindate=lo, maxdate=hi)
    return search.run(
        max_records=max_records,
        batch_size=batch_size,
        source=source,
        source_type=source_type,
        progress=progress,
    )
