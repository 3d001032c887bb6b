"""Records/s of ``scoping import`` readers on >= 50,000 records, beside the plain library parsers.

The inputs are built by replicating real exports from ../shared/data (RIS: every RIS export in
formats/; MEDLINE: the PubMed .nbib and Biopython's MEDLINE files; PubMed XML: metapub's single-
article efetch files gathered into one PubmedArticleSet). Each reader runs once on the same file
in the same process:

- RIS: ``rispy.load`` (dicts only) vs our tag parser alone vs ``read_file`` (decode, detect,
  parse, normalise, build records with IDs).
- MEDLINE: ``Bio.Medline.parse`` vs our tag parser alone vs ``read_file``.
- PubMed XML: a bare lxml ``iterparse`` that only counts and clears articles (the floor for any
  streaming reader) vs ``read_file`` (``scoping.pubmed_xml``). ``Bio.Entrez`` is left out: it
  cannot stream PubMed efetch XML (see DESIGN field notes).

Usage: python benchmarks/import_bench.py [--records 50000] [--data ../shared/data]
                                        [--only ris,medline,pubmed_xml]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]


def _replicate(chunks: list[str], per_chunk: list[int], target: int) -> tuple[str, int]:
    parts: list[str] = []
    total = 0
    while total < target:
        for text, n in zip(chunks, per_chunk, strict=True):
            parts.append(text if text.endswith("\n") else text + "\n")
            total += n
            if total >= target:
                break
    return "\n".join(parts), total


def readme_counts(data: Path) -> dict[str, int]:
    """Record counts of the data README's table, by path."""
    counts = {}
    for line in (data / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.match(r"(\d+) RIS records", cells[-1]) if len(cells) > 2 else None
        if m:
            counts[cells[0]] = int(m.group(1))
    return counts


def build_ris(data: Path, target: int) -> tuple[str, int]:
    texts, counts = [], []
    known = readme_counts(data)
    for path in sorted((data / "formats").rglob("*.ris")):
        n = known.get(str(path.relative_to(data)), 0)  # 0 for example_wos.ris (WoS, not RIS)
        text = path.read_text(encoding="utf-8-sig")
        if n:
            texts.append(text.replace("\r\n", "\n").replace("\r", "\n"))
            counts.append(n)
    return _replicate(texts, counts, target)


def build_medline(data: Path, target: int) -> tuple[str, int]:
    paths = [data / "formats/revtools/restoration_pubmed.nbib"]
    paths += sorted((data / "entrez/biopython/Medline").glob("*.txt"))
    texts, counts = [], []
    for path in paths:
        text = path.read_text(encoding="utf-8").strip("\n") + "\n\n"
        texts.append(text)
        counts.append(len(re.findall(r"^PMID-", text, flags=re.MULTILINE)))
    return _replicate(texts, counts, target)


def build_pubmed_xml(data: Path, target: int) -> tuple[bytes, int]:
    articles = []
    for path in sorted((data / "entrez/metapub/pmid_xml").glob("*.xml")):
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        articles += [etree.tostring(a) for a in tree.iter("PubmedArticle")]
    body, n = [], 0
    while n < target:
        for article in articles:
            body.append(article)
            n += 1
            if n >= target:
                break
    xml = b"<?xml version='1.0' encoding='UTF-8'?>\n<PubmedArticleSet>\n"
    return xml + b"\n".join(body) + b"\n</PubmedArticleSet>\n", n


def timed(run: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    n = run()
    return n, time.perf_counter() - start


def report(label: str, n: int, seconds: float, want: int) -> None:
    flag = "" if n == want else f"   (read {n}, expected {want})"
    print(f"  {label:44s} {n:7d} records {seconds:7.2f} s {n / seconds:9,.0f} records/s{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument(
        "--only", default="ris,medline,pubmed_xml", help="comma-separated formats to measure"
    )
    args = parser.parse_args(argv)

    import rispy
    from Bio import Medline

    from scoping.readers import read_file
    from scoping.readers.tagged import MEDLINE, RIS, Dialect, iter_tagged

    def rispy_load(path: Path) -> int:
        with path.open(encoding="utf-8") as handle:
            return len(rispy.load(handle))

    def bio_medline(path: Path) -> int:
        with path.open(encoding="utf-8") as handle:
            return sum(1 for _ in Medline.parse(handle))

    with tempfile.TemporaryDirectory() as tmp:
        tagged = (
            ("RIS", "bench.ris", build_ris, RIS, "rispy.load (baseline)", rispy_load),
            ("MEDLINE", "bench.nbib", build_medline, MEDLINE, "Bio.Medline.parse (baseline)",
             bio_medline),
        )  # fmt: skip
        only = {f.strip().lower() for f in args.only.split(",")}
        for name, filename, build, dialect, baseline_label, baseline in tagged:
            if name.lower() not in only:
                continue
            text, want = build(args.data, args.records)
            path = Path(tmp) / filename
            path.write_text(text, encoding="utf-8")
            del text
            print(f"{name}: {want} records ({path.stat().st_size / 2**20:.0f} MiB)")

            def tags_only(path: Path = path, dialect: Dialect = dialect) -> int:
                text = path.read_text(encoding="utf-8")
                return sum(1 for _ in iter_tagged(text, dialect=dialect, path=path))

            report(baseline_label, *timed(lambda path=path, run=baseline: run(path)), want)
            report("scoping tag parser only", *timed(tags_only), want)
            report("scoping read_file (records with IDs)", *timed(
                lambda path=path: len(read_file(path).records)), want)  # fmt: skip

        if "pubmed_xml" not in only:
            return 0
        xml, xml_n = build_pubmed_xml(args.data, args.records)
        xml_path = Path(tmp) / "bench.xml"
        xml_path.write_bytes(xml)
        del xml
        print(f"PubMed XML: {xml_n} records ({xml_path.stat().st_size / 2**20:.0f} MiB)")

        def bare_iterparse() -> int:
            n = 0
            for _, elem in etree.iterparse(
                str(xml_path), events=("end",), tag="PubmedArticle", resolve_entities=False
            ):
                n += 1
                elem.clear(keep_tail=False)
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
            return n

        report("lxml iterparse, count only (baseline)", *timed(bare_iterparse), xml_n)
        report("scoping read_file (records with IDs)", *timed(
            lambda: len(read_file(xml_path).records)), xml_n)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    sys.exit(main())
