"""Checks a structured-output reply against its JSON Schema, with the `jsonschema` library.

The schema is applied with its own draft (its `$schema`; 2020-12 when it names none), with
format checking on, so every keyword counts: `oneOf`, `allOf`, `not`, `pattern`, `format`,
`$ref`, `if`/`then`... Problems are short lines naming where the reply went wrong
("$.items[2].email: 'x' is not a 'email'"), the most relevant first, at most 20. The check
is advisory: the reply is always shown. References are only followed inside the schema
itself; nothing is ever fetched.

`jsonschema` is imported inside the functions: it costs tens of milliseconds, and
`parley ask` without `--json-schema` must not pay for it.
"""

from __future__ import annotations

import itertools
import json
import re
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

_MAX_ERRORS = 20
#: errors looked at to pick the most relevant ones (a huge array could yield millions)
_MAX_SCANNED = 1000
_MAX_MESSAGE = 200


def _validator_class(schema: Any) -> type[Validator]:
    from jsonschema import validators

    default: type[Validator] = validators.Draft202012Validator
    if not isinstance(schema, dict) or not isinstance(schema.get("$schema"), str):
        return default
    with warnings.catch_warnings():
        # An unknown $schema falls back to the latest draft, with a deprecation warning
        # meant for developers, not for someone reading a reply.
        warnings.simplefilter("ignore", DeprecationWarning)
        cls: type[Validator] = validators.validator_for(schema, default=default)
    return cls


def schema_problems(schema: Any) -> list[str]:
    """Problems that make `schema` unusable (not the reply's problems): empty when fine."""
    if not isinstance(schema, dict | bool):
        return [f"schema must be an object, not {_describe(schema)}"]
    cls = _validator_class(schema)
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    try:
        errors = list(itertools.islice(meta.iter_errors(schema), _MAX_SCANNED))
    except RecursionError:
        return ["schema is nested too deeply to be checked"]
    return _unique(_schema_line(error) for error in _ranked(errors))


def _schema_line(error: ValidationError) -> str:
    path = list(error.path)
    if path and path[-1] == "type" and error.validator in ("anyOf", "enum", "type"):
        where = _schema_where(path[:-1])
        return f"{where}: unknown type {error.instance!r}"
    return f"{_schema_where(path)}: {_shorten(error.message)}"


def _schema_where(path: list[Any]) -> str:
    return "schema" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def check_instance(value: Any, schema: Any) -> list[str]:
    """Where `value` does not conform to `schema`: JSON-path-like messages, empty when it does.

    An unusable schema gives one line per problem with the schema instead.
    """
    problems = schema_problems(schema)
    if problems:
        return [f"the JSON schema itself is invalid: {p}" for p in problems]
    cls = _validator_class(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    try:
        errors = list(itertools.islice(validator.iter_errors(value), _MAX_SCANNED))
    except RecursionError:
        return ["the JSON schema could not be applied: it refers to itself without end"]
    except Exception as exc:  # jsonschema/referencing raise a family of their own
        return [f"the JSON schema could not be applied: {_schema_failure(exc)}"]
    return _unique(f"{error.json_path}: {_message(error)}" for error in _ranked(errors))


def _schema_failure(exc: Exception) -> str:
    """Why a valid-looking schema could not be used (most often an unresolvable `$ref`)."""
    from referencing.exceptions import Unresolvable

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, Unresolvable):
        cause = cause.__cause__
    if isinstance(cause, Unresolvable):
        return (
            f"the reference {cause.ref!r} does not point into the schema "
            "(only references inside the schema are followed)"
        )
    return _shorten(f"{type(exc).__name__}: {exc}")


def _ranked(errors: list[ValidationError]) -> list[ValidationError]:
    """The best match first (as jsonschema ranks them), then the others in order."""
    from jsonschema.exceptions import best_match

    best = best_match(errors)
    if best is None:
        return []
    top = best
    while top.parent is not None:
        top = top.parent
    return [best, *(error for error in errors if error is not top)]


def _message(error: ValidationError) -> str:
    """A short sentence for one failure; the common ones in plain words."""
    kind = error.validator
    instance = error.instance
    if kind == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return f"expected {' or '.join(str(n) for n in names)}, got {_describe(instance)}"
    if kind == "required":
        missing = error.message.removesuffix(" is a required property")
        return f"missing required property {missing}"
    if kind == "additionalProperties" and isinstance(instance, dict):
        extras = _unexpected(instance, error.schema)
        if extras:
            noun = "property" if len(extras) == 1 else "properties"
            return f"unexpected {noun} " + ", ".join(repr(name) for name in extras[:10])
    return _shorten(error.message)


def _unexpected(instance: dict[str, Any], schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    props = schema.get("properties")
    known = props if isinstance(props, dict) else {}
    patterns = schema.get("patternProperties")
    regexes = list(patterns) if isinstance(patterns, dict) else []
    return [
        name for name in instance
        if name not in known and not any(re.search(rx, name) for rx in regexes)
    ]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _unique(lines: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for line in lines:
        if line not in seen:
            seen.append(line)
            if len(seen) >= _MAX_ERRORS:
                break
    return seen


def check_reply(text: str, schema: dict[str, Any]) -> list[str]:
    """Problems with a structured-output reply: not JSON at all, or not matching `schema`."""
    stripped = text.strip()
    # Some models wrap JSON in a Markdown fence despite response_format; accept that.
    if stripped.startswith("```"):
        stripped = stripped.strip("`")
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0] if "```" in stripped else stripped
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return [f"the reply is not valid JSON ({exc.msg} at line {exc.lineno})"]
    except RecursionError:
        return ["the reply is nested too deeply to be read as JSON"]
    return check_instance(value, schema)
