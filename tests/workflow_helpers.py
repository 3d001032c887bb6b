"""Run the real workflow with Snakemake in a temporary copy of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: What a user's checkout holds that the workflow reads.
WORKFLOW_PARTS = ("Snakefile", "workflow", "config", ".gitignore")


def copy_project(dest: Path) -> Path:
    """Copy the workflow and configs (not results, sheets or environments) into ``dest``."""
    for part in WORKFLOW_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def snakemake(
    workdir: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run Snakemake in ``workdir`` with this interpreter's environment on PATH."""
    run_env = dict(os.environ)
    run_env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), run_env["PATH"]))
    run_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
        )
    return result


def jobs_run(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Names of the rules Snakemake ran (or would run, for a dry run)."""
    names = []
    for line in (result.stdout + result.stderr).splitlines():
        line = line.strip()
        if line.startswith(("rule ", "localrule ", "checkpoint ", "localcheckpoint ")):
            name = line.split()[1].rstrip(":")
            if name != "all":
                names.append(name)
    return names
