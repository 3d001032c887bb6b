"""Simulate prioritised screening on the labelled sets: our ranking, random order, ASReview.

Usage: ``.venv/bin/python benchmarks/prioritise_sim.py [--batch 10] [--seed 0] [--sets A B]
[--no-asreview] [--timeout 900] [--data DIR]``

Every method starts from the same seeded prior (one include and one exclude), retrains after
every ``--batch`` screened records, always screens the top of its ranking, and stops once every
include is found. Per set it prints WSS@95, recall after 10% and 25% screened, the records
screened to find 95% and 100% of the includes (prior included), and the median seconds per
retrain. The last lines time one retrain and ranking of 10,000 records.

ASReview (its default model) runs as ``asreview simulate`` with the same prior rows and
``--n-query``, in its own venv, ``benchmarks/.venv-asreview``, created on first use with the
equivalent of ``python3 -m venv`` and ``pip install asreview`` (``ASREVIEW_VENV=/path`` uses an
existing one). It is never a project dependency.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoping.screening.ranking import featurise, rank_records

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "screening"
VENV = Path(os.environ.get("ASREVIEW_VENV") or HERE / ".venv-asreview")
ASREVIEW = VENV / "bin" / "asreview"
#: Label columns of the sets, in order of preference (Nagtegaal's final decision, like ASReview).
LABEL_COLUMNS = ("label_included", "included", "label")


@dataclass(frozen=True)
class LabelledSet:
    """One screening set: texts and true labels by row number (as a string ID)."""

    name: str
    titles: list[str]
    abstracts: list[str]
    truth: dict[str, int]

    @property
    def texts(self) -> dict[str, str]:
        pairs = zip(self.titles, self.abstracts, strict=True)
        return {str(n): f"{t} {a}" for n, (t, a) in enumerate(pairs)}


@dataclass(frozen=True)
class Run:
    """The screening order of one method (prior first) and its retrain times."""

    order: list[str]
    retrain_seconds: list[float]


def load(path: Path) -> LabelledSet:
    """A set from its CSV, with the first label column found."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    column = next(c for c in LABEL_COLUMNS if c in frame.columns)
    truth = {str(n): int(v) for n, v in enumerate(frame[column])}
    return LabelledSet(path.stem, list(frame["title"]), list(frame["abstract"]), truth)


def prior(data: LabelledSet, seed: int) -> list[str]:
    """One include and one exclude, drawn by ``random.Random(seed)`` (the same for every method)."""
    rng = random.Random(seed)
    includes = sorted((i for i, v in data.truth.items() if v == 1), key=int)
    excludes = sorted((i for i, v in data.truth.items() if v == 0), key=int)
    return [rng.choice(includes), rng.choice(excludes)]


def simulate_ours(data: LabelledSet, start: list[str], *, batch: int, seed: int) -> Run:
    """Screen in ranked batches, retraining after each, until every include is found."""
    texts = data.texts
    features = featurise(texts)
    labels = {i: data.truth[i] for i in start}
    order = list(start)
    wanted = sum(data.truth.values())
    seconds: list[float] = []
    while sum(labels.values()) < wanted:
        began = time.perf_counter()
        ranked = rank_records(texts=texts, labels=labels, seed=seed, features=features)
        seconds.append(time.perf_counter() - began)
        for record, _ in ranked[:batch]:
            labels[record] = data.truth[record]
            order.append(record)
    return Run(order, seconds)


def simulate_random(data: LabelledSet, start: list[str], *, seed: int) -> Run:
    """The prior, then the seeded random order that ``rank_records`` gives without a model."""
    labels = {i: data.truth[i] for i in start}
    ranked = rank_records(texts=data.texts, labels=labels, seed=seed, min_each=len(data.truth))
    return Run(start + [record for record, _ in ranked], [])


