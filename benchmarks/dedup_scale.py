"""Wall time and peak memory of ``scoping dedup`` on 10k / 50k / 100k records, beside bib-dedupe.

Usage: ``.venv/bin/python benchmarks/dedup_scale.py [--sizes 10000,50000,100000] [--no-bibdedupe]``

Corpora are built from the real records of the labelled sets in
``../shared/data/dedup/bibdedupe_benchmark/`` (about 13,700 records): the first pass uses them as
they are; later passes add, for each real record, either a perturbed duplicate (case,
punctuation, truncated title, missing fields, author and page forms, journal abbreviations) or,
one time in three, a look-alike distinct work (three title words swapped, other authors, year and
pages). Each size runs in a fresh process (the full ``scoping dedup`` path on the records CSV an
importer would write: read it, cluster, write every output); peak memory is that process's
maximum resident set. bib-dedupe runs on
each size in turn while it finishes within 10 minutes, and is not started on a size that even
linear growth from its last time would put over that limit. Targets (issue 5): 100k records in
under 60 s and under 2 GB on 2 cores, close to linear.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_bibdedupe

from scoping.dedup.evaluate import pairwise_scores
from scoping.readers import read_file
from scoping.records import write_records

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "dedup" / "bibdedupe_benchmark"
COLUMNS = (
    "ID", "ENTRYTYPE", "title", "author", "year", "journal", "volume", "number", "pages", "doi",
    "abstract",
)  # fmt: skip
LIMIT_S = 600.0
_STOP = {"of", "the", "and", "for", "in", "on", "a", "an", "&"}


def load_pool(root: Path) -> list[dict[str, str]]:
    """Every real record of the labelled sets, with ``group``: its labelled duplicate group."""
    pool: list[dict[str, str]] = []
    for folder in sorted(p for p in root.iterdir() if (p / "merged_record_ids.csv").is_file()):
        group_of: dict[str, str] = {}
        with (folder / "merged_record_ids.csv").open(encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle)):
                for item in row["merged_ids"].split(";"):
                    group_of[item] = f"{folder.name}/g{n}"
        with (folder / "records_pre_merged.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rec = {c: (row.get(c) or "").strip() for c in COLUMNS}
                rec["ID"] = f"{folder.name}/{row['ID']}"
                rec["group"] = group_of.get(row["ID"], rec["ID"])
                pool.append(rec)
    return pool


def _abbreviate(journal: str) -> str:
    words = [w for w in re.split(r"[\s.,:]+", journal) if w and w.lower() not in _STOP]
    return " ".join(w[:4].capitalize() if len(w) > 5 else w for w in words)


def _author_forms(authors: str, rng: random.Random) -> str:
    names = [a.strip() for a in authors.split(" and ") if a.strip()]
    style = rng.random()
    out = []
    for name in names:
        family, _, given = name.partition(",")
        initials = "".join(p[0] for p in re.split(r"[\s.\-]+", given) if p)
        if style < 0.3:
            out.append(f"{family.strip()} {initials}")
        elif style < 0.6:
            out.append(f"{family.strip()}, {'. '.join(initials)}.")
        else:
            out.append(name)
    if rng.random() < 0.15 and len(out) > 3:
        out = out[:3]
    return " and ".join(out)


def perturb(rec: dict[str, str], rng: random.Random) -> dict[str, str]:
    """A duplicate of ``rec`` as another database might export it."""
    out = dict(rec)
    title = out["title"]
    roll = rng.random()
    if roll < 0.2:
        title = title.lower()
    elif roll < 0.3:
        title = title.upper()
    elif roll < 0.45:
        title = re.sub(r"[^\w\s]", "", title)
    elif roll < 0.55 and len(title) > 110:
        title = title[:100]
    elif roll < 0.7:
        title = title.rstrip(".") + "."
    out["title"] = title
    out["author"] = "" if rng.random() < 0.05 else _author_forms(out["author"], rng)
    if rng.random() < 0.2:
        out["journal"] = ""
    elif rng.random() < 0.3:
        out["journal"] = _abbreviate(out["journal"])
    pages = out["pages"]
    match = re.match(r"^(\d+)-+(\d+)$", pages)
    if rng.random() < 0.2:
        pages = ""
    elif match and len(match.group(2)) == len(match.group(1)) and rng.random() < 0.5:
        first, last = match.groups()
        keep = next((i for i in range(len(first)) if first[i] != last[i]), len(last) - 1)
        pages = f"{first}-{last[keep:]}"
    out["pages"] = pages
    for name, p in (("volume", 0.1), ("number", 0.3), ("doi", 0.3), ("abstract", 0.5)):
        if rng.random() < p:
            out[name] = ""
    return out


def look_alike(rec: dict[str, str], other: dict[str, str], vocab: list[str], rng: random.Random):
    """A distinct work resembling ``rec``: three title words swapped, other authors and pages."""
    words = rec["title"].split()
    for _ in range(3):
        if words:
            words[rng.randrange(len(words))] = rng.choice(vocab)
    first = rng.randint(1, 2000)
    return {
        **rec,
        "title": " ".join(words),
        "author": other["author"],
        "year": str(rng.randint(1985, 2023)),
        "volume": str(rng.randint(1, 120)),
        "pages": f"{first}-{first + rng.randint(2, 15)}",
        "doi": "",
    }


def build_corpus(pool: list[dict[str, str]], size: int, path: Path) -> dict[str, str]:
    """Write a ``size``-record CSV (bib-dedupe layout); returns ID -> true group."""
    rng = random.Random(size)
    vocab = sorted({w for r in pool for w in r["title"].split() if len(w) > 5})
    truth: dict[str, str] = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for k in range(size):
            base = pool[k % len(pool)]
            round_ = k // len(pool)
            if round_ == 0:
                rec = dict(base)
            elif rng.random() < 1 / 3:
                rec = look_alike(base, rng.choice(pool), vocab, rng)
                rec["group"] = f"new{k}"
            else:
                rec = perturb(base, rng)
            rec["ID"] = f"r{k:06d}" if round_ else base["ID"]
            truth[rec["ID"]] = rec["group"]
            writer.writerow(rec)
    return truth


def run_ours(corpus: Path, out_dir: Path) -> dict[str, float]:
    """Run ``scoping dedup`` on ``corpus`` in a fresh process; seconds and peak MB."""
    code = (
        "import json, resource, sys, time\n"
        "from scoping.dedup.run import dedup_files\n"
        "t = time.perf_counter()\n"
        "dedup_files(inputs=[sys.argv[1]], output=sys.argv[2] + '/clusters.csv')\n"
        "s = time.perf_counter() - t\n"
        "mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': s, 'peak_mb': mb}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(out_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--no-bibdedupe", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    pool = load_pool(args.data)
    print(f"corpora from {len(pool)} real records of {args.data}")
    print(
        f"{'records':>8} | {'s':>6} {'peak MB':>8} {'s/10k':>6} {'P':>7} {'R':>7} | "
        f"{'bib-dedupe s':>12} {'peak MB':>8} {'P':>7} {'R':>7}"
    )
    bd_last: tuple[int, float] | None = None
    bd_stopped = args.no_bibdedupe
    bd_why = "not run (--no-bibdedupe)"
    with tempfile.TemporaryDirectory(prefix="dedup-scale-") as tmp:
        for size in sizes:
            corpus = Path(tmp) / f"corpus_{size}.csv"
            truth = build_corpus(pool, size, corpus)
            groups: dict[str, list[str]] = {}
            for item, group in truth.items():
                groups.setdefault(group, []).append(item)
            # The workflow dedups records CSVs the importers wrote (IDs and normalised fields
            # made at import), so that is what is timed; bib-dedupe reads its own layout. The
            # raw cells are dropped, as in the corpora of earlier runs, so that times compare
            # (kept, the raw JSON of every row cost about a second per 10k records more I/O).
            records_csv = Path(tmp) / f"records_{size}.csv"
            write_records(
                records_csv,
                [replace(r, raw={}) for r in read_file(corpus, source="corpus").records],
            )
            out_dir = Path(tmp) / f"out_{size}"
            out_dir.mkdir()
            ours = run_ours(records_csv, out_dir)
            with (out_dir / "clusters.csv").open(encoding="utf-8") as handle:
                cluster_of = {r["source_id"]: r["cluster_id"] for r in csv.DictReader(handle)}
            scores = pairwise_scores(cluster_of, groups.values())
            theirs = bd_why if bd_stopped else ""
            if not bd_stopped and bd_last is not None:
                projected = bd_last[1] * size / bd_last[0]
                if projected > LIMIT_S:
                    bd_why = f"not run: linear growth from {bd_last[0]} records > {LIMIT_S:.0f} s"
                    theirs, bd_stopped = f"{bd_why} ({projected:.0f} s)", True
            if not bd_stopped:
                run = dedup_bibdedupe.run(corpus, timeout=LIMIT_S)
                if "groups" in run:
                    bd_of = {i: i for i in truth}
                    for group in run["groups"]:
                        for item in group:
                            bd_of[item] = group[0]
                    bd_scores = pairwise_scores(bd_of, groups.values())
                    theirs = (
                        f"{run['seconds']:12.1f} {run['peak_mb']:8.0f} "
                        f"{bd_scores.precision:7.4f} {bd_scores.recall:7.4f}"
                    )
                    bd_last = (size, float(run["seconds"]))
                else:
                    theirs = f"did not finish within {LIMIT_S:.0f} s"
                    bd_why, bd_stopped = f"not run: {size} records took over {LIMIT_S:.0f} s", True
            per10k = ours["seconds"] * 10_000 / size
            print(
                f"{size:>8} | {ours['seconds']:6.1f} {ours['peak_mb']:8.0f} {per10k:6.2f} "
                f"{scores.precision:7.4f} {scores.recall:7.4f} | {theirs}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
