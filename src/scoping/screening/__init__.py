"""Two-reviewer screening in spreadsheets: sheets, read-back, reconciliation, agreement."""

from scoping.screening.agreement import cohen_kappa
from scoping.screening.layout import sheet_path, sheet_paths
from scoping.screening.reconcile import reconcile_stage
from scoping.screening.settings import STAGES, ScreeningSettings, load_settings
from scoping.screening.sheets import update_sheets, write_manifest

__all__ = [
    "STAGES",
    "ScreeningSettings",
    "cohen_kappa",
    "load_settings",
    "reconcile_stage",
    "sheet_path",
    "sheet_paths",
    "update_sheets",
    "write_manifest",
]
