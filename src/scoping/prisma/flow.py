"""PRISMA 2020 counts: every box as the list of record IDs behind it, checked to add up.

Two arms, as in the PRISMA 2020 diagram: records from databases and registers (``dbr``) and
from other methods (``other``: websites, organisations, citation searching, other). A duplicate
cluster belongs to the databases arm when any of its hits came from a database or register, so
a record found both ways is counted once, on the left, and its other-method hits are duplicates.
Each count is the length of an ID list, so every number can be traced to records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scoping.errors import ScopingError
from scoping.prisma.inputs import Decision, Hit, SearchSource
from scoping.prisma.settings import PrismaSettings

DBR_TYPES = ("database", "register")
OTHER_TYPES = ("website", "organisation", "citation", "other")
ARMS = ("dbr", "other")
NO_REASON = "Reason not recorded"


def hit_line(hit: Hit) -> str:
    """How a source hit is listed in a box file: record ID, source, the source's own ID."""
    return f"{hit.record_id}\t{hit.source}\t{hit.source_id}"


@dataclass
class Arm:
    """The ID lists behind one arm's boxes, top to bottom."""

    identified: list[str] = field(default_factory=list)  # hit lines
    duplicates: list[str] = field(default_factory=list)  # hit lines
    removed_automation: list[str] = field(default_factory=list)
    removed_other: list[str] = field(default_factory=list)
    records_screened: list[str] = field(default_factory=list)
    records_excluded: list[str] = field(default_factory=list)
    pending_title_abstract: list[str] = field(default_factory=list)
    reports_sought: list[str] = field(default_factory=list)
    reports_not_retrieved: list[str] = field(default_factory=list)
    reports_assessed: list[str] = field(default_factory=list)
    reports_excluded: dict[str, list[str]] = field(default_factory=dict)  # reason -> IDs
    pending_full_text: list[str] = field(default_factory=list)
    included: list[str] = field(default_factory=list)

    @property
    def n_reports_excluded(self) -> int:
        return sum(len(ids) for ids in self.reports_excluded.values())


@dataclass
class PrismaFlow:
    """Every PRISMA box of one review, as ID lists."""

    sources: dict[str, SearchSource]
    identified: dict[str, list[str]]  # source -> hit lines, in search-log order
    arms: dict[str, Arm]
    settings: PrismaSettings
    #: Decision rows for records merged into another cluster: not counted, listed for audit.
    superseded: dict[str, list[str]]  # stage -> record IDs
    title_abstract_started: bool
    full_text_started: bool

    @property
    def included(self) -> list[str]:
        return self.arms["dbr"].included + self.arms["other"].included

    @property
    def pending(self) -> dict[str, int]:
        return {
            "title_abstract": sum(len(a.pending_title_abstract) for a in self.arms.values()),
            "full_text": sum(len(a.pending_full_text) for a in self.arms.values()),
        }

    @property
    def is_complete(self) -> bool:
        return not any(self.pending.values())

    def identified_by_type(self) -> dict[str, int]:
        counts = Counter()
        for name, lines in self.identified.items():
            counts[self.sources[name].source_type] += len(lines)
        return {t: counts.get(t, 0) for t in DBR_TYPES + OTHER_TYPES}

    def identified_by_database(self, *, source_types: tuple[str, ...]) -> dict[str, int]:
        """Hits per database label (two queries of one database add up), search-log order."""
        counts: dict[str, int] = {}
        for name, lines in self.identified.items():
            source = self.sources[name]
            if source.source_type in source_types:
                counts[source.database] = counts.get(source.database, 0) + len(lines)
        return counts


def _arm_of(source_type: str) -> str:
    return "dbr" if source_type in DBR_TYPES else "other"


