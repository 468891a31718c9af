"""Structured-output replies checked against their JSON Schema: every keyword counts,
the schema's own draft is used, and a broken schema is a message, not a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.schema_check import check_instance, check_reply, schema_problems

ROOT = Path(__file__).resolve().parents[1]

CONTACTS = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"email": {"type": "string", "format": "email"}},
            },
        }
    },
}


def test_format_is_checked_and_the_place_is_named() -> None:
    reply = json.dumps({"items": [{"email": "a@b.example"}, {"email": "c@d.example"},
                                  {"email": "x"}]})
    assert check_reply(reply, CONTACTS) == ["$.items[2].email: 'x' is not a 'email'"]


# (schema, a value that breaks it, words the problem must contain)
KEYWORDS: list[tuple[str, dict[str, Any], Any, str]] = [
    ("oneOf", {"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 5, "valid under each of"),
    ("allOf", {"allOf": [{"type": "string"}, {"maxLength": 2}]}, "abc", "is too long"),
    ("anyOf", {"anyOf": [{"type": "string"}, {"type": "boolean"}]}, 3, "not valid under any"),
    ("not", {"not": {"type": "null"}}, None, "should not be valid"),
    ("pattern", {"type": "string", "pattern": "^[A-Z]{3}$"}, "usd", "does not match"),
    ("format date", {"type": "string", "format": "date"}, "31/12/2026", "is not a 'date'"),
    ("$ref", {"$defs": {"code": {"type": "string", "pattern": "^[0-9]+$"}},
              "type": "object", "properties": {"zip": {"$ref": "#/$defs/code"}}},
     {"zip": "12a"}, "$.zip"),
    ("const", {"const": "yes"}, "no", "'yes' was expected"),
    ("uniqueItems", {"type": "array", "uniqueItems": True}, [1, 1], "non-unique"),
    ("if/then", {"if": {"properties": {"kind": {"const": "a"}}},
                 "then": {"required": ["a_field"]}}, {"kind": "a"}, "a_field"),
    ("multipleOf", {"type": "number", "multipleOf": 5}, 12, "multiple of 5"),
    ("exclusiveMinimum", {"exclusiveMinimum": 0}, 0, "less than or equal to the minimum"),
    ("prefixItems", {"prefixItems": [{"type": "string"}]}, [1], "$[0]"),
    ("dependentRequired", {"dependentRequired": {"card": ["cvv"]}}, {"card": "1"}, "cvv"),
    ("minProperties", {"type": "object", "minProperties": 1}, {}, "should be non-empty"),
]


@pytest.mark.parametrize(("name", "schema", "value", "words"), KEYWORDS,
                         ids=[k[0] for k in KEYWORDS])
def test_every_keyword_is_applied(name: str, schema: dict[str, Any], value: Any,
                                  words: str) -> None:
    problems = check_reply(json.dumps(value), schema)
    assert problems, f"{name} was not checked"
    assert words in problems[0], problems


def test_the_schema_draft_is_the_schemas_own() -> None:
    # In draft 4, exclusiveMaximum is a flag on maximum; in 2020-12 it is a number.
    draft4 = {"$schema": "http://json-schema.org/draft-04/schema#",
              "type": "number", "maximum": 5, "exclusiveMaximum": True}
    assert "maximum of 5" in check_reply("5", draft4)[0]
    assert check_reply("4", draft4) == []
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#",
              "items": [{"type": "string"}]}  # draft 7's tuple form
    assert check_reply('[1]', draft7) == ["$[0]: expected string, got number"]


def test_best_match_comes_first() -> None:
    # The object branch is the one the reply meant; its problem beats "matches none".
    schema = {"oneOf": [{"type": "string"}, {"type": "object", "required": ["id"]}]}
    assert check_reply("{}", schema) == ["$: missing required property 'id'"]


def test_at_most_twenty_problems() -> None:
    problems = check_reply(json.dumps(list(range(100))), {"items": {"type": "string"}})
    assert len(problems) == 20
    assert all("expected string, got number" in p for p in problems)


def test_long_values_are_cut_in_messages() -> None:
    problems = check_reply(json.dumps("x" * 5000), {"enum": ["a", "b"]})
    assert len(problems) == 1 and len(problems[0]) < 300


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "strng"}, "unknown type 'strng'"),
        ({"properties": {"a": {"type": 5}}}, "schema.properties.a: unknown type 5"),
        ({"type": "string", "pattern": "(unclosed"}, "is not a 'regex'"),
        ({"required": "name"}, "schema.required"),
        ({"minLength": -1}, "schema.minLength"),
    ],
)
def test_an_invalid_schema_is_a_clear_problem(schema: dict[str, Any], words: str) -> None:
    problems = check_reply('"anything"', schema)
    assert problems and problems[0].startswith("the JSON schema itself is invalid: ")
    assert any(words in p for p in problems), problems
    assert any(words in p for p in schema_problems(schema))


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"$ref": "#/$defs/missing"}, "does not point into the schema"),
        ({"$ref": "https://schemas.example/person.json"}, "only references inside the schema"),
        ({"$ref": "#"}, "refers to itself without end"),
    ],
)
def test_a_schema_that_cannot_be_applied_is_a_clear_problem(
    schema: dict[str, Any], words: str
) -> None:
    problems = check_reply("{}", schema)
    assert len(problems) == 1
    assert problems[0].startswith("the JSON schema could not be applied: ")
    assert words in problems[0]


def test_schema_that_is_not_an_object() -> None:
    assert schema_problems(["type", "string"]) == ["schema must be an object, not array"]
    assert check_instance(1, "string")[0].startswith("the JSON schema itself is invalid")


def test_valid_replies_have_no_problems() -> None:
    reply = {"items": [{"email": "ada@example.org"}]}
    assert check_reply(json.dumps(reply), CONTACTS) == []
    assert check_reply("```json\n" + json.dumps(reply) + "\n```", CONTACTS) == []
    assert check_reply("true", True) == []  # type: ignore[arg-type]
    assert check_reply("1", False) == ["$: False schema does not allow 1"]  # type: ignore[arg-type]


def test_parley_ask_does_not_load_jsonschema_until_asked() -> None:
    code = ("import sys, app.cli, app.core.schema_check, app.core.options; "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
