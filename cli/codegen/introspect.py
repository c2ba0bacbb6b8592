"""What a schema holds, read from pg_catalog into plain dataclasses.

PostgREST's OpenAPI document is not used: it hides function overloads,
identity kinds, stored generated columns, domains and composite types.
"""

from dataclasses import dataclass, field
from typing import Literal

import psycopg

from cli import migrations, queries
from cli.errors import UsageError

SQL_FILE = "introspection.sql"

RelationKind = Literal["table", "view", "materialized_view", "foreign_table"]
RELATION_KINDS: dict[str, RelationKind] = {
    "r": "table", "p": "table", "v": "view", "m": "materialized_view", "f": "foreign_table",
}
Identity = Literal["", "always", "by default"]
IDENTITIES: dict[str, Identity] = {"": "", "a": "always", "d": "by default"}
ArgumentMode = Literal["in", "inout", "variadic"]
INPUT_MODES: dict[str, ArgumentMode] = {"i": "in", "b": "inout", "v": "variadic"}
OUTPUT_MODES = ("o", "b", "t")


@dataclass(frozen=True)
class PgType:
    """A type as pg_type describes it; element/base/range_subtype are resolved."""

    oid: int
    schema: str
    name: str
    kind: str  # pg_type.typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange
    category: str  # pg_type.typcategory: A for arrays
    sql_name: str  # format_type(): schema-qualified outside pg_catalog, usable as a cast
    not_null: bool = False  # a domain declared NOT NULL
    relid: int = 0  # the relation of a composite type
    comment: str | None = None
    labels: tuple[str, ...] = ()
    element: "PgType | None" = None
    base: "PgType | None" = None
    range_subtype: "PgType | None" = None

    @property
    def is_array(self) -> bool:
        return self.category == "A" and self.element is not None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Column:
    """A table or view column, a composite type's field, or a function's result column."""

    name: str
    type: PgType
    nullable: bool = True
    has_default: bool = False
    identity: Identity = ""
    generated: bool = False  # a stored generated column: the database computes it
    comment: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    referenced_schema: str
    referenced_relation: str
    referenced_columns: tuple[str, ...]
    one_to_one: bool  # the key's columns are also a primary key or unique constraint


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: RelationKind
    columns: tuple[Column, ...]
    comment: str | None = None
    relid: int = 0
    row_type: int = 0  # the oid of the relation's composite row type
    foreign_keys: tuple[ForeignKey, ...] = ()


@dataclass(frozen=True)
class CompositeType:
    type: PgType
    fields: tuple[Column, ...]


@dataclass(frozen=True)
class Argument:
    name: str  # "" for an unnamed argument
    type: PgType
    mode: ArgumentMode = "in"
    has_default: bool = False


@dataclass(frozen=True)
class Function:
    schema: str
    name: str
    identity: str  # pg_get_function_identity_arguments: tells overloads apart
    arguments: tuple[Argument, ...]
    returns: PgType
    returns_set: bool
    result_columns: tuple[Column, ...]  # from OUT / INOUT / RETURNS TABLE, else ()
    volatility: str
    comment: str | None = None
    estimated_rows: float = 0  # pg_proc.prorows: 0 unless it returns a set


@dataclass(frozen=True)
class Schema:
    name: str
    relations: tuple[Relation, ...]
    functions: tuple[Function, ...]
    enums: tuple[PgType, ...]  # used or defined here, any schema
    domains: tuple[PgType, ...]
    composites: tuple[CompositeType, ...]  # free-standing composite types (relkind c)
    newest_migration: str | None = None
    skipped: tuple[str, ...] = field(default=())  # functions that cannot be called with plain values


# Pseudo-types an argument may have that no Python value can stand for.
UNCALLABLE_ARGUMENT_TYPES = {"internal", "cstring", "language_handler", "fdw_handler", "table_am_handler",
                             "index_am_handler", "tsm_handler", "trigger", "event_trigger"}


def schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    row = conn.execute(queries.query(SQL_FILE, "schema_exists"), {"schema": schema}).fetchone()
    return bool(row and row["found"])