def compute_flow(
    *,
    sources: dict[str, SearchSource],
    hits: list[Hit],
    title_abstract: dict[str, Decision] | None,
    full_text: dict[str, Decision] | None,
    settings: PrismaSettings,
    files: dict[str, str | Path] | None = None,
) -> PrismaFlow:
    """Count every box from the search log, the clusters and the two stages' decisions.

    ``title_abstract`` / ``full_text`` are ``None`` while a stage has not started (all
    pending). ``files`` names the input files in error messages (keys: search_log, clusters,
    title_abstract, full_text). Raises ``ScopingError`` when the inputs disagree.
    """
    files = files or {}
    identified = _identified_by_source(sources=sources, hits=hits, files=files)

    # Clusters in first-seen order; a cluster is on the databases arm if any hit is.
    members: dict[str, list[Hit]] = {}
    for hit in hits:
        members.setdefault(hit.cluster_id, []).append(hit)
    cluster_arm = {
        cid: "dbr" if any(h.source_type in DBR_TYPES for h in group) else "other"
        for cid, group in members.items()
    }
    merged_ids = {h.record_id: h.cluster_id for h in hits if h.record_id not in members}

    arms = {arm: Arm() for arm in ARMS}
    for name, lines in identified.items():
        arms[_arm_of(sources[name].source_type)].identified.extend(lines)
    _split_duplicates(members=members, cluster_arm=cluster_arm, arms=arms)

    removed = _removed_before_screening(settings=settings, cluster_arm=cluster_arm)
    for cid, arm_name in cluster_arm.items():
        arm = arms[arm_name]
        how = removed.get(cid)
        if how == "removed_automation":
            arm.removed_automation.append(cid)
        elif how == "removed_other":
            arm.removed_other.append(cid)
        else:
            arm.records_screened.append(cid)

    ta_file = str(files.get("title_abstract", "title_abstract decisions"))
    ft_file = str(files.get("full_text", "full_text decisions"))
    superseded = {
        stage: _superseded_rows(
            stage=stage,
            decisions=decisions,
            cluster_ids=cluster_arm,
            merged_ids=merged_ids,
            file=path,
        )
        for stage, decisions, path in (
            ("title_abstract", title_abstract, ta_file),
            ("full_text", full_text, ft_file),
        )
    }
    ta = title_abstract or {}
    ft = full_text or {}
    for cid in removed:
        decision = ta.get(cid)
        if decision is not None and decision.final in ("include", "exclude"):
            raise ScopingError(
                f"record {cid} is listed in setting '{removed[cid]}' (removed before screening) "
                f"but was screened ({decision.final}) at title/abstract",
                file=ta_file,
                row=decision.row,
                column="final",
                fix=f"drop {cid} from '{removed[cid]}', or its screening decision.",
            )
    for arm in arms.values():
        _screen(arm, ta=ta, ft=ft, ta_file=ta_file)
    _check_full_text_follows_title_abstract(ta=ta, ft=ft, cluster_ids=cluster_arm, ft_file=ft_file)
    flow = PrismaFlow(
        sources=sources,
        identified=identified,
        arms=arms,
        settings=settings,
        superseded=superseded,
        title_abstract_started=title_abstract is not None,
        full_text_started=full_text is not None,
    )
    check_flow(flow)
    return flow


def _split_duplicates(
    *, members: dict[str, list[Hit]], cluster_arm: dict[str, str], arms: dict[str, Arm]
) -> None:
    """Keep one hit per cluster in the cluster's arm; every other hit is a duplicate.

    The kept hit is the canonical one if it is in the cluster's arm, else the arm's first.
    """
    for cid, group in members.items():
        in_arm = [h for h in group if _arm_of(h.source_type) == cluster_arm[cid]]
        keep = next((h for h in in_arm if h.is_canonical), in_arm[0])
        for hit in group:
            if hit is not keep:
                arms[_arm_of(hit.source_type)].duplicates.append(hit_line(hit))


def _superseded_rows(
    *,
    stage: str,
    decisions: dict[str, Decision] | None,
    cluster_ids: dict[str, str],
    merged_ids: dict[str, str],
    file: str,
) -> list[str]:
    """Decision rows of records dedup merged into another; unknown records are an error.

    Their decisions count for the record they joined (``merged_rows``): listed here so that
    every row of every sheet is accounted for.
    """
    superseded = []
    for rid, decision in (decisions or {}).items():
        if rid in cluster_ids:
            superseded.extend(decision.merged_rows)
            continue
        if rid not in merged_ids:
            raise ScopingError(
                f"record {rid} has a {stage} decision but is not in the deduplicated records",
                file=file,
                row=decision.row,
                column="record_id",
                fix="rerun the screening sheets after dedup, or remove the stale row.",
            )
        superseded.append(rid)
    return superseded


def _screen(arm: Arm, *, ta: dict[str, Decision], ft: dict[str, Decision], ta_file: str) -> None:
    """Sort an arm's screened records into the screening boxes by their final decisions."""
    for cid in arm.records_screened:
        decision = ta.get(cid)
        final = "pending" if decision is None else decision.final
        if final == "pending":
            arm.pending_title_abstract.append(cid)
        elif final == "exclude":
            arm.records_excluded.append(cid)
        elif final == "include":
            arm.reports_sought.append(cid)
        else:
            assert decision is not None
            raise ScopingError(
                f"record {cid} is '{final}' at title/abstract; reports are marked not "
                "retrieved at full text",
                file=ta_file,
                row=decision.row,
                column="final",
                fix="screen the title and abstract (include/exclude) and mark "
                "not_retrieved in the full-text sheet.",
            )
    for cid in arm.reports_sought:
        decision = ft.get(cid)
        final = "pending" if decision is None else decision.final
        if final == "not_retrieved":
            arm.reports_not_retrieved.append(cid)
            continue
        arm.reports_assessed.append(cid)
        if final == "pending":
            arm.pending_full_text.append(cid)
        elif final == "exclude":
            assert decision is not None
            arm.reports_excluded.setdefault(decision.reason or NO_REASON, []).append(cid)
        else:
            arm.included.append(cid)


