# Helpers for the rules: names for config lookups, so no rule needs a lambda.
import json
import os
import sys

# Rules call the `scoping` command installed beside this Snakemake, even when its virtual
# environment is not activated (e.g. `.venv/bin/snakemake ...`).
shell.prefix(f'set -euo pipefail; PATH="{os.path.dirname(sys.executable)}:$PATH"; ')

STAGES = ("title_abstract", "full_text")
SOURCES = sorted(config["sources"])
SCREENING_DIR = config["screening"]["dir"]


def _sources_of_type(kind):
    return [name for name in SOURCES if config["sources"][name]["type"] == kind]


def _alternatives(names):
    """A wildcard pattern matching exactly these names (or nothing when there are none)."""
    return "|".join(names) if names else "(?!x)x"


PUBMED_SOURCES = _alternatives(_sources_of_type("pubmed"))
FILE_SOURCES = _alternatives(_sources_of_type("file"))


def source_setting(key, default=""):
    """An input/params function returning one setting of the wildcard's source."""

    def lookup(wildcards):
        value = config["sources"][wildcards.source].get(key, default)
        if isinstance(value, dict | list):
            return json.dumps(value, sort_keys=True)
        return "" if value is None else str(value)

    return lookup


def get_source_file(wildcards):
    path = config["sources"][wildcards.source]["path"]
    if not os.path.exists(path):
        raise ValueError(
            f"source '{wildcards.source}': file {path} does not exist. "
            f"Fix: correct sources.{wildcards.source}.path in the config "
            "(paths are relative to the directory Snakemake runs in)."
        )
    return path


def pubmed_setting(key, default=""):
    """A params function returning one of the `pubmed` settings, as the command takes it."""

    def lookup(wildcards):
        value = config["pubmed"].get(key, default)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return lookup


def get_max_records(wildcards):
    """'' (no limit) for 0, else the number."""
    value = config["sources"][wildcards.source].get("max_records", 0)
    return str(value) if value else ""


def settings_json(section):
    """The config section a command reads, as one JSON argument (a change reruns the rule)."""
    return json.dumps(config[section], sort_keys=True)


def get_screening_settings(wildcards):
    """Screening settings plus the review's title, question and criteria (instructions sheet)."""
    settings = dict(config["screening"])
    settings.update(config["review"])
    # A stage without reasons in the config gets the package's default list.
    reasons = {stage: r for stage, r in settings["exclusion_reasons"].items() if r}
    settings["exclusion_reasons"] = reasons
    return json.dumps(settings, sort_keys=True)


def get_prisma_settings(wildcards):
    settings = dict(config["prisma"])
    settings["title"] = settings.get("title") or config["review"]["title"]
    return json.dumps(settings, sort_keys=True)


def get_include_from(wildcards):
    """Full-text screening takes the records included at title/abstract."""
    if wildcards.stage == "full_text":
        return ["results/screening/title_abstract/decisions.csv"]
    return []


def get_include_flag(wildcards):
    return " ".join(f"--include-from {path}" for path in get_include_from(wildcards))


def get_sheet_paths(wildcards):
    """The human-owned sheets of a stage: known once `prepare_sheets` has run (a checkpoint).

    Listing them as inputs makes an edited sheet rerun reconciliation; asking the checkpoint
    first keeps the set of inputs the same on every run.
    """
    checkpoints.prepare_sheets.get(stage=wildcards.stage)
    ext = config["screening"]["format"]
    folder = f"{SCREENING_DIR}/{wildcards.stage}"
    names = [*config["screening"]["reviewers"], "conflicts"]
    return [f"{folder}/{name}.{ext}" for name in names]


DEDUP_REVIEW = f"{SCREENING_DIR}/dedup_review.xlsx"


def get_dedup_review_sheet(wildcards):
    """The dedup review sheet (people decide uncertain pairs in it), once it has been created."""
    checkpoints.prepare_dedup_review.get()
    return DEDUP_REVIEW


def get_final_outputs():
    return [
        "results/search/search_log.csv",
        "results/dedup/clusters.csv",
        "results/screening/title_abstract/agreement.json",
        "results/screening/title_abstract/priority.json",
        "results/screening/full_text/agreement.json",
        "results/prisma/prisma.csv",
        "results/prisma/prisma.md",
        "results/prisma/prisma.json",
    ]
