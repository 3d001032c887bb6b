"""Deduplication: exact identifiers, blocked fuzzy comparison, people's decisions, audit log."""

from scoping.dedup.engine import DedupResult, deduplicate
from scoping.dedup.settings import DedupSettings, load_settings

__all__ = ["DedupResult", "DedupSettings", "deduplicate", "load_settings"]
