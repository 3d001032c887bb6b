"""The E-utilities client and PubMed search against the local test server."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from eutils_server import (
    ALL_FAULTS,
    Article,
    Corpus,
    Faults,
    real_corpus,
    serve,
    synthetic_corpus,
)
from pubmed_helpers import SleepLog, fast_client

from scoping.errors import ScopingError
from scoping.eutils import (
    Credentials,
    EutilsClient,
    PubmedSearch,
    guess_start,
    parse_date_limit,
    resolve_base_url,
    search_pubmed,
)

BIG = 25_000


@pytest.fixture(scope="module")
def big_corpus() -> Corpus:
    return synthetic_corpus(BIG)


@pytest.fixture(scope="module")
def real() -> Corpus:
    return real_corpus()


@pytest.fixture(scope="module")
def few_real(real: Corpus) -> Corpus:
    """Thirty real articles, oldest to newest: enough for a search and two fetch batches."""
    return Corpus(real.articles[::5][:30])


@pytest.fixture(scope="module")
def big_clean(big_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("clean")
    with serve(corpus=big_corpus) as server:
        client = fast_client(server.base_url, tmp)
        result = search_pubmed(client=client, query="synthetic[tiab]")
        return {"result": result, "server": server.stats, "client": client.stats}


def rows(records: list) -> list[dict[str, str]]:
    out = []
    for rec in records:
        row = rec.to_row()
        row.pop("retrieved_at")
        out.append(row)
    return out


def test_query_above_the_cap_returns_every_record_once(big_corpus: Corpus, big_clean: dict) -> None:
    result = big_clean["result"]
    assert result.count == BIG
    assert len(result.pmids) == BIG
    assert set(result.pmids) == {a.pmid for a in big_corpus.articles}
    assert [r.pmid for r in result.records] == result.pmids
    assert len({r.record_id for r in result.records}) == BIG
    # Splitting happened (one query, then date ranges), and no page went past the cap.
    server = big_clean["server"]
    assert result.searches == server.by_endpoint["esearch"] > 2
    assert all(int(e.get("retstart", 0)) <= 9998 for e in server.log if e["endpoint"] == "esearch")
    date_searches = [e for e in server.log if e["endpoint"] == "esearch" and "mindate" in e]
    assert date_searches and all(e["datetype"] == "pdat" for e in date_searches)
    # The first record's fields came through.
    first = result.records[0]
    assert first.doi == f"10.5555/synth.{first.pmid}"
    assert first.abstract.startswith("BACKGROUND: Record")


def test_faults_on_a_fifth_of_requests_change_nothing(
    big_corpus: Corpus, big_clean: dict, tmp_path: Path
) -> None:
    faults = Faults(rate=0.2, seed=7, retry_after="0", slow_seconds=2.5)
    with serve(corpus=big_corpus, faults=faults) as server:
        client = fast_client(server.base_url, tmp_path, timeout=1.0, retries=8)
        result = search_pubmed(client=client, query="synthetic[tiab]")
        stats = server.stats
    assert result.pmids == big_clean["result"].pmids
    assert rows(result.records) == rows(big_clean["result"].records)
    injected = sum(stats.faults.values())
    assert injected >= 0.1 * stats.requests
    assert client.stats.retries >= injected  # (a loaded machine may add a timeout)
    assert len(stats.faults) >= 5  # a mix of kinds, not one


@pytest.mark.parametrize("fault", ALL_FAULTS)
@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
def test_each_fault_is_retried_and_leaves_no_trace(
    fault: str, endpoint: str, few_real: Corpus, tmp_path: Path
) -> None:
    # Request 1 is the ESearch, request 2 the first EFetch.
    script = [fault] if endpoint == "esearch" else ["", fault]
    faults = Faults(script=script, retry_after="7", slow_seconds=3.0)
    sleeps = SleepLog()
    with serve(corpus=few_real, faults=faults) as server:
        client = fast_client(
            server.base_url, tmp_path, timeout=1.0, sleep=sleeps, max_retry_after=60.0
        )
        result = search_pubmed(client=client, query="anything", batch_size=20)
        assert server.stats.faults == {fault: 1}
    assert result.count == len(few_real.articles) == 30
    assert sorted(r.pmid for r in result.records) == sorted(a.pmid for a in few_real.articles)
    assert client.stats.retries == 1
    if fault == "429":
        assert 7.0 in sleeps.calls  # Retry-After honoured
    else:
        assert 7.0 not in sleeps.calls


def test_persistent_error_is_reported_clearly(real: Corpus, tmp_path: Path) -> None:
    with serve(corpus=real, faults=Faults(rate=1.0, kinds=["error"])) as server:
        client = fast_client(server.base_url, tmp_path, retries=2)
        with pytest.raises(ScopingError, match=r"esearch failed 3 times.*Search Backend failed"):
            search_pubmed(client=client, query="anything")
        assert server.stats.requests == 3


def test_client_error_status_is_not_retried(real: Corpus, tmp_path: Path) -> None:
    with serve(corpus=real) as server:
        client = fast_client(server.base_url.replace("/eutils/", "/nothing/x/"), tmp_path)
        with pytest.raises(ScopingError, match="HTTP 404"):
            search_pubmed(client=client, query="anything")
        assert server.stats.requests == 1


def test_expired_history_falls_back_to_ids(real: Corpus, tmp_path: Path) -> None:
    with serve(corpus=real) as server:
        server.forget_history = True
        client = fast_client(server.base_url, tmp_path)
        result = search_pubmed(client=client, query="anything", batch_size=100)
        fetches = [e for e in server.stats.log if e["endpoint"] == "efetch"]
    assert len(result.records) == 172
    assert "WebEnv" in fetches[0] and all("id" in e for e in fetches[1:])
    assert client.stats.retries == 0  # an expired history is not retried, it is worked around


def test_history_is_used_when_fresh(real: Corpus, tmp_path: Path) -> None:
    with serve(corpus=real) as server:
        client = fast_client(server.base_url, tmp_path)
        result = search_pubmed(client=client, query="anything", batch_size=50)
        fetches = [e for e in server.stats.log if e["endpoint"] == "efetch"]
    assert len(result.records) == 172
    assert [e["retstart"] for e in fetches] == ["0", "50", "100", "150"]
    assert all(e["method"] == "POST" and "id" not in e for e in fetches)


def test_cache_rerun_refresh_and_changed_query(real: Corpus, tmp_path: Path) -> None:
    corpora = {"*": real, "other query": synthetic_corpus(30)}
    with serve(corpus=corpora) as server:
        first = search_pubmed(client=fast_client(server.base_url, tmp_path, cache=True), query="q")
        sent = server.stats.requests
        again_client = fast_client(server.base_url, tmp_path, cache=True)
        again = search_pubmed(client=again_client, query="q")
        assert server.stats.requests == sent  # nothing fetched
        assert again_client.stats.cache_hits == sent
        assert rows(again.records) == rows(first.records)
        assert again.date_run == first.date_run  # the log keeps when the search really ran

        other = search_pubmed(
            client=fast_client(server.base_url, tmp_path, cache=True), query="other query"
        )
        assert len(other.records) == 30
        assert server.stats.requests == sent + 2  # its own search and fetch only

        refresh = fast_client(server.base_url, tmp_path, cache=True, refresh=True)
        search_pubmed(client=refresh, query="q")
        assert refresh.stats.cache_hits == 0 and refresh.stats.http_requests == sent


def test_interrupted_run_resumes_from_the_cache(real: Corpus, tmp_path: Path) -> None:
    # The third EFetch fails past its retries: the run stops, having cached two batches.
    faults = Faults(script=["", "", "", "503", "503"])
    with serve(corpus=real, faults=faults) as server:
        broken = fast_client(server.base_url, tmp_path, cache=True, retries=1)
        with pytest.raises(ScopingError, match="HTTP 503"):
            search_pubmed(client=broken, query="q", batch_size=50)
        before = server.stats.requests
        resumed = fast_client(server.base_url, tmp_path, cache=True)
        result = search_pubmed(client=resumed, query="q", batch_size=50)
        new = server.stats.log[before:]
    assert len(result.records) == 172
    assert resumed.stats.cache_hits == 3  # the search and two batches
    # Only the two missing batches were fetched, by ID (the cached WebEnv is stale).
    assert [e["endpoint"] for e in new] == ["efetch", "efetch"]
    assert all("id" in e for e in new)


def test_max_records_fetches_the_newest(tmp_path: Path) -> None:
    corpus = synthetic_corpus(300)
    with serve(corpus=corpus) as server:
        result = search_pubmed(
            client=fast_client(server.base_url, tmp_path), query="q", max_records=40
        )
    assert result.count == 300
    assert result.pmids == [a.pmid for a in corpus.articles[:40]]
    assert len(result.records) == 40


def test_date_walk_with_a_burst_and_a_small_cap(tmp_path: Path) -> None:
    """A server cap of 100 on 2,100 records: 1,500 spread over 2000-2024 and 600 in 2012
    alone, so a range sized by the density around it overflows and is walked again."""
    spread = synthetic_corpus(1500, first_year=2000, last_year=2024).articles
    burst = synthetic_corpus(600, first_year=2012, last_year=2012, first_pmid=30_000_000)
    corpus = Corpus(spread + burst.articles)
    with serve(corpus=corpus, cap=100) as server:
        search = PubmedSearch(client=fast_client(server.base_url, tmp_path), query="q", cap=100)
        result = search.run(batch_size=500)
        ranges = [
            (date(*map(int, e["mindate"].split("/"))), date(*map(int, e["maxdate"].split("/"))))
            for e in server.stats.log
            if e["endpoint"] == "esearch" and "mindate" in e
        ]
        searches = search.searches
        capped = search.run(max_records=150, batch_size=500)
        ranged = PubmedSearch(
            client=fast_client(server.base_url, tmp_path),
            query="q",
            mindate=date(2011, 1, 1),
            maxdate=date(2013, 6, 30),
            cap=100,
        ).run()
    assert result.count == 2100 and sorted(result.pmids) == sorted(a.pmid for a in corpus.articles)
    assert len(set(result.pmids)) == len(result.pmids) == len(result.records)
    assert any(len(corpus.search(lo, hi)) > 100 for lo, hi in ranges)  # some range overflowed
    assert len(ranges) == searches - 1 < 2 * math.ceil(2100 / 100)
    assert capped.pmids == result.pmids[:150]
    assert sorted(ranged.pmids) == sorted(corpus.search(date(2011, 1, 1), date(2013, 6, 30)))


def test_one_day_above_the_cap_is_an_error(tmp_path: Path) -> None:
    same_day = [Article(str(100 + i), (date(2020, 5, 5),), b"") for i in range(12)]
    with serve(corpus=Corpus(same_day), cap=10) as server:
        search = PubmedSearch(client=fast_client(server.base_url, tmp_path), query="q", cap=10)
        with pytest.raises(ScopingError, match="12 records carry the publication date 2020/05/05"):
            search.run()


def test_union_short_of_the_count_is_an_error(tmp_path: Path) -> None:
    # One record has no usable date: the whole query counts it, no date range finds it.
    articles = [Article(str(100 + i), (date(2000 + i, 1, 1),), b"") for i in range(12)]
    articles.append(Article("999", (date(1, 1, 1),), b""))
    with serve(corpus=Corpus(articles), cap=10) as server:
        search = PubmedSearch(client=fast_client(server.base_url, tmp_path), query="q", cap=10)
        with pytest.raises(ScopingError, match="12 distinct PMIDs where PubMed counts 13"):
            search.run()


def test_zero_results_from_a_real_reply(shared_data: Path, tmp_path: Path, caplog) -> None:
    reply = (shared_data / "entrez" / "biopython" / "Entrez" / "esearch8.xml").read_bytes()
    with serve(corpus=real_corpus(), canned={"abcXYZ": reply}) as server:
        result = search_pubmed(client=fast_client(server.base_url, tmp_path), query="abcXYZ")
        assert server.stats.by_endpoint == {"esearch": 1}
    assert (result.count, result.records) == (0, [])
    assert result.query_translation == "(abcXYZ[All Fields])"
    assert "PubMed reports PhraseNotFound: abcXYZ" in caplog.text


def test_rate_limit_is_shared_across_processes(tmp_path: Path) -> None:
    """Two processes at 20 requests/s each would finish in half the time if each kept its own
    allowance; sharing one, 20 requests cannot span less than 19 intervals."""
    n, rate = 10, 20.0
    corpus = synthetic_corpus(5)
    script = textwrap.dedent(
        """
        import sys, time
        from scoping.eutils import EutilsClient, PubmedSearch
        base, pace, start, n, rate = sys.argv[1:6]
        client = EutilsClient(base_url=base, rate=float(rate), limiter_path=pace)
        time.sleep(max(0.0, float(start) - time.time()))
        for _ in range(int(n)):
            PubmedSearch(client=client, query="q").esearch(lo=None, hi=None, retmax=5)
        """
    )
    with serve(corpus=corpus) as server:
        start = time.time() + 1.5
        args = [server.base_url, str(tmp_path / "pace"), str(start), str(n), str(rate)]
        procs = [
            subprocess.Popen([sys.executable, "-c", script, *args], stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err.decode()
        times = sorted(server.stats.times)
    assert len(times) == 2 * n
    assert times[-1] - times[0] >= (2 * n - 2) / rate


def test_rate_follows_the_api_key(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/"
    keyless = EutilsClient(base_url=url, limiter_path=tmp_path / "a")
    keyed = EutilsClient(
        base_url=url, credentials=Credentials(api_key="k"), limiter_path=tmp_path / "b"
    )
    assert keyless.limiter.interval == pytest.approx(1 / 3)
    assert keyed.limiter.interval == pytest.approx(1 / 10)
    assert "k" not in repr(keyed.credentials) and "api_key" not in repr(keyed)


def test_credentials_and_base_url_from_the_environment() -> None:
    env = {"NCBI_EMAIL": "a@b.org", "NCBI_API_KEY": "xyz", "SCOPING_EUTILS_URL": "http://h/e"}
    creds = Credentials.from_env(env)
    assert creds.params() == {"tool": "scoping", "email": "a@b.org", "api_key": "xyz"}
    assert resolve_base_url("", environ=env) == "http://h/e/"
    assert resolve_base_url("http://given/", environ=env) == "http://given/"
    assert resolve_base_url("", environ={}).startswith("https://eutils.ncbi.nlm.nih.gov/")
    with pytest.raises(ScopingError, match="not an http"):
        resolve_base_url("eutils.example.org", environ={})


def test_dates_and_ranges() -> None:
    assert parse_date_limit("2020", end=False, option="--mindate") == date(2020, 1, 1)
    assert parse_date_limit("2020/02", end=True, option="--maxdate") == date(2020, 2, 29)
    assert parse_date_limit("2020/12", end=True, option="--maxdate") == date(2020, 12, 31)
    assert parse_date_limit("2020/03/04", end=True, option="--maxdate") == date(2020, 3, 4)
    assert parse_date_limit("", end=True, option="--maxdate") is None
    with pytest.raises(ScopingError, match="--mindate '2020/13/01' is not a date"):
        parse_date_limit("2020/13/01", end=False, option="--mindate")
    today = date(2026, 1, 1)
    # Growth makes recent years denser: a fifth of all records lies in the last few years.
    recent = guess_start(date(1000, 1, 1), date(3000, 12, 31), 0.2, today=today)
    assert date(2020, 1, 1) < recent < today
    # A short range is nearly even.
    half = guess_start(date(2020, 1, 1), date(2020, 12, 31), 0.5, today=today)
    assert abs((half - date(2020, 7, 1)).days) < 10
    assert guess_start(date(2020, 1, 1), date(2020, 1, 2), 1.0, today=today) == date(2020, 1, 1)
    assert guess_start(date(2020, 1, 1), date(2020, 1, 2), 0.0, today=today) == date(2020, 1, 2)