def introspect(conn: psycopg.Connection, schema: str) -> Schema:
    """Read `schema` (a dict_row connection). An unknown schema is a UsageError."""
    with conn.transaction():
        conn.execute(queries.query(SQL_FILE, "use_empty_search_path"))
        if not schema_exists(conn, schema):
            raise UsageError(f"schema {schema!r} not found in the database")
        catalog = _TypeCatalog(conn.execute(queries.query(SQL_FILE, "types")).fetchall())
        relation_rows = conn.execute(queries.query(SQL_FILE, "relations"), {"schema": schema}).fetchall()
        function_rows = conn.execute(queries.query(SQL_FILE, "functions"), {"schema": schema}).fetchall()
        attributes = _Attributes(conn, catalog)
        foreign_keys: dict[int, list[ForeignKey]] = {}
        for row in conn.execute(queries.query(SQL_FILE, "foreign_keys"), {"schema": schema}):
            foreign_keys.setdefault(row["relid"], []).append(ForeignKey(
                name=row["name"], columns=tuple(row["columns"]), referenced_schema=row["referenced_schema"],
                referenced_relation=row["referenced_relation"],
                referenced_columns=tuple(row["referenced_columns"]), one_to_one=row["one_to_one"]))
        relations = tuple(_relation(schema, row, attributes, tuple(foreign_keys.get(row["relid"], ())))
                          for row in relation_rows)
        functions, skipped = _functions(schema, function_rows, catalog)
        own_relids = {row["relid"] for row in relation_rows}
        composites = _referenced_composites(relations, functions, attributes, catalog, schema, own_relids)
        enums, domains = _referenced_enums_and_domains(relations, functions, composites, catalog, schema)
    return Schema(
        name=schema, relations=relations, functions=functions, enums=enums, domains=domains,
        composites=composites, newest_migration=_newest_migration(conn), skipped=skipped,
    )


def _newest_migration(conn: psycopg.Connection) -> str | None:
    applied = migrations.applied_migrations(conn)
    if not applied:
        return None
    newest = max(applied, key=lambda migration: migration.version)
    return f"{newest.version}_{newest.name}"


class _TypeCatalog:
    def __init__(self, rows: list[dict]) -> None:
        self._rows = {row["oid"]: row for row in rows}
        self._resolved: dict[int, PgType] = {}

    def in_schema(self, schema: str) -> list[PgType]:
        return [self.get(oid) for oid, row in sorted(self._rows.items()) if row["schema"] == schema]

    def relkind(self, pg_type: PgType) -> str:
        return self._rows[pg_type.oid]["relkind"]

    def get(self, oid: int) -> PgType:
        if oid not in self._resolved:
            row = self._rows[oid]
            self._resolved[oid] = PgType(
                oid=oid, schema=row["schema"], name=row["name"], kind=row["kind"], category=row["category"],
                sql_name=row["sql_name"], not_null=row["not_null"], relid=row["relid"],
                comment=row["comment"], labels=tuple(row["labels"] or ()),
                element=self.get(row["element"]) if row["element"] and row["category"] == "A" else None,
                base=self.get(row["base"]) if row["base"] else None,
                range_subtype=self.get(row["range_subtype"]) if row["range_subtype"] else None,
            )
        return self._resolved[oid]


class _Attributes:
    """Columns by relation oid, fetched in batches as references are discovered."""

    def __init__(self, conn: psycopg.Connection, catalog: _TypeCatalog) -> None:
        self._conn = conn
        self._catalog = catalog
        self._by_relid: dict[int, tuple[Column, ...]] = {}

    def load(self, relids: list[int]) -> None:
        missing = sorted(set(relids) - set(self._by_relid))
        if not missing:
            return
        grouped: dict[int, list[Column]] = {relid: [] for relid in missing}
        for row in self._conn.execute(queries.query(SQL_FILE, "attributes"), {"relids": missing}):
            column_type = self._catalog.get(row["type"])
            grouped[row["relid"]].append(Column(
                name=row["name"], type=column_type,
                nullable=not row["not_null"] and not _domain_not_null(column_type),
                has_default=row["has_default"], identity=IDENTITIES[row["identity"]],
                generated=row["generated"] == "s", comment=row["comment"],
            ))
        self._by_relid.update({relid: tuple(columns) for relid, columns in grouped.items()})

    def get(self, relid: int) -> tuple[Column, ...]:
        self.load([relid])
        return self._by_relid[relid]


def _domain_not_null(pg_type: PgType) -> bool:
    while pg_type.kind == "d":
        if pg_type.not_null:
            return True
        assert pg_type.base is not None
        pg_type = pg_type.base
    return False