def ensure_asreview() -> Path:
    """ASReview's CLI in its own venv, creating the venv (and installing asreview) if needed."""
    if not ASREVIEW.exists():
        print(f"creating {VENV} and installing asreview (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "asreview"]
        subprocess.run(pip, check=True, timeout=900)
        # Keep the venv out of git without touching the project's .gitignore.
        (VENV / ".gitignore").write_text("*\n", encoding="utf-8")
    return ASREVIEW


def asreview_version() -> str:
    """Installed asreview version."""
    python = VENV / "bin" / "python"
    code = "import importlib.metadata as m; print(m.version('asreview'))"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip()


def simulate_asreview(
    data: LabelledSet, start: list[str], *, batch: int, seed: int, timeout: float
) -> Run | str:
    """``asreview simulate`` (default model) on the same rows and prior; a message if it failed."""
    cli = ensure_asreview()
    # A temporary folder, never beside the input: the shared data is read-only.
    with tempfile.TemporaryDirectory(prefix="asreview-sim-") as tmp:
        csv_path = Path(tmp) / f"{data.name}.csv"
        # Row n of this file is record n: ASReview's record_id is the row number without one.
        pd.DataFrame(
            {"title": data.titles, "abstract": data.abstracts, "included": data.truth.values()}
        ).to_csv(csv_path, index=False)
        out = Path(tmp) / "sim.asreview"
        command = [str(cli), "simulate", str(csv_path), "-o", str(out), "--prior-idx", *start]
        command += ["--n-query", str(batch), "--seed", str(seed)]
        # Its own session, so a timeout can kill the whole process group (any workers too).
        # cwd: asreview's synergy_dataset package writes a cache file into the working folder.
        process = subprocess.Popen(
            command,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return f"timeout after {timeout:.0f} s"
        if process.returncode != 0:
            return "failed: " + stderr.decode(errors="replace").strip().splitlines()[-1]
        with zipfile.ZipFile(out) as archive:
            archive.extract("results.db", tmp)
        with sqlite3.connect(Path(tmp) / "results.db") as db:
            rows = db.execute("SELECT record_id, time FROM results ORDER BY rowid").fetchall()
    order = [str(record) for record, _ in rows]
    # Each batch is labelled at one time.time(); the gaps between batches are retrain + rank.
    stamps = sorted({stamp for _, stamp in rows})
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    return Run(order, gaps[1:] or gaps)


def metrics(data: LabelledSet, run: Run) -> dict[str, float]:
    """WSS@95, recall at 10% and 25% screened, records to 95% and 100%, seconds per retrain."""
    total, wanted = len(data.truth), sum(data.truth.values())
    found: list[int] = []
    count = 0
    for record in run.order:
        count += data.truth[record]
        found.append(count)

    def screened_to(k: int) -> int:
        return next(n for n, c in enumerate(found, 1) if c >= k)

    def recall_at(share: float) -> float:
        # A run stops at its last include, so a shorter run has found them all.
        n = math.ceil(share * total)
        return (found[n - 1] if n <= len(found) else found[-1]) / wanted

    r95 = screened_to(math.ceil(0.95 * wanted))
    return {
        "wss95": (total - r95) / total - 0.05,
        "recall10": recall_at(0.10),
        "recall25": recall_at(0.25),
        "to95": r95,
        "to100": screened_to(wanted),
        "retrain_s": statistics.median(run.retrain_seconds) if run.retrain_seconds else 0.0,
    }


def time_10k(sets: list[LabelledSet], seed: int) -> str:
    """Seconds for one retrain + ranking of 10,000 records, and for featurising them once."""
    texts = {f"{s.name}:{i}": t for s in sets for i, t in s.texts.items()}
    truth = {f"{s.name}:{i}": v for s in sets for i, v in s.truth.items()}
    ids = sorted(texts)[:10_000]
    if len(ids) < 10_000:
        return f"only {len(ids)} records in the chosen sets: no 10k timing"
    texts = {i: texts[i] for i in ids}
    began = time.perf_counter()
    features = featurise(texts)
    featurise_s = time.perf_counter() - began
    parts = [f"10,000 records: featurise once {featurise_s:.2f} s"]
    for n_labels in (100, 1_000, 5_000):
        labels = {i: truth[i] for i in random.Random(seed).sample(ids, n_labels)}
        began = time.perf_counter()
        rank_records(texts=texts, labels=labels, seed=seed, features=features)
        parts.append(f"retrain+rank with {n_labels} labels {time.perf_counter() - began:.3f} s")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10, help="records screened per retrain")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sets", nargs="*", help="set names (file stems); default all")
    parser.add_argument("--no-asreview", action="store_true", help="ours vs random only")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per ASReview run")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    paths = sorted(args.data.glob("*.csv"))
    if args.sets:
        paths = [p for p in paths if p.stem in set(args.sets)]
    sets = [load(p) for p in paths]
    asreview: str | None = None
    if not args.no_asreview:
        try:
            ensure_asreview()
            asreview = f"asreview {asreview_version()}"
        except (subprocess.SubprocessError, OSError) as error:
            print(f"asreview could not be installed ({error}): ours vs random only")

    head = f"{'set':<40} {'method':<16} {'WSS@95':>7} {'R@10%':>6} {'R@25%':>6}"
    head += f" {'to95%':>6} {'to100%':>6} {'s/retrain':>9} {'vs rand':>8}"
    print(f"batch {args.batch}, seed {args.seed}, prior 1 include + 1 exclude")
    print(head)
    results: dict[str, dict[str, object]] = {}
    for data in sets:
        start = prior(data, args.seed)
        runs: dict[str, Run | str] = {
            "ours": simulate_ours(data, start, batch=args.batch, seed=args.seed),
            "random": simulate_random(data, start, seed=args.seed),
        }
        if asreview:
            runs[asreview] = simulate_asreview(
                data, start, batch=args.batch, seed=args.seed, timeout=args.timeout
            )
        label = f"{data.name} ({len(data.truth)}/{sum(data.truth.values())})"
        base = metrics(data, runs["random"])  # type: ignore[arg-type]
        results[data.name] = {}
        for method, run in runs.items():
            if isinstance(run, str):
                print(f"{label:<40} {method:<16} {run}")
                results[data.name][method] = run
                continue
            m = metrics(data, run)
            results[data.name][method] = m
            # Random order's WSS@95 is about 0, so the ratio is on records to 95% instead.
            ratio = base["to95"] / m["to95"]
            print(
                f"{label:<40} {method:<16} {m['wss95']:>7.3f} {m['recall10']:>6.2f}"
                f" {m['recall25']:>6.2f} {m['to95']:>6.0f} {m['to100']:>6.0f}"
                f" {m['retrain_s']:>9.3f} {ratio:>7.1f}x"
            )
    print("vs rand: records the random order screens to reach 95% recall over the method's")
    print(time_10k([load(p) for p in sorted(args.data.glob("*.csv"))], args.seed))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
