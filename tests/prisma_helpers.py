"""Review fixtures for the PRISMA tests, written in the file contracts of docs/file-contracts.md.

``hand_review`` is a small review whose every box was counted by hand (``HAND_EXPECTED``).
``generated_review`` builds a review of 5,000 hits with known decisions; the tests count its
boxes independently with pandas.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from scoping.prisma import PrismaFlow, build_flow, settings_from_mapping
from scoping.searchlog import SEARCH_LOG_COLUMNS, write_search_log

CLUSTER_COLUMNS = ("source", "source_type", "source_id", "record_id", "cluster_id", "is_canonical")
REVIEWERS = ("alice", "bob")
DECISION_COLUMNS = (
    "record_id",
    "title",
    "outcome",
    "final",
    "reason",
    *(f"{r}_{c}" for r in REVIEWERS for c in ("decision", "reason")),
)

#: source -> (source_type, database label)
HAND_SOURCES = {
    "pubmed_q1": ("database", "PubMed"),
    "pubmed_q2": ("database", "PubMed"),
    "embase": ("database", "Embase"),
    "ctgov": ("register", "ClinicalTrials.gov"),
    "gov_sites": ("website", "Government websites"),
    "chaining": ("citation", "Citation searching"),
}

#: (source, source_id, record_id, cluster_id, is_canonical)
HAND_HITS = [
    ("pubmed_q1", "1", "pmid-1", "pmid-1", True),
    ("pubmed_q1", "2", "pmid-2", "pmid-2", True),
    ("pubmed_q1", "3", "pmid-3", "pmid-3", True),
    ("pubmed_q1", "4", "pmid-4", "pmid-4", True),
    ("pubmed_q1", "5", "pmid-5", "pmid-5", True),
    ("pubmed_q1", "6", "pmid-6", "pmid-6", True),
    ("pubmed_q2", "5", "pmid-5", "pmid-5", False),  # same PMID, second query
    ("pubmed_q2", "6", "pmid-6", "pmid-6", False),
    ("pubmed_q2", "7", "pmid-7", "pmid-7", True),
    ("embase", "E1", "ref-e1", "pmid-1", False),  # Embase copy of PMID 1
    ("embase", "E2", "doi-a", "doi-a", True),
    ("embase", "E3", "doi-b", "doi-b", True),
    ("embase", "E4", "ref-e4", "doi-a", False),  # duplicate inside Embase
    ("ctgov", "NCT1", "reg-1", "reg-1", True),
    ("ctgov", "NCT2", "reg-2", "reg-2", True),
    ("gov_sites", "w1", "web-1", "web-1", True),
    ("gov_sites", "w2", "web-2", "web-2", True),
    ("gov_sites", "w3", "ref-w3", "pmid-2", False),  # a website copy of a database record
    ("chaining", "c1", "cit-1", "cit-1", True),
    ("chaining", "c2", "ref-c2", "web-1", False),  # citation copy of a website record
]

#: record_id -> (final, reason) at title/abstract and full text.
HAND_TITLE_ABSTRACT = {
    "pmid-1": ("include", ""),
    "pmid-2": ("include", ""),
    "pmid-3": ("exclude", ""),
    "pmid-4": ("exclude", ""),
    "pmid-5": ("include", ""),
    "pmid-6": ("include", ""),
    "pmid-7": ("exclude", ""),
    "doi-a": ("include", ""),
    "doi-b": ("exclude", ""),
    "reg-1": ("include", ""),
    "web-1": ("include", ""),
    "web-2": ("exclude", ""),
    "cit-1": ("include", ""),
}
HAND_FULL_TEXT = {
    "pmid-1": ("include", ""),
    "pmid-2": ("exclude", "Wrong population"),
    "pmid-5": ("exclude", "Wrong population"),
    "pmid-6": ("not_retrieved", ""),
    "doi-a": ("exclude", "Not primary research"),
    "reg-1": ("include", ""),
    "web-1": ("include", ""),
    "cit-1": ("not_retrieved", ""),
}
HAND_SETTINGS = {
    "title": "Hand-made test review",
    "removed_other": ["reg-2"],
    "previous_studies": 4,
    "previous_reports": 5,
}

#: Every box of the hand review, counted by hand from the tables above.
HAND_EXPECTED = {
    "source__pubmed_q1": 6,
    "source__pubmed_q2": 3,
    "source__embase": 4,
    "source__ctgov": 2,
    "source__gov_sites": 3,
    "source__chaining": 2,
    "database_results": 13,
    "register_results": 2,
    "website_results": 3,
    "organisation_results": 0,
    "citations_results": 2,
    "other_results": 0,
    "duplicates": 4,  # pmid-5 and pmid-6 again, ref-e1, ref-e4
    "excluded_automatic": 0,
    "excluded_other": 1,  # reg-2
    "records_screened": 10,
    "records_excluded": 4,
    "dbr_pending_title_abstract": 0,
    "dbr_sought_reports": 6,
    "dbr_notretrieved_reports": 1,
    "dbr_assessed": 5,
    "dbr_excluded": 3,
    "dbr_pending_full_text": 0,
    "dbr_included": 2,
    "other_duplicates": 2,  # ref-w3 (a database record), ref-c2 (a website record)
    "other_excluded_automatic": 0,
    "other_excluded_other": 0,
    "other_records_screened": 3,
    "other_records_excluded": 1,
    "other_pending_title_abstract": 0,
    "other_sought_reports": 2,
    "other_notretrieved_reports": 1,
    "other_assessed": 1,
    "other_excluded": 0,
    "other_pending_full_text": 0,
    "other_included": 1,
    "new_studies": 3,
    "new_reports": 3,
}


@dataclass(frozen=True)
class ReviewFiles:
    search_log: Path
    clusters: Path
    title_abstract: Path
    full_text: Path


def flow_of(
    files: ReviewFiles, settings: dict | None = None, *, title_abstract=True, full_text=True
) -> PrismaFlow:
    """The checked flow of a review written by the helpers here."""
    return build_flow(
        search_log=files.search_log,
        clusters=files.clusters,
        title_abstract=files.title_abstract if title_abstract else None,
        full_text=files.full_text if full_text else None,
        settings=settings_from_mapping(settings or {}),
    )


def write_clusters(path: Path, hits: list[tuple[str, str, str, str, str, bool]]) -> None:
    """hits: (source, source_type, source_id, record_id, cluster_id, is_canonical)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CLUSTER_COLUMNS)
        for source, source_type, source_id, record_id, cluster_id, canonical in hits:
            writer.writerow(
                [source, source_type, source_id, record_id, cluster_id, str(canonical).lower()]
            )


