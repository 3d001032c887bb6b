"""Run bib-dedupe on a CSV in its own virtual environment (never a project dependency).

Imported by the dedup benchmarks; executed by the bib-dedupe venv's Python as the runner:
``python dedup_bibdedupe.py INPUT.csv OUTPUT.json`` writes the duplicate groups (lists of
``ID``) and the peak memory. Only the standard library is imported at module level, so the
same file serves both environments.

Environment: ``benchmarks/.venv-bibdedupe``, created on first use with the equivalent of
``python3 -m venv benchmarks/.venv-bibdedupe`` and ``.venv-bibdedupe/bin/pip install bib-dedupe``.
``BIBDEDUPE_VENV=/path/to/venv`` uses an existing venv (another checkout's) instead: bib-dedupe and
its dependencies weigh about 200 MB.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BIBDEDUPE_VENV") or HERE / ".venv-bibdedupe")
PYTHON = VENV / "bin" / "python"
#: Cores bib-dedupe may use: the target machine has two.
CPU = 2


def ensure_venv() -> Path:
    """The bib-dedupe venv's Python, creating the venv (and installing bib-dedupe) if needed."""
    if not PYTHON.exists():
        print(f"creating {VENV} and installing bib-dedupe (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "bib-dedupe"], check=True)
        # Keep the venv out of git without touching the project's .gitignore.
        (VENV / ".gitignore").write_text("*\n", encoding="utf-8")
    return PYTHON


def version() -> str:
    """Installed bib-dedupe version."""
    out = subprocess.run(
        [
            str(ensure_venv()),
            "-c",
            "import importlib.metadata as m; print(m.version('bib-dedupe'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def run(csv_path: Path, *, timeout: float) -> dict[str, object]:
    """Groups, wall seconds and peak MB of bib-dedupe on ``csv_path``; ``{"timeout": s}`` if cut."""
    python = ensure_venv()
    # A temporary folder, never beside the input: the shared data is read-only.
    with tempfile.TemporaryDirectory(prefix="bibdedupe-") as tmp:
        out_path = Path(tmp) / "groups.json"
        start = time.perf_counter()
        try:
            subprocess.run(
                [str(python), str(Path(__file__).resolve()), str(csv_path), str(out_path)],
                check=True,
                timeout=timeout,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONHASHSEED": "0"},
            )
        except subprocess.TimeoutExpired:
            return {"timeout": timeout}
        seconds = time.perf_counter() - start
        result = json.loads(out_path.read_text(encoding="utf-8"))
    result["seconds"] = seconds
    return result


def _main(csv_path: str, out_path: str) -> None:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    records = pd.read_csv(csv_path, dtype=str).fillna("")
    matched = match(block(prep(records, cpu=CPU), cpu=CPU), cpu=CPU)
    groups = [sorted(str(i) for i in group) for group in cluster(matched)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out_path).write_text(json.dumps({"groups": groups, "peak_mb": peak_mb}), encoding="utf-8")


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