def _identified_by_source(
    *, sources: dict[str, SearchSource], hits: list[Hit], files: dict[str, str | Path]
) -> dict[str, list[str]]:
    """Hit lines per source, cross-checked against the search log's records_fetched."""
    log_file = str(files.get("search_log", "search log"))
    clusters_file = str(files.get("clusters", "clusters file"))
    identified: dict[str, list[str]] = {name: [] for name in sources}
    for row, hit in enumerate(hits, start=2):
        source = sources.get(hit.source)
        if source is None:
            raise ScopingError(
                f"source '{hit.source}' of record {hit.record_id} is not in the search log",
                file=clusters_file,
                row=row,
                column="source",
                fix=f"pass the search log that lists every source ({log_file}).",
            )
        if source.source_type != hit.source_type:
            raise ScopingError(
                f"source '{hit.source}' is '{hit.source_type}' here but '{source.source_type}' "
                "in the search log",
                file=clusters_file,
                row=row,
                column="source_type",
                fix="rerun dedup after the search so both use the config's source type.",
            )
        identified[hit.source].append(hit_line(hit))
    for name, source in sources.items():
        if len(identified[name]) != source.records_fetched:
            raise ScopingError(
                f"boxes identified/{name} disagree: clusters.csv has {len(identified[name])} "
                f"hits from '{name}' but the search log says records_fetched "
                f"{source.records_fetched}",
                file=clusters_file,
                column="source",
                fix="rerun dedup on the current search results.",
            )
    return identified


def _removed_before_screening(
    *, settings: PrismaSettings, cluster_arm: dict[str, str]
) -> dict[str, str]:
    removed: dict[str, str] = {}
    for key in ("removed_automation", "removed_other"):
        for rid in getattr(settings, key):
            if rid not in cluster_arm:
                raise ScopingError(
                    f"setting '{key}' names record {rid}, which is not a deduplicated record",
                    file="--settings",
                    column=key,
                    fix="list record IDs from the cluster_id column of clusters.csv.",
                )
            if rid in removed and removed[rid] != key:
                raise ScopingError(
                    f"record {rid} is in both 'removed_automation' and 'removed_other'",
                    file="--settings",
                    column=key,
                    fix="list each removed record once.",
                )
            removed[rid] = key
    return removed


def _check_full_text_follows_title_abstract(
    *,
    ta: dict[str, Decision],
    ft: dict[str, Decision],
    cluster_ids: dict[str, str],
    ft_file: str,
) -> None:
    """A decided full-text row needs an include at title/abstract (the record's report)."""
    for rid, decision in ft.items():
        if decision.final == "pending" or rid not in cluster_ids:
            # A pending row left from an earlier include carries no number: ignore it.
            continue
        before = ta.get(rid)
        if before is None:
            raise ScopingError(
                f"record {rid} is '{decision.final}' at full text but missing from the "
                "title/abstract decisions (boxes reports_assessed vs records_screened)",
                file=ft_file,
                row=decision.row,
                column="final",
                fix="screen it at title/abstract first, or remove its full-text row.",
            )
        if before.final != "include":
            raise ScopingError(
                f"record {rid} is '{decision.final}' at full text but '{before.final}' at "
                "title/abstract (boxes reports_assessed vs records_excluded)",
                file=ft_file,
                row=decision.row,
                column="final",
                fix="include it at title/abstract, or set its full-text final to pending.",
            )


def check_flow(flow: PrismaFlow) -> None:
    """Check that the boxes add up at every step; raise naming the boxes and records if not."""
    for arm_name, arm in flow.arms.items():
        excluded = [cid for ids in arm.reports_excluded.values() for cid in ids]
        steps = (
            (
                f"{arm_name}: identified - duplicates = records after duplicates removed",
                len(arm.identified) - len(arm.duplicates),
                arm.removed_automation + arm.removed_other + arm.records_screened,
            ),
            (
                f"{arm_name}: records_screened = records_excluded + reports_sought + pending",
                arm.records_screened,
                arm.records_excluded + arm.reports_sought + arm.pending_title_abstract,
            ),
            (
                f"{arm_name}: reports_sought = reports_not_retrieved + reports_assessed",
                arm.reports_sought,
                arm.reports_not_retrieved + arm.reports_assessed,
            ),
            (
                f"{arm_name}: reports_assessed = reports_excluded + included + pending",
                arm.reports_assessed,
                excluded + arm.included + arm.pending_full_text,
            ),
        )
        for label, left, right in steps:
            _check_step(label, left, right)
    all_hits = sum(len(lines) for lines in flow.identified.values())
    _check_step(
        "identified (all sources) = identified (both arms)",
        all_hits,
        flow.arms["dbr"].identified + flow.arms["other"].identified,
    )


def _check_step(label: str, left: int | list[str], right: list[str]) -> None:
    if isinstance(left, int):
        if left != len(right):
            raise ScopingError(f"PRISMA boxes do not add up: {label} ({left} != {len(right)})")
        return
    left_c, right_c = Counter(left), Counter(right)
    if left_c != right_c:
        only_left = sorted((left_c - right_c).elements())[:5]
        only_right = sorted((right_c - left_c).elements())[:5]
        raise ScopingError(
            f"PRISMA boxes do not add up: {label} ({len(left)} != {len(right)}); "
            f"only on the left: {', '.join(only_left) or 'none'}; "
            f"only on the right: {', '.join(only_right) or 'none'}"
        )
