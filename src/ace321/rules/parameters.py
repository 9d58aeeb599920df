"""Dated parameter values (OpenFisca style), read and checked once for every rule-data file.

The screening rules (``rules/data``), the risk model (``risk/data``) and the entry-cost measures
(``rules/measures``) all hold values of the form::

    values:
      2019-05-10: {value: 25, reference: "84 FR 20459", note: "optional"}

each in force from its date (inclusive) until the next. This module reads such YAML strictly
(no duplicate keys, dates that exist) and checks the values; every error names the file, the
parameter (``where``) and the path inside it (``values.2019-05-10.value``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DataTree", "DatedValue", "RuleError", "dated_values", "read_tree", "read_yaml",
           "require_keys"]


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the key."""


def _dotted(trail: Iterable[object]) -> str:
    return ".".join(item.isoformat() if isinstance(item, dt.date) else str(item) for item in trail)


def _check_keys(loader: yaml.SafeLoader, node: yaml.Node, trail: tuple[object, ...]) -> None:
    """Refuse a duplicate key (YAML keeps the last one silently) or a date that does not exist,
    naming the path of the mapping it is in."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_keys(loader, item, (*trail, index))
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[object] = set()
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        try:
            key = loader.construct_object(key_node, deep=True)
        except ValueError as error:
            raise RuleError(f"{_dotted(trail) or 'top level'}: {key_node.value!r} is not a date "
                            f"(YYYY-MM-DD): {error} (line {line})") from None
        if isinstance(key, list | dict):
            raise RuleError(f"{_dotted(trail) or 'top level'}: a key must be a text or a date (line {line})")
        if key in seen:
            raise RuleError(f"{_dotted((*trail, key))}: duplicate key at line {line}")
        seen.add(key)
        _check_keys(loader, value_node, (*trail, key))


def read_yaml(path: Path, where: str | None = None) -> dict[str, Any]:
    """The YAML mapping of ``path``; errors are prefixed with ``where`` (default: the path)."""
    where = where or str(path)
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_keys(loader, node, ())
            document = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()  # type: ignore[no-untyped-call]
    except RuleError as error:
        raise RuleError(f"{where}: {error}") from None
    except yaml.YAMLError as error:
        raise RuleError(f"{where}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise RuleError(f"{where}: expected a mapping at the top level")
    return document


def require_keys(where: str, document: Any, allowed: set[str], required: Iterable[str] = (),
                 *, prefix: str = "") -> None:
    """``document`` is a mapping with only ``allowed`` keys and every ``required`` one."""
    if not isinstance(document, dict):
        raise RuleError(f"{where}: {prefix.rstrip('.') or 'the document'} must be a mapping")
    for key in document:
        if key not in allowed:
            raise RuleError(f"{where}: unknown key {prefix + str(key)!r}")
    for key in required:
        if key not in document:
            raise RuleError(f"{where}: missing key {prefix + key!r}")


@dataclass(frozen=True)
class DatedValue:
    """One dated value as written: in force from ``start`` until the next value's start."""

    start: dt.date
    value: Any
    reference: str
    note: str | None


def dated_values(where: str, values: Any, *, unit: str, fits: Callable[[Any], bool],
                 value_key: str = "value") -> tuple[DatedValue, ...]:
    """The ``values`` mapping checked and in date order (a file may list them in any order).

    Each entry needs ``value_key`` and a non-blank ``reference``, may have a ``note``, and its
    value must satisfy ``fits`` (the check of ``unit``, named in the error).
    """
    if not isinstance(values, dict) or not values:
        raise RuleError(f"{where}: values must be a non-empty mapping of start dates")
    found = []
    for start, entry in values.items():
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise RuleError(f"{where}: values: {start!r} is not a date (YYYY-MM-DD)")
        key = f"values.{start.isoformat()}"
        if not isinstance(entry, dict):
            raise RuleError(f"{where}: {key} must be a mapping with {value_key} and reference")
        require_keys(where, entry, {value_key, "reference", "note"}, prefix=f"{key}.")
        if value_key not in entry:
            raise RuleError(f"{where}: {key} has no {value_key}")
        reference = entry.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            raise RuleError(f"{where}: {key} has no reference")
        note = entry.get("note")
        if note is not None and not isinstance(note, str):
            raise RuleError(f"{where}: {key}.note must be a text")
        if not fits(entry[value_key]):
            raise RuleError(f"{where}: {key}.{value_key} {entry[value_key]!r} does not fit unit {unit}")
        found.append(DatedValue(start, entry[value_key], reference.strip(), note))
    return tuple(sorted(found, key=lambda dated: dated.start))



@dataclass(frozen=True)
class DataTree:
    """A folder of rule data: its manifest, its other YAML files and the version they make."""

    root: Path
    manifest: dict[str, Any]
    files: tuple[Path, ...]
    """Every YAML file under the root but the manifest, in path order."""
    label: str
    version: str
    """``<label>+<12 hex digits>``: the SHA-256 of every file's relative path and bytes, so any
    change to any file (the manifest too) is a new version, and a decision can name its data."""


def read_tree(root: Path, manifest_name: str, manifest_keys: set[str], what: str) -> DataTree:
    """The data under ``root``, whose manifest ``manifest_name`` may hold ``manifest_keys``."""
    manifest_path = root / manifest_name
    if not manifest_path.is_file():
        raise RuleError(f"{manifest_path}: missing {what} manifest")
    manifest = read_yaml(manifest_path)
    require_keys(str(manifest_path), manifest, manifest_keys)
    digest = hashlib.sha256()
    files = []
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
        if path != manifest_path:
            files.append(path)
    label = str(manifest.get("label", "unlabelled"))
    return DataTree(root, manifest, tuple(files), label, f"{label}+{digest.hexdigest()[:12]}")
