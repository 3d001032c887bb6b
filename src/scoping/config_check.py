"""Config validation with one clear line per problem, before Snakemake's own validation.

Snakemake's ``validate`` reports a problem with the whole schema attached; a reviewer needs the
key, what is wrong with it and where to read about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jsonschema
import yaml

from scoping.errors import ScopingError


def _key_path(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(k for k in error.instance if k not in allowed)
        if unknown:
            return ".".join(filter(None, (path, unknown[0])))
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return ".".join(filter(None, (path, missing)))
    return path or "(top level)"


def check_config(config: Mapping[str, object], *, schema_path: str | Path) -> None:
    """Raise ``ScopingError`` naming the first bad key of ``config``, if any."""
    schema = yaml.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(dict(config)))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    # if/then schemas report the branch's own error: that is the one people can act on.
    while error.context:
        error = jsonschema.exceptions.best_match(error.context)
    key = _key_path(error)
    if error.validator == "additionalProperties":
        message = f"unknown key '{key}'"
        fix = "check its spelling against config/README.md (unknown keys are refused)."
    elif error.validator == "required":
        message = f"missing key '{key}'"
        fix = "add it; config/README.md says what it holds."
    else:
        message = f"key '{key}': {error.message}"
        fix = "see config/README.md for what this key takes."
    raise ScopingError(f"invalid config: {message}.", fix=fix)
