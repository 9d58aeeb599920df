"""Load and check the YAML parameter files.

A broken file stops the program at start-up with a message naming the file and the key: an
unknown key, a duplicate or unparseable date, a value without a reference, a wrong type.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ace321.rules.ruleset import Parameter, RuleSet, Step

DATA_DIR = Path(__file__).parent / "data"
MANIFEST_FILE = "rules.yaml"

PARAMETER_KEYS = {"description", "metadata", "values", "documentation"}
METADATA_KEYS = {"unit", "reference"}
STEP_KEYS = {"value", "reference", "note"}
MANIFEST_KEYS = {"label", "compiled", "coverage_start", "source", "disclaimer"}


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the key."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one silently."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        try:
            key = loader.construct_object(key_node, deep=deep)
        except ValueError as error:
            raise RuleError(
                f"values: {key_node.value!r} is not a date (YYYY-MM-DD): {error}"
                f" (line {key_node.start_mark.line + 1})"
            ) from None
        if key in mapping:
            raise RuleError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping  # type: ignore[arg-type]
)


def _read(path: Path, where: str | None = None) -> dict:
    where = where or str(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except RuleError as error:
        raise RuleError(f"{where}: {error}") from None
    except yaml.YAMLError as error:
        raise RuleError(f"{where}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise RuleError(f"{where}: expected a mapping at the top level")
    return document


def _unit_check(unit: str) -> Callable[[Any], bool]:
    if unit.startswith("currency:"):
        return lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool) and v >= 0)
    if unit == "percent":
        return lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100)
    if unit == "boolean":
        return lambda v: isinstance(v, bool)
    if unit.startswith("list:"):
        return lambda v: isinstance(v, list) and all(isinstance(item, str) for item in v)
    raise RuleError(f"unknown unit {unit!r}")


def _parameter(path: Path, name: str) -> Parameter:
    where = f"{path} ({name})"
    document = _read(path, where)
    for key in document:
        if key not in PARAMETER_KEYS:
            raise RuleError(f"{where}: unknown key {key!r}")
    for key in ("description", "metadata", "values"):
        if key not in document:
            raise RuleError(f"{where}: missing key {key!r}")
    metadata = document["metadata"]
    if not isinstance(metadata, dict):
        raise RuleError(f"{where}: metadata must be a mapping")
    for key in metadata:
        if key not in METADATA_KEYS:
            raise RuleError(f"{where}: unknown key 'metadata.{key}'")
    if "unit" not in metadata:
        raise RuleError(f"{where}: missing key 'metadata.unit'")
    try:
        check = _unit_check(str(metadata["unit"]))
    except RuleError as error:
        raise RuleError(f"{where}: metadata.unit: {error}") from None
    values = document["values"]
    if not isinstance(values, dict) or not values:
        raise RuleError(f"{where}: values must be a non-empty mapping of start dates")
    steps = []
    for start, entry in values.items():
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise RuleError(f"{where}: values: {start!r} is not a date (YYYY-MM-DD)")
        key = f"values.{start.isoformat()}"
        if not isinstance(entry, dict):
            raise RuleError(f"{where}: {key} must be a mapping with value and reference")
        for entry_key in entry:
            if entry_key not in STEP_KEYS:
                raise RuleError(f"{where}: unknown key '{key}.{entry_key}'")
        if "value" not in entry:
            raise RuleError(f"{where}: {key} has no value")
        reference = entry.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            raise RuleError(f"{where}: {key} has no reference")
        if not check(entry["value"]):
            raise RuleError(f"{where}: {key}.value {entry['value']!r} does not fit unit {metadata['unit']}")
        steps.append(Step(start=start, value=entry["value"], reference=reference.strip()))
    steps.sort(key=lambda step: step.start)
    return Parameter(
        name=name,
        description=str(document["description"]),
        unit=str(metadata["unit"]),
        reference=str(metadata.get("reference", "")),
        steps=tuple(steps),
        source_file=str(path),
    )


def load_rules(directory: Path | str | None = None) -> RuleSet:
    """Load every parameter under ``directory`` (default: the bundled rules) and check it."""
    root = Path(directory) if directory is not None else DATA_DIR
    manifest_path = root / MANIFEST_FILE
    if not manifest_path.is_file():
        raise RuleError(f"{manifest_path}: missing rule-set manifest")
    manifest = _read(manifest_path)
    for key in manifest:
        if key not in MANIFEST_KEYS:
            raise RuleError(f"{manifest_path}: unknown key {key!r}")
    coverage_start = manifest.get("coverage_start")
    if not isinstance(coverage_start, dt.date):
        raise RuleError(f"{manifest_path}: coverage_start must be a date (YYYY-MM-DD)")
    digest = hashlib.sha256()
    parameters: dict[str, Parameter] = {}
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
        if path == manifest_path:
            continue
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        parameter = _parameter(path, name)
        if parameter.steps[0].start > coverage_start:
            raise RuleError(f"{path} ({name}): first value starts after coverage_start {coverage_start}")
        parameters[name] = parameter
    label = str(manifest.get("label", "unlabelled"))
    return RuleSet(
        version=f"{label}+{digest.hexdigest()[:12]}",
        label=label,
        coverage_start=coverage_start,
        disclaimer=str(manifest.get("disclaimer", "")),
        parameters=parameters,
    )
