"""The test server speaks the E-utilities protocol and injects each fault as described."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import requests
from eutils_server import CAP_ERROR, Faults, real_corpus, serve, synthetic_corpus
from lxml import etree


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(12_000, first_year=2000, last_year=2023)


def xml(response: requests.Response) -> etree._Element:
    assert response.status_code == 200
    return etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))


def test_esearch_paging_history_and_cap(corpus) -> None:
    with serve(corpus=corpus) as server:
        url = server.base_url + "esearch.fcgi"
        first = xml(requests.get(url, params={"term": "x", "retmax": 5, "usehistory": "y"}))
        assert first.findtext("Count") == "12000"
        assert [i.text for i in first.iterfind("IdList/Id")] == [
            a.pmid for a in corpus.articles[:5]
        ]
        assert first.findtext("QueryKey") == "1" and first.findtext("WebEnv")
        page = xml(requests.post(url, data={"term": "x", "retstart": 9990, "retmax": 100}))
        assert len(page.findall("IdList/Id")) == 9  # the cap: 9,999 IDs in all
        beyond = xml(requests.get(url, params={"term": "x", "retstart": 9999}))
        assert beyond.findtext("ERROR") == CAP_ERROR
        ranged = xml(
            requests.get(
                url,
                params={
                    "term": "x",
                    "datetype": "pdat",
                    "mindate": "2010/03",
                    "maxdate": "2011",
                    "retmax": 9999,
                },
            )
        )
        expected = corpus.search(date(2010, 3, 1), date(2011, 12, 31))
        assert [i.text for i in ranged.iterfind("IdList/Id")] == expected
        assert 0 < len(expected) < 12_000


def test_efetch_by_history_by_posted_ids_and_get_414(corpus) -> None:
    with serve(corpus=corpus) as server:
        search = xml(
            requests.get(
                server.base_url + "esearch.fcgi",
                params={"term": "x", "usehistory": "y", "retmax": 30},
            )
        )
        ids = [i.text for i in search.iterfind("IdList/Id")]
        fetch = server.base_url + "efetch.fcgi"
        history = xml(
            requests.post(
                fetch,
                data={
                    "WebEnv": search.findtext("WebEnv"),
                    "query_key": "1",
                    "retstart": 10,
                    "retmax": 20,
                },
            )
        )
        assert [p.text for p in history.iterfind("PubmedArticle/MedlineCitation/PMID")] == ids[10:]
        many = [a.pmid for a in corpus.articles[:1000]]
        posted = xml(requests.post(fetch, data={"id": ",".join(many)}))
        assert len(posted.findall("PubmedArticle")) == 1000
        assert requests.get(fetch, params={"id": ",".join(many)}).status_code == 414
        short = xml(requests.get(fetch, params={"id": ",".join(many[:3])}))
        assert len(short.findall("PubmedArticle")) == 3
        lost = xml(requests.post(fetch, data={"WebEnv": "MCID_nope", "query_key": "1"}))
        assert lost.findtext("ERROR") == "Unable to obtain query #1"


def test_each_fault_as_a_client_sees_it(shared_data: Path) -> None:
    kinds = ["429", "502", "html", "error", "ratelimit_json", "truncated", "reset", "slow"]
    faults = Faults(script=kinds, retry_after="3", slow_seconds=1.0)
    with serve(corpus=real_corpus(), faults=faults) as server:
        url = server.base_url + "esearch.fcgi"
        get = lambda: requests.get(url, params={"term": "x", "retmax": 3}, timeout=0.3)  # noqa: E731
        too_many = get()
        assert too_many.status_code == 429 and too_many.headers["Retry-After"] == "3"
        assert too_many.json()["error"] == "API rate limit exceeded"
        assert get().status_code == 502
        page = get()
        html = (shared_data / "entrez" / "biopython" / "Entrez" / "pubmed3.html").read_bytes()
        assert page.content == html and page.headers["Content-Type"] == "text/html"
        assert b"<ERROR>Search Backend failed" in get().content
        assert get().json()["error"] == "API rate limit exceeded"
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(get().content)
        with pytest.raises(requests.ConnectionError):
            get()
        with pytest.raises(requests.Timeout):
            get()
        assert xml(get()).findtext("Count") == "172"
        assert server.stats.faults == dict.fromkeys(kinds, 1)


def test_random_faults_are_reproducible_and_checked() -> None:
    first, second = Faults(rate=0.2, seed=3), Faults(rate=0.2, seed=3)
    a = [first.draw() for _ in range(500)]
    assert a == [second.draw() for _ in range(500)]
    assert 60 <= sum(bool(k) for k in a) <= 140
    with pytest.raises(ValueError, match="unknown fault"):
        Faults(script=["meteor"])