def _relation(schema: str, row: dict, attributes: _Attributes, foreign_keys: tuple[ForeignKey, ...]) -> Relation:
    return Relation(schema=schema, name=row["name"], kind=RELATION_KINDS[row["kind"]],
                    columns=attributes.get(row["relid"]), comment=row["comment"], relid=row["relid"],
                    row_type=row["row_type"], foreign_keys=foreign_keys)


def _functions(schema: str, rows: list[dict], catalog: _TypeCatalog) -> tuple[tuple[Function, ...], tuple[str, ...]]:
    functions, skipped = [], []
    for row in rows:
        types = [catalog.get(oid) for oid in row["arg_types"]]
        modes = row["arg_modes"]
        names = list(row["arg_names"]) + [""] * (len(types) - len(row["arg_names"]))
        inputs = [(name, pg_type, modes[index]) for index, (name, pg_type) in enumerate(zip(names, types))
                  if modes[index] in INPUT_MODES]
        first_default = len(inputs) - row["default_count"]
        arguments = tuple(
            Argument(name=name, type=pg_type, mode=INPUT_MODES[mode], has_default=index >= first_default)
            for index, (name, pg_type, mode) in enumerate(inputs)
        )
        results = tuple(
            Column(name=name or f"column{index + 1}", type=pg_type)
            for index, (name, pg_type) in enumerate(
                (name, pg_type) for name, pg_type, mode in zip(names, types, modes) if mode in OUTPUT_MODES)
        )
        returns = catalog.get(row["return_type"])
        uncallable = [a for a in arguments if a.type.name in UNCALLABLE_ARGUMENT_TYPES and a.type.kind == "p"]
        if uncallable:
            skipped.append(f"{schema}.{row['name']}({row['identity']})")
            continue
        functions.append(Function(
            schema=schema, name=row["name"], identity=row["identity"], arguments=arguments, returns=returns,
            returns_set=row["returns_set"],
            # One OUT parameter makes the function return that parameter's type: a scalar.
            result_columns=results if returns.kind == "p" and returns.name == "record" else (),
            volatility=row["volatility"], comment=row["comment"], estimated_rows=row["estimated_rows"],
        ))
    return tuple(functions), tuple(skipped)


def _walk(pg_type: PgType):
    """The type and every type it is built from (array elements, domain bases, range subtypes)."""
    yield pg_type
    for part in (pg_type.element, pg_type.base, pg_type.range_subtype):
        if part is not None:
            yield from _walk(part)


def _used_types(relations, functions, composites) -> list[PgType]:
    used = [column.type for relation in relations for column in relation.columns]
    for function in functions:
        used += [argument.type for argument in function.arguments]
        used += [column.type for column in function.result_columns] + [function.returns]
    used += [column.type for composite in composites for column in composite.fields]
    return [part for pg_type in used for part in _walk(pg_type)]


def _referenced_composites(relations, functions, attributes: _Attributes, catalog: _TypeCatalog,
                           schema: str, own_relids: set[int]) -> tuple[CompositeType, ...]:
    """Free-standing composite types defined in `schema` or used by it, transitively.

    Row types of the schema's own relations are not listed: their Row classes stand for them.
    """
    found: dict[int, CompositeType] = {}
    candidates = [t for t in catalog.in_schema(schema) if t.kind == "c" and catalog.relkind(t) == "c"]
    candidates += [t for t in _used_types(relations, functions, ()) if t.kind == "c"]
    while candidates:
        pg_type = candidates.pop()
        if pg_type.oid in found or pg_type.relid in own_relids:
            continue
        composite = CompositeType(type=pg_type, fields=attributes.get(pg_type.relid))
        found[pg_type.oid] = composite
        candidates += [t for t in _used_types((), (), (composite,)) if t.kind == "c"]
    return tuple(sorted(found.values(), key=lambda c: _own_first(c.type, schema)))


def _own_first(pg_type: PgType, schema: str) -> tuple[bool, str, str]:
    return (pg_type.schema != schema, pg_type.schema, pg_type.name)


def _referenced_enums_and_domains(relations, functions, composites, catalog: _TypeCatalog,
                                  schema: str) -> tuple[tuple[PgType, ...], tuple[PgType, ...]]:
    types = {t.oid: t for t in catalog.in_schema(schema)}
    types.update({t.oid: t for t in _used_types(relations, functions, composites)})
    enums = tuple(sorted((t for t in types.values() if t.kind == "e"), key=lambda t: _own_first(t, schema)))
    domains = tuple(sorted((t for t in types.values() if t.kind == "d"), key=lambda t: _own_first(t, schema)))
    return enums, domains
