"""A small JSON Schema checker for structured-output replies (no dependency).

Covers the subset structured output uses in practice: type (including lists of types),
properties, required, items, enum, const, additionalProperties (bool or schema), anyOf,
minItems/maxItems, minLength/maxLength, minimum/maximum and local `$ref`s into `$defs` /
`definitions`. Keywords it does not know are ignored, as a validator would for vocabulary
it does not implement; the check is advisory (the reply is always shown).
"""

from __future__ import annotations

import json
from typing import Any

_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
_MAX_ERRORS = 20


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, int | float)
    return True


def schema_problems(schema: Any) -> list[str]:
    """Problems that make `schema` unusable (not the reply's problems): empty when fine."""
    problems: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, bool):
            return
        if not isinstance(node, dict):
            problems.append(f"{where} must be an object, not {type(node).__name__}")
            return
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
        for k in kinds:
            if k not in _TYPES:
                problems.append(f"{where}: unknown type {k!r}")
        props = node.get("properties")
        if props is not None:
            if not isinstance(props, dict):
                problems.append(f"{where}: properties must be an object")
            else:
                for name, sub in props.items():
                    walk(sub, f"{where}.{name}")
        required = node.get("required")
        if required is not None and not (
            isinstance(required, list) and all(isinstance(r, str) for r in required)
        ):
            problems.append(f"{where}: required must be a list of property names")
        if "items" in node:
            walk(node["items"], f"{where}[]")
        enum = node.get("enum")
        if enum is not None and not isinstance(enum, list):
            problems.append(f"{where}: enum must be a list")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            walk(extra, f"{where}.*")
        for key in ("$defs", "definitions"):
            defs = node.get(key)
            if isinstance(defs, dict):
                for name, sub in defs.items():
                    walk(sub, f"{where}.{key}.{name}")

    walk(schema, "schema")
    return problems[:_MAX_ERRORS]


def check_instance(value: Any, schema: Any) -> list[str]:
    """Where `value` does not conform to `schema`: JSON-path-like messages, empty when it does."""
    errors: list[str] = []
    root = schema if isinstance(schema, dict) else {}

    def resolve(node: dict[str, Any]) -> Any:
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = root
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                return {}
            target = target[part]
        return target

    def walk(val: Any, node: Any, path: str, depth: int = 0) -> None:
        if len(errors) >= _MAX_ERRORS or depth > 64:
            return
        if node is False:
            errors.append(f"{path}: no value is allowed here")
            return
        if not isinstance(node, dict):
            return
        node = resolve(node)
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
        if kinds and not any(_type_ok(val, k) for k in kinds):
            errors.append(f"{path}: expected {' or '.join(kinds)}, got {_describe(val)}")
            return
        if "enum" in node and isinstance(node["enum"], list) and val not in node["enum"]:
            allowed = ", ".join(json.dumps(v) for v in node["enum"][:10])
            errors.append(f"{path}: {json.dumps(val)[:60]} is not one of {allowed}")
        if "const" in node and val != node["const"]:
            errors.append(f"{path}: must be {json.dumps(node['const'])}")
        any_of = node.get("anyOf") or node.get("oneOf")
        if (
            isinstance(any_of, list) and any_of
            and not any(not check_instance_in(val, sub, root) for sub in any_of)
        ):
            errors.append(f"{path}: matches none of the allowed shapes")
        if isinstance(val, dict):
            raw_props = node.get("properties")
            props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
            for name in node.get("required") or ():
                if name not in val:
                    errors.append(f"{path}: missing required property {name!r}")
            extra = node.get("additionalProperties", True)
            for name, item in val.items():
                if name in props:
                    walk(item, props[name], f"{path}.{name}", depth + 1)
                elif extra is False:
                    errors.append(f"{path}: unexpected property {name!r}")
                elif isinstance(extra, dict):
                    walk(item, extra, f"{path}.{name}", depth + 1)
        elif isinstance(val, list):
            items = node.get("items")
            if isinstance(items, dict | bool):
                for i, item in enumerate(val):
                    walk(item, items, f"{path}[{i}]", depth + 1)
            errors.extend(_bounds(len(val), node, ("minItems", "maxItems"), path, "items"))
        elif isinstance(val, str):
            errors.extend(_bounds(len(val), node, ("minLength", "maxLength"), path, "characters"))
        elif isinstance(val, int | float) and not isinstance(val, bool):
            low, high = node.get("minimum"), node.get("maximum")
            if isinstance(low, int | float) and val < low:
                errors.append(f"{path}: {val} is less than the minimum {low}")
            if isinstance(high, int | float) and val > high:
                errors.append(f"{path}: {val} is more than the maximum {high}")

    walk(value, schema, "$")
    return errors


def check_instance_in(value: Any, schema: Any, root: Any) -> list[str]:
    """`check_instance` for a sub-schema whose `$ref`s point into `root`."""
    if isinstance(schema, dict) and isinstance(root, dict) and root is not schema:
        merged = {**{k: v for k, v in root.items() if k in ("$defs", "definitions")}, **schema}
        return check_instance(value, merged)
    return check_instance(value, schema)


def _bounds(
    n: int, node: dict[str, Any], keys: tuple[str, str], path: str, unit: str
) -> list[str]:
    low, high = node.get(keys[0]), node.get(keys[1])
    out: list[str] = []
    if isinstance(low, int) and n < low:
        out.append(f"{path}: needs at least {low} {unit}, has {n}")
    if isinstance(high, int) and n > high:
        out.append(f"{path}: allows at most {high} {unit}, has {n}")
    return out


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
    return "number"


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
    return check_instance(value, schema)