def write_decisions(path: Path, decisions: dict[str, tuple[str, str]]) -> None:
    """A decisions.csv as reconciliation writes it: both reviewers agree with the final."""
    outcomes = {
        "include": "agree_include",
        "exclude": "agree_exclude",
        "pending": "pending",
        "not_retrieved": "not_retrieved",
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(DECISION_COLUMNS)
        for record_id, (final, reason) in decisions.items():
            per_reviewer = [] if final == "pending" else [final, reason]
            writer.writerow(
                [record_id, f"Title of {record_id}", outcomes[final], final, reason]
                + (per_reviewer * len(REVIEWERS) if per_reviewer else ["", ""] * len(REVIEWERS))
            )


def write_search_log_for(
    path: Path, sources: dict[str, tuple[str, str]], counts: dict[str, int]
) -> None:
    rows = []
    for name, (source_type, database) in sources.items():
        row = dict.fromkeys(SEARCH_LOG_COLUMNS, "")
        row |= {
            "source": name,
            "source_type": source_type,
            "database": database,
            "query": f"query of {name}",
            "date_run": "2026-11-01T00:00:00+00:00",
            "count_reported": counts.get(name, 0),
            "records_fetched": counts.get(name, 0),
            "file": f"results/search/{name}.csv",
        }
        rows.append(row)
    write_search_log(path, rows)


def hand_review(directory: Path) -> ReviewFiles:
    """Write the hand-made review into ``directory``."""
    files = ReviewFiles(
        search_log=directory / "search_log.csv",
        clusters=directory / "clusters.csv",
        title_abstract=directory / "title_abstract.csv",
        full_text=directory / "full_text.csv",
    )
    counts: dict[str, int] = {}
    for source, *_ in HAND_HITS:
        counts[source] = counts.get(source, 0) + 1
    write_search_log_for(files.search_log, HAND_SOURCES, counts)
    write_clusters(
        files.clusters,
        [(s, HAND_SOURCES[s][0], sid, rid, cid, canon) for s, sid, rid, cid, canon in HAND_HITS],
    )
    write_decisions(files.title_abstract, HAND_TITLE_ABSTRACT)
    write_decisions(files.full_text, HAND_FULL_TEXT)
    return files


#: Sources of the generated review: name -> (source_type, database label, share of hits).
GENERATED_SOURCES = {
    "pubmed_main": ("database", "PubMed", 0.40),
    "pubmed_extra": ("database", "PubMed", 0.10),
    "scopus": ("database", "Scopus", 0.20),
    "ictrp": ("register", "WHO ICTRP", 0.05),
    "ngo_sites": ("website", "NGO websites", 0.08),
    "who": ("organisation", "WHO", 0.05),
    "citations": ("citation", "Citation searching", 0.10),
    "expert": ("other", "Expert contact", 0.02),
}
REASONS = ("Wrong population", "Wrong concept", "Wrong context", "Not primary research")


def generated_review(
    directory: Path, *, n_hits: int = 5000, seed: int = 7, pending: bool = False
) -> tuple[ReviewFiles, dict]:
    """A review of ``n_hits`` source hits with random duplicates and decisions.

    With ``pending`` some records have no decision yet (rows missing or final ``pending``).
    Returns the files and the settings used.
    """
    rng = random.Random(seed)
    names = list(GENERATED_SOURCES)
    weights = [GENERATED_SOURCES[n][2] for n in names]
    hits: list[tuple[str, str, str, str, str, bool]] = []
    clusters: list[str] = []
    serial = 0
    while len(hits) < n_hits:
        size = min(rng.choices([1, 2, 3, 4], weights=[70, 20, 7, 3])[0], n_hits - len(hits))
        cluster_id = f"rec-{len(clusters):05d}"
        clusters.append(cluster_id)
        for i in range(size):
            serial += 1
            source = rng.choices(names, weights=weights)[0]
            record_id = cluster_id if i == 0 else f"ref-{serial:06d}"
            hits.append(
                (
                    source,
                    GENERATED_SOURCES[source][0],
                    f"{source}-{serial}",
                    record_id,
                    cluster_id,
                    i == 0,
                )
            )
    rng.shuffle(hits)
    removed_automation = sorted(rng.sample(clusters, 15))
    removed_other = sorted(rng.sample([c for c in clusters if c not in removed_automation], 7))
    removed = set(removed_automation) | set(removed_other)

    title_abstract: dict[str, tuple[str, str]] = {}
    full_text: dict[str, tuple[str, str]] = {}
    for cluster_id in clusters:
        if cluster_id in removed:
            continue
        roll = rng.random()
        if pending and roll < 0.04:
            continue  # not yet on a sheet
        if pending and roll < 0.08:
            title_abstract[cluster_id] = ("pending", "")
            continue
        if rng.random() < 0.8:
            title_abstract[cluster_id] = ("exclude", "")
            continue
        title_abstract[cluster_id] = ("include", "")
        roll = rng.random()
        if pending and roll < 0.1:
            if roll < 0.05:
                full_text[cluster_id] = ("pending", "")
            continue
        roll = rng.random()
        if roll < 0.05:
            full_text[cluster_id] = ("not_retrieved", "")
        elif roll < 0.6:
            full_text[cluster_id] = ("exclude", rng.choice(REASONS))
        else:
            full_text[cluster_id] = ("include", "")
    # Sheets list records in their own order, not the clusters' order.
    ta_items = list(title_abstract.items())
    rng.shuffle(ta_items)

    files = ReviewFiles(
        search_log=directory / "search_log.csv",
        clusters=directory / "clusters.csv",
        title_abstract=directory / "title_abstract.csv",
        full_text=directory / "full_text.csv",
    )
    counts: dict[str, int] = {}
    for hit in hits:
        counts[hit[0]] = counts.get(hit[0], 0) + 1
    write_search_log_for(
        files.search_log, {n: GENERATED_SOURCES[n][:2] for n in GENERATED_SOURCES}, counts
    )
    write_clusters(files.clusters, hits)
    write_decisions(files.title_abstract, dict(ta_items))
    write_decisions(files.full_text, full_text)
    settings = {
        "title": "Generated review",
        "removed_automation": removed_automation,
        "removed_other": removed_other,
    }
    return files, settings
