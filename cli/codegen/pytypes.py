"""PostgreSQL types as Python annotations, and SQL names as Python names.

The annotations are what psycopg 3 loads for each type (and what the generated
JSON decoder produces from PostgREST's output), so a Row's declared types are
the types its values really have.
"""

import keyword
import re
from dataclasses import dataclass

from cli.codegen.introspect import PgType

# pg_catalog base types → the Python type psycopg loads them as.
BASE_TYPES: dict[str, str] = {
    "bool": "bool",
    "int2": "int", "int4": "int", "int8": "int", "oid": "int",
    "float4": "float", "float8": "float",
    "numeric": "_decimal.Decimal",
    "bytea": "bytes",
    "uuid": "_uuid.UUID",
    "date": "_dt.date",
    "time": "_dt.time", "timetz": "_dt.time",
    "timestamp": "_dt.datetime", "timestamptz": "_dt.datetime",
    "interval": "_dt.timedelta",
    "json": "JSON", "jsonb": "JSON",
    "inet": "IPAddress", "cidr": "IPNetwork",
}
# Runtime classes that tell overloads apart; a float parameter takes ints too.
RUNTIME_CLASSES: dict[str, tuple[str, ...]] = {
    "bool": ("bool",), "int": ("int",), "float": ("float", "int"), "str": ("str",), "bytes": ("bytes",),
    "_decimal.Decimal": ("_decimal.Decimal",), "_uuid.UUID": ("_uuid.UUID",), "_dt.date": ("_dt.date",),
    "_dt.time": ("_dt.time",), "_dt.datetime": ("_dt.datetime",), "_dt.timedelta": ("_dt.timedelta",),
}
JSON_TYPES = {"json", "jsonb"}

# Names that would shadow what the generated annotations use when a class body
# or the module defines them: aliased with a trailing underscore.
ANNOTATION_NAMES = {"bool", "int", "float", "str", "bytes", "list", "dict", "object", "tuple",
                    "psycopg", "JSON", "IPAddress", "IPNetwork", "SupabaseClient", "Table", "View"}


@dataclass(frozen=True)
class Names:
    """Python names of the schema's types: (schema, name) → alias or class."""

    enums: dict[tuple[str, str], str]
    domains: dict[tuple[str, str], str]
    composites: dict[int, str]  # composite type oid (or a relation's row type oid) → class


def identifier(name: str) -> str:
    text = re.sub(r"\W", "_", name)
    return f"_{text}" if not text or text[0].isdigit() else text


def attribute(name: str, reserved: set[str] = frozenset()) -> str:
    """A Python attribute for a SQL name; aliased only when it clashes."""
    text = identifier(name)
    return f"{text}_" if keyword.iskeyword(text) or keyword.issoftkeyword(text) and text == "_" or \
        text in reserved else text


def camel(name: str) -> str:
    parts = [part for part in re.split(r"[^0-9A-Za-z]+", name) if part]
    text = "".join(part[0].upper() + part[1:] for part in parts) or "Unnamed"
    return f"T{text}" if text[0].isdigit() else text


def class_name(pg_schema: str, name: str, schema: str) -> str:
    """A class name; objects from another schema carry that schema's name."""
    return camel(name) if pg_schema == schema else camel(pg_schema) + camel(name)


def constant(name: str) -> str:
    text = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").upper() or "UNNAMED"
    return f"T_{text}" if text[0].isdigit() else text


def enum_member(label: str) -> str:
    text = re.sub(r"[^0-9A-Za-z]+", "_", label).upper()
    if not text.strip("_"):
        return "EMPTY"
    return f"V_{text}" if text[0].isdigit() or text.startswith("_") else text


def unique(names: list[str]) -> list[str]:
    """The names, with _2, _3… added to repeats, in order."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        candidate = name
        while candidate in seen:
            seen[name] += 1
            candidate = f"{name}_{seen[name]}"
        seen.setdefault(candidate, 1)
        result.append(candidate)
    return result


def annotation(pg_type: PgType, names: Names) -> str:
    """The Python annotation for values of `pg_type` (never including None)."""
    if pg_type.is_array:
        assert pg_type.element is not None
        return f"list[{annotation(pg_type.element, names)}]"
    key = (pg_type.schema, pg_type.name)
    if pg_type.kind == "e":
        return names.enums[key]
    if pg_type.kind == "d":
        return names.domains[key]
    if pg_type.kind == "c":
        return names.composites.get(pg_type.oid, "dict[str, _t.Any]")
    if pg_type.kind in ("r", "m") and pg_type.range_subtype is not None:
        wrapper = "_Range" if pg_type.kind == "r" else "_Multirange"
        return f"{wrapper}[{annotation(pg_type.range_subtype, names)}]"
    if pg_type.kind == "p":
        return {"void": "None", "record": "dict[str, _t.Any]"}.get(pg_type.name, "_t.Any")
    if pg_type.schema == "pg_catalog" and pg_type.name in BASE_TYPES:
        return BASE_TYPES[pg_type.name]
    return "str"  # psycopg loads types it does not know (citext, vector, tsvector…) as text


def base_type(pg_type: PgType) -> PgType:
    while pg_type.kind == "d" and pg_type.base is not None:
        pg_type = pg_type.base
    return pg_type


def is_json(pg_type: PgType) -> bool:
    resolved = base_type(pg_type)
    return resolved.schema == "pg_catalog" and resolved.name in JSON_TYPES


def runtime_classes(pg_type: PgType, names: Names) -> tuple[str, ...]:
    """Classes a value of `pg_type` is an instance of, to choose between overloads; () for any."""
    resolved = base_type(pg_type)
    if resolved.is_array:
        return ("list",)
    if resolved.kind == "e":
        return ("str",)
    if resolved.kind == "c" and resolved.oid in names.composites:
        return (names.composites[resolved.oid],)
    return RUNTIME_CLASSES.get(annotation(resolved, names), ())


def optional(text: str) -> str:
    return text if text in ("JSON", "None", "_t.Any") else f"{text} | None"
