"""The config schema: both shipped configs are valid, and a bad key is named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scoping.config_check import check_config
from scoping.errors import ScopingError

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"


def _load(name: str) -> dict:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["config/config.yaml", "config/demo/config.yaml"])
def test_shipped_configs_are_valid(name: str) -> None:
    check_config(_load(name), schema_path=SCHEMA)


def test_every_schema_key_has_a_description() -> None:
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    missing = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if "description" not in sub and sub != {"const": "pubmed"} and key != "type":
                    missing.append(f"{path}.{key}")
                walk(sub, f"{path}.{key}")
            for branch in ("then", "additionalProperties"):
                if isinstance(node.get(branch), dict):
                    walk(node[branch], path + ".*" * (branch == "additionalProperties"))
            for sub in node.get("allOf", []):
                walk(sub, path)

    walk(schema, "config")
    assert missing == []


def test_the_live_query_is_a_real_pubmed_query() -> None:
    medline = _load("config/config.yaml")["sources"]["medline"]
    assert medline["type"] == "pubmed"
    assert "[tiab]" in medline["query"] and "twinning" in medline["query"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c.update(reviewer=["x"]), "unknown key 'reviewer'"),
        (lambda c: c["sources"]["medline"].pop("query"), "missing key 'sources.medline.query'"),
        (
            lambda c: c["sources"]["medline"].update(max_records="all"),
            "key 'sources.medline.max_records': 'all' is not of type 'integer'",
        ),
        (
            lambda c: c["screening"].update(maybe_policy="ask"),
            "key 'screening.maybe_policy'",
        ),
    ],
)
def test_bad_config_names_the_key(mutate, message: str) -> None:
    config = _load("config/config.yaml")
    mutate(config)
    with pytest.raises(ScopingError, match="invalid config: " + message.replace("(", r"\(")):
        check_config(config, schema_path=SCHEMA)
