"""Read a trip file (YAML or JSON, see ``examples/trip.yaml``) into a ``Trip``.

A file that cannot be read at all (missing, not text, broken YAML/JSON, not a mapping, a key
written twice) raises ``UnusableInput``. A readable file whose content does not fit the trip
format gives ``(None, issues)``: one ``Issue`` per problem, with the field path
(``trailers[0].license_plates[0].number``) and code ``MISSING_FIELD`` or ``INVALID_TRIP_FIELD``.
Field limits and code lists are checked later, by ``manifest.validation.validate_trip``.

YAML is read without YAML 1.1's guessing of plain scalars: ``ON`` (Ontario) stays ``"ON"``
instead of becoming ``true``, ``0101`` stays ``"0101"`` instead of the octal number 65, and
``42705555555501`` stays a string. Only ``true``/``false`` and ``null``/``~``/empty are
special; the trip model then converts each string to the type of its field (date, number...).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pydantic
import yaml

from ace321.intake.errors import UnusableInput
from ace321.intake.json_text import lone_surrogate
from ace321.manifest.model import Trip
from ace321.manifest.validation import Issue

JSON_SUFFIXES = {".json"}


class _DuplicateKey(ValueError):
    pass


class _TripLoader(yaml.SafeLoader):
    """A safe loader that keeps plain scalars as strings (see the module docstring)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class-level registry)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_TripLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_TripLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"key {key!r} appears twice")
        result[key] = value
    return result


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UnusableInput(str(path), f"cannot read the trip file: {error}") from error
    try:
        if path.suffix.lower() in JSON_SUFFIXES:
            found = lone_surrogate(text)
            if found is not None:
                raise UnusableInput(str(path), f"not valid JSON: lone surrogate {found[1]} at "
                                               f"character {found[0]} is not a Unicode character")
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return yaml.load(text, Loader=_TripLoader)  # a SafeLoader subclass: no arbitrary objects
    except (yaml.YAMLError, json.JSONDecodeError, _DuplicateKey) as error:
        kind = "JSON" if path.suffix.lower() in JSON_SUFFIXES else "YAML"
        raise UnusableInput(str(path), f"not valid {kind}: {error}") from error
    except RecursionError:
        raise UnusableInput(str(path), "nested too deeply to be a trip file") from None
    except ValueError as error:  # an integer of thousands of digits
        raise UnusableInput(str(path), f"not a trip file: {str(error).split(';')[0]}") from None


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('trailers', 0, 'license_plates', 0, 'number')`` -> ``trailers[0].license_plates[0].number``.

    >>> field_path(('trailers', 0, 'license_plates', 0, 'number'))
    'trailers[0].license_plates[0].number'
    >>> field_path(())
    '(trip)'
    """
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(trip)"


def _issue(error: Any) -> Issue:
    path = field_path(tuple(error["loc"]))
    kind, value = error["type"], error.get("input")
    if kind == "missing" or (value is None and kind != "extra_forbidden"):
        return Issue.of("MISSING_FIELD", path, f"{path} is required")
    if kind == "extra_forbidden":
        return Issue.of("INVALID_TRIP_FIELD", path, f"{path} is not a field of the trip file")
    message = f"{path}: {error['msg']}"
    if not isinstance(value, dict | list):
        message += f", got {value!r}"
    if kind == "string_type" and isinstance(value, int | float | bool):
        message += " (write it as a quoted string)"
    return Issue.of("INVALID_TRIP_FIELD", path, message)


def parse_trip(data: Any, source: str = "trip") -> tuple[Trip | None, list[Issue]]:
    """Build a ``Trip`` from already-parsed data (a mapping), or report why it cannot be."""
    if not isinstance(data, dict):
        what = "an empty file" if data is None else f"a {type(data).__name__}"
        raise UnusableInput(source, f"expected a mapping of trip fields at the top level, got {what}")
    try:
        return Trip.model_validate(data), []
    except pydantic.ValidationError as error:
        return None, [_issue(e) for e in error.errors(include_url=False)]


def load_trip(path: Path) -> tuple[Trip | None, list[Issue]]:
    """Read and parse the trip file at ``path`` (``.json`` as JSON, anything else as YAML)."""
    return parse_trip(_read(path), str(path))
