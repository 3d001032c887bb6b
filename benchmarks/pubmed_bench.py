"""PubMed search cost and parse speed, against the local E-utilities test server.

Prints, for result sets of 10,000 and 50,000 records (both above ESearch's 9,999 cap):
the HTTP requests ``search_pubmed`` used, beside the fewest the protocol allows
(one ESearch for the count, one per 9,999-ID date range, one EFetch per 10,000 records).
Then parse throughput in records/s of ``scoping.pubmed_xml`` beside ``Bio.Entrez.read``
on the same real PubMed XML in the same run.

    python benchmarks/pubmed_bench.py [--sizes 10000 50000] [--parse-records 3000]
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from eutils_server import EFETCH_HEAD, real_articles, serve, synthetic_corpus  # noqa: E402

from scoping.eutils import (  # noqa: E402
    EFETCH_MAX,
    ESEARCH_CAP,
    EutilsClient,
    search_pubmed,
)
from scoping.pubmed_xml import iter_pubmed_xml  # noqa: E402


def minimum_requests(n: int) -> int:
    """Fewest requests that fetch ``n`` PubMed records and prove the count."""
    if n <= ESEARCH_CAP:
        return 1 + math.ceil(n / EFETCH_MAX)
    return 1 + math.ceil(n / ESEARCH_CAP) + math.ceil(n / EFETCH_MAX)


def measure_requests(n: int, batch: int) -> tuple[int, int, int, float]:
    corpus = synthetic_corpus(n)
    with tempfile.TemporaryDirectory() as tmp, serve(corpus=corpus) as server:
        client = EutilsClient(
            base_url=server.base_url, rate=10_000.0, limiter_path=Path(tmp) / "pace"
        )
        start = time.perf_counter()
        result = search_pubmed(client=client, query="benchmark", batch_size=batch)
        seconds = time.perf_counter() - start
        assert len(set(result.pmids)) == n == len(result.records), "incomplete result"
        stats = server.stats.by_endpoint
        return stats["esearch"], stats["efetch"], server.stats.requests, seconds


def parse_comparison(records: int) -> None:
    from Bio import Entrez

    articles = [a.xml for a in real_articles()]
    body = b"\n".join(articles[i % len(articles)] for i in range(records))
    data = EFETCH_HEAD + b"<PubmedArticleSet>\n" + body + b"\n</PubmedArticleSet>\n"
    print(
        f"\nParse: {records} real PubMed articles ({len(articles)} distinct, repeated), "
        f"{len(data) / 2**20:.1f} MiB of efetch XML, same bytes for both"
    )
    start = time.perf_counter()
    ours = sum(1 for _ in iter_pubmed_xml(io.BytesIO(data)))
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs = len(Entrez.read(io.BytesIO(data))["PubmedArticle"])
    t_theirs = time.perf_counter() - start
    assert ours == theirs == records
    print(f"  scoping.pubmed_xml (lxml iterparse, to records): {ours / t_ours:8.0f} records/s")
    print(f"  Bio.Entrez.read (whole file, to dicts):         {theirs / t_theirs:8.0f} records/s")
    print(f"  ratio: {t_theirs / t_ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--batches", type=int, nargs="+", default=[1000, EFETCH_MAX])
    parser.add_argument("--parse-records", type=int, default=3000)
    args = parser.parse_args()
    print("HTTP requests per search (local test server, no faults, no cache)")
    header = ("records", "batch", "esearch", "efetch", "total", "minimum")
    print(" ".join(f"{h:>8}" for h in header), " time")
    for n in args.sizes:
        for batch in args.batches:
            esearch, efetch, total, seconds = measure_requests(n, batch)
            row = (n, batch, esearch, efetch, total, minimum_requests(n))
            print(" ".join(f"{v:>8}" for v in row), f" {seconds:.1f} s")
    parse_comparison(args.parse_records)


if __name__ == "__main__":
    main()
