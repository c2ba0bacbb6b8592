"""What pg_catalog cannot say about the schema's functions, declared beside the schema (supabase/codegen.toml).

A `jsonb` result has no declared keys, a `text` argument checked against a list of values in the
function's body is just text, and a `returns table` column is always nullable to the catalog. The
file declares, function by function, the JSON object a function returns, the values a text argument
takes, and the result columns that are never NULL. Both generators (Python and TypeScript) read it;
`check` names every declaration that no longer matches the schema, and generation stops on them.

The better long-term fix is in SQL (composite return types, enums or domains): then the catalog says
it and this file shrinks. See docs/codegen.md.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cli.codegen.introspect import Function, PgType, Schema
from cli.errors import UsageError

DEFAULT_PATH = Path("supabase/codegen.toml")

# The JSON value types a declared field may have; "| null" after one adds null.
FIELD_TYPES = ("string", "integer", "number", "boolean", "json")
TEXT_TYPES = {"text", "varchar", "bpchar", "citext", "name"}
JSON_TYPES = {"json", "jsonb"}


@dataclass(frozen=True)
class FieldType:
    base: str  # one of FIELD_TYPES, or "literal"
    nullable: bool = False
    literals: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShapeField:
    name: str
    type: FieldType
    required: bool = True  # False: the key is sometimes absent


@dataclass(frozen=True)
class Shape:
    name: str  # the Python TypedDict's name
    doc: str
    fields: tuple[ShapeField, ...]


@dataclass(frozen=True)
class FunctionDeclaration:
    schema: str
    name: str
    returns: str | None = None  # a shape's name
    literals: dict[str, tuple[str, ...]] = field(default_factory=dict)  # argument → its values
    not_null: tuple[str, ...] = ()  # result columns never NULL


@dataclass(frozen=True)
class Declarations:
    shapes: dict[str, Shape] = field(default_factory=dict)
    functions: dict[tuple[str, str], FunctionDeclaration] = field(default_factory=dict)

    def for_function(self, function: Function) -> FunctionDeclaration | None:
        return self.functions.get((function.schema, function.name))

    def literal_values(self, function: Function, argument: str) -> tuple[str, ...]:
        declared = self.for_function(function)
        return declared.literals.get(argument, ()) if declared else ()

    def shape_of(self, function: Function) -> Shape | None:
        declared = self.for_function(function)
        return self.shapes[declared.returns] if declared and declared.returns else None

    def not_null(self, function: Function) -> frozenset[str]:
        declared = self.for_function(function)
        return frozenset(declared.not_null) if declared else frozenset()

    def used_shapes(self, schema: Schema) -> list[Shape]:
        """The shapes returned by `schema`'s functions, in name order."""
        names = {self.functions[key].returns for key in self.functions
                 if key[0] == schema.name and self.functions[key].returns}
        return [self.shapes[name] for name in sorted(n for n in names if n)]

    def check(self, schema: Schema) -> list[str]:
        """Declarations for `schema` that name no function, argument or column, or do not fit its types."""
        problems = []
        by_name: dict[str, list[Function]] = {}
        for function in schema.functions:
            by_name.setdefault(function.name, []).append(function)
        for (schema_name, name), declared in sorted(self.functions.items()):
            if schema_name != schema.name:
                continue
            where = f"{DEFAULT_PATH}: {schema_name}.{name}"
            overloads = by_name.get(name)
            if not overloads:
                problems.append(f"{where}: no such function")
                continue
            for function in overloads:
                arguments = {argument.name: argument for argument in function.arguments}
                for argument in declared.literals:
                    if argument not in arguments:
                        problems.append(f"{where}({function.identity}): no argument {argument!r}")
                    elif _base(arguments[argument].type).name not in TEXT_TYPES:
                        problems.append(f"{where}({function.identity}): argument {argument!r} is not text")
                columns = {column.name for column in function.result_columns}
                problems += [f"{where}({function.identity}): no result column {column!r}"
                             for column in declared.not_null if column not in columns]
                if declared.returns and (_base(function.returns).name not in JSON_TYPES or function.returns_set):
                    problems.append(f"{where}({function.identity}): returns {function.returns.sql_name}"
                                    f"{' set' if function.returns_set else ''}, not one json value")
        return problems


def _base(pg_type: PgType) -> PgType:
    while pg_type.kind == "d" and pg_type.base is not None:
        pg_type = pg_type.base
    return pg_type


def load(path: Path) -> Declarations:
    """The declarations in `path`; none when it does not exist. A malformed file is a UsageError."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return Declarations()
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: {error}") from None
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError) as error:
        raise UsageError(f"{path}: {error}") from None


def _parse(data: dict) -> Declarations:
    unknown = set(data) - {"shapes", "functions"}
    if unknown:
        raise ValueError(f"unknown sections {sorted(unknown)}")
    shapes = {name: _shape(name, body) for name, body in data.get("shapes", {}).items()}
    functions = {}
    for qualified, body in data.get("functions", {}).items():
        schema, _, name = qualified.rpartition(".")
        if not schema:
            raise ValueError(f"function {qualified!r}: write it schema-qualified (public.{qualified})")
        unknown = set(body) - {"returns", "literals", "not_null"}
        if unknown:
            raise ValueError(f"function {qualified!r}: unknown keys {sorted(unknown)}")
        returns = body.get("returns")
        if returns is not None and returns not in shapes:
            raise ValueError(f"function {qualified!r} returns {returns!r}, which is not in [shapes]")
        literals = {argument: _strings(values, f"{qualified} {argument}")
                    for argument, values in body.get("literals", {}).items()}
        functions[(schema, name)] = FunctionDeclaration(
            schema=schema, name=name, returns=returns, literals=literals,
            not_null=_strings(body.get("not_null", []), f"{qualified} not_null"))
    return Declarations(shapes=shapes, functions=functions)


def _strings(values: object, what: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ValueError(f"{what}: expected a list of strings")
    return tuple(values)


def _shape(name: str, body: dict) -> Shape:
    if not name.isidentifier() or not name[0].isupper():
        raise ValueError(f"shape {name!r}: name it as a Python class (CamelCase)")
    optional = set(_strings(body.get("optional", []), f"shape {name} optional"))
    fields = tuple(ShapeField(key, _field_type(value, f"{name}.{key}"), key not in optional)
                   for key, value in body.get("fields", {}).items())
    missing = optional - {f.name for f in fields}
    if missing:
        raise ValueError(f"shape {name!r}: optional names unknown fields {sorted(missing)}")
    return Shape(name=name, doc=str(body.get("doc", "")), fields=fields)


def _field_type(value: object, what: str) -> FieldType:
    if isinstance(value, list):
        return FieldType("literal", literals=_strings(value, what))
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected a type name or a list of values")
    base, _, null = (part.strip() for part in value.partition("|"))
    if base not in FIELD_TYPES or null not in ("", "null"):
        raise ValueError(f"{what}: {value!r} is not one of {', '.join(FIELD_TYPES)} (optionally '| null')")
    return FieldType(base, nullable=bool(null))
