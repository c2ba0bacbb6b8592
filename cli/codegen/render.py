"""Render an introspected schema into one deterministic Python module.

Everything the template shows is decided here, in sorted order, from the
schema alone: the same schema always renders the same text.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import jinja2

from cli.codegen import pytypes, shapes
from cli.codegen.introspect import Column, Function, Relation, Schema
from cli.codegen.pytypes import Names
from cli.errors import Failure

KIND_TEXT = {
    "table": "The table {}.",
    "foreign_table": "The foreign table {}.",
    "view": "The view {} (read-only here).",
    "materialized_view": "The materialized view {} (read-only).",
}


@dataclass
class Field:
    name: str
    attribute: str
    annotation: str
    cast: str
    json: bool
    comment: str | None = None


@dataclass
class TypedDictField:
    key: str
    annotation: str


@dataclass
class TypedDictShape:
    class_name: str
    doc: str
    fields: list[TypedDictField]


@dataclass
class Model:
    """A frozen dataclass: a composite type, a relation's Row, or a function's result row."""

    class_name: str
    comment: str | None
    fields: list[Field]
    sql_name: str = ""  # composite types only: registered with psycopg
    typed_dicts: list[TypedDictShape] = field(default_factory=list)


@dataclass
class Param:
    name: str
    attribute: str
    cast: str
    required: bool
    json: bool
    accepts: tuple[str, ...]
    typed_dict_annotation: str


@dataclass
class Overload:
    schema: str
    name: str
    args_class: str
    params: list[Param]
    result: str
    returns: str
    row_class: str | None
    supabase: bool


@dataclass
class FunctionGroup:
    method: str
    constant: str
    doc: str
    overloads: list[Overload]
    supabase: bool

    @property
    def overloaded(self) -> bool:
        return len(self.overloads) > 1

    @property
    def cast_to(self) -> str:
        return "_t.Any" if self.overloaded else self.overloads[0].returns


def render(schema: Schema, declarations: shapes.Declarations | None = None) -> str:
    """The module's text for `schema`, with the declared JSON shapes and literal arguments of its functions."""
    declarations = declarations or shapes.Declarations()
    problems = declarations.check(schema)
    if problems:
        raise Failure(f"{len(problems)} stale declaration(s): " + "; ".join(problems))
    builder = _Builder(schema, declarations)
    context = builder.build()
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("cli", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - renders Python source, not HTML
    )
    environment.filters["pyrepr"] = repr
    environment.filters["pydoc"] = _docstring_text
    text = environment.get_template("module.py.j2").render(**context)
    return _tidy(text)


def _domain_depth(pg_type) -> int:
    depth = 0
    while pg_type.base is not None and pg_type.base.kind == "d":
        depth, pg_type = depth + 1, pg_type.base
    return depth


def _docstring_text(text: str) -> str:
    return text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _tidy(text: str) -> str:
    """At most two blank lines in a row, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and len(tidy) >= 2 and not tidy[-1] and not tidy[-2]:
            continue
        tidy.append(line)
    return "\n".join(tidy).strip("\n") + "\n"


PYTHON_JSON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "json": "JSON"}


def shape_field_annotation(field_type: shapes.FieldType) -> str:
    if field_type.base == "literal":
        text = "_t.Literal[" + ", ".join(repr(value) for value in field_type.literals) + "]"
    else:
        text = PYTHON_JSON_TYPES[field_type.base]
    return pytypes.optional(text) if field_type.nullable else text


def literal_annotation(values: tuple[str, ...]) -> str:
    return "_t.Literal[" + ", ".join(repr(value) for value in values) + "]"


class _Builder:
    def __init__(self, schema: Schema, declarations: shapes.Declarations) -> None:
        self.schema = schema
        self.declarations = declarations
        self.taken: dict[str, str] = {}  # top-level name → what it stands for
        own = schema.name
        self.names = Names(
            enums={(t.schema, t.name): self._claim(pytypes.class_name(t.schema, t.name, own), t.sql_name)
                   for t in schema.enums},
            domains={(t.schema, t.name): self._claim(pytypes.class_name(t.schema, t.name, own), t.sql_name)
                     for t in schema.domains},
            composites={},
        )
        for composite in schema.composites:
            self.names.composites[composite.type.oid] = self._claim(
                pytypes.class_name(composite.type.schema, composite.type.name, own), composite.type.sql_name)
        self.enum_classes = {t.oid: self._claim(self.names.enums[(t.schema, t.name)] + "Enum",
                                                f"the StrEnum of {t.sql_name}") for t in schema.enums}
        for relation in schema.relations:
            row_class = self._claim(pytypes.camel(relation.name) + "Row", f"{relation.name} rows")
            self.names.composites[self._row_type_oid(relation)] = row_class
        self.shapes = declarations.used_shapes(schema)
        for shape in self.shapes:
            self._claim(shape.name, f"the declared JSON shape {shape.name}")

    @staticmethod
    def _row_type_oid(relation: Relation) -> int:
        return relation.row_type

    def _claim(self, name: str, what: str) -> str:
        if name in self.taken or name in pytypes.ANNOTATION_NAMES or name in ("SCHEMA", "GENERATED_FROM"):
            raise Failure(f"generated name {name!r} would stand for both {self.taken.get(name, 'a built-in name')} "
                          f"and {what}: rename one of them")
        self.taken[name] = what
        return name

    # ------------------------------------------------------------ the context
    def build(self) -> dict:
        models = [self._composite(c) for c in self.schema.composites]
        models += [self._relation_model(r) for r in self.schema.relations]
        functions, result_models, skipped = self._functions()
        models += result_models
        relations = [self._relation_helper(r) for r in self.schema.relations]
        source = (f"migration {self.schema.newest_migration}" if self.schema.newest_migration
                  else "a database with no recorded migrations")
        return {
            "module": {
                "schema": self.schema.name,
                "migration": self.schema.newest_migration,
                "source": source,
                "command": f"learnkit gen types --schema {self.schema.name}",
                "skipped": sorted([*self.schema.skipped, *skipped]),
            },
            "enums": [self._enum(t) for t in self.schema.enums],
            # A domain over another domain comes after it: the aliases are evaluated at import.
            "domains": [self._domain(t) for t in sorted(self.schema.domains, key=_domain_depth)],
            "models": models,
            "relations": relations,
            "functions": functions,
            "shapes": [{"class_name": shape.name, "doc": shape.doc,
                        "fields": [TypedDictField(f.name, shape_field_annotation(f.type) if f.required
                                                  else f"_t.NotRequired[{shape_field_annotation(f.type)}]")
                                   for f in shape.fields]} for shape in self.shapes],
        }

    def _reserved_attributes(self) -> set[str]:
        return pytypes.ANNOTATION_NAMES | set(self.taken)

    def _enum(self, pg_type) -> dict:
        alias = self.names.enums[(pg_type.schema, pg_type.name)]
        enum_class = self.enum_classes[pg_type.oid]
        members = pytypes.unique([pytypes.enum_member(label) for label in pg_type.labels])
        return {"alias": alias, "enum_class": enum_class, "sql_name": pg_type.sql_name,
                "members": list(zip(members, pg_type.labels)), "comment": pg_type.comment}

    def _domain(self, pg_type) -> dict:
        assert pg_type.base is not None
        return {"alias": self.names.domains[(pg_type.schema, pg_type.name)], "sql_name": pg_type.sql_name,
                "annotation": pytypes.annotation(pg_type.base, self.names),
                "base_sql_name": pg_type.base.sql_name, "comment": pg_type.comment}

    def _fields(self, columns: tuple[Column, ...], *, all_nullable: bool,
                not_null: frozenset[str] = frozenset()) -> list[Field]:
        reserved = self._reserved_attributes()
        attributes = pytypes.unique([pytypes.attribute(column.name, reserved) for column in columns])
        fields = []
        for column, attribute in zip(columns, attributes):
            python_type = pytypes.annotation(column.type, self.names)
            nullable = (all_nullable or column.nullable) and column.name not in not_null
            fields.append(Field(
                name=column.name, attribute=attribute,
                annotation=pytypes.optional(python_type) if nullable else python_type,
                cast=column.type.sql_name, json=pytypes.is_json(column.type), comment=column.comment,
            ))
        return fields

    def _composite(self, composite) -> Model:
        # A composite value's fields are always nullable: PostgreSQL cannot declare them NOT NULL.
        return Model(class_name=self.names.composites[composite.type.oid], comment=composite.type.comment
                     or f"The composite type {composite.type.sql_name}.",
                     fields=self._fields(composite.fields, all_nullable=True), sql_name=composite.type.sql_name)

    def _relation_model(self, relation: Relation) -> Model:
        row_class = self.names.composites[self._row_type_oid(relation)]
        qualified = f"{relation.schema}.{relation.name}"
        comment = relation.comment or KIND_TEXT[relation.kind].format(qualified)
        model = Model(class_name=row_class, comment=f"A row of {qualified}: {comment}",
                      fields=self._fields(relation.columns, all_nullable=relation.kind != "table"))
        if self._writable(relation):
            base = row_class.removesuffix("Row")
            model.typed_dicts = [self._insert_shape(relation, base), self._update_shape(relation, base)]
        return model

    @staticmethod
    def _writable(relation: Relation) -> bool:
        return relation.kind in ("table", "foreign_table")

    @staticmethod
    def _typed_dict(class_name: str, doc: str, fields: list[TypedDictField]) -> TypedDictShape:
        return TypedDictShape(class_name=class_name, doc=doc, fields=fields)

    def _insert_shape(self, relation: Relation, base: str) -> TypedDictShape:
        fields = []
        for column in relation.columns:
            if column.generated or column.identity == "always":
                continue  # the database computes these: writing them is an error
            python_type = pytypes.annotation(column.type, self.names)
            value = pytypes.optional(python_type) if column.nullable else python_type
            optional = column.nullable or column.has_default or column.identity == "by default"
            fields.append(TypedDictField(column.name, f"_t.NotRequired[{value}]" if optional else value))
        name = self._claim(f"{base}Insert", f"inserts into {relation.name}")
        return self._typed_dict(name, f"A row to insert into {relation.schema}.{relation.name}: "
                                      "omitted keys take the column's default.", fields)

    def _update_shape(self, relation: Relation, base: str) -> TypedDictShape:
        fields = []
        for column in relation.columns:
            if column.generated or column.identity == "always":
                continue
            python_type = pytypes.annotation(column.type, self.names)
            value = pytypes.optional(python_type) if column.nullable else python_type
            fields.append(TypedDictField(column.name, f"_t.NotRequired[{value}]"))
        name = self._claim(f"{base}Update", f"updates of {relation.name}")
        return self._typed_dict(name, f"Columns to change in {relation.schema}.{relation.name}: an omitted key "
                                      "keeps its value, None sets NULL.", fields)

    def _relation_helper(self, relation: Relation) -> dict:
        row_class = self.names.composites[self._row_type_oid(relation)]
        base = row_class.removesuffix("Row")
        name = pytypes.constant(relation.name)
        if name in self.taken or name in ("SCHEMA", "GENERATED_FROM"):
            name = f"{name}_{'TABLE' if self._writable(relation) else 'VIEW'}"
        name = self._claim(name, f"the helper of {relation.name}")
        return {"constant": name, "schema": relation.schema, "name": relation.name, "row_class": row_class,
                "insert_class": f"{base}Insert", "update_class": f"{base}Update",
                "writable": self._writable(relation),
                "kind_text": KIND_TEXT[relation.kind].format(f"{relation.schema}.{relation.name}")}

    # ------------------------------------------------------------ functions
    def _functions(self) -> tuple[list[FunctionGroup], list[Model], list[str]]:
        grouped: dict[str, list[Function]] = defaultdict(list)
        for function in self.schema.functions:
            grouped[function.name].append(function)
        groups, models, skipped = [], [], []
        method_names = pytypes.unique([pytypes.attribute(name, pytypes.ANNOTATION_NAMES | {"conn", "client"})
                                       for name in sorted(grouped)])
        constants = pytypes.unique([pytypes.constant(name) for name in sorted(grouped)])
        for method, constant, name in zip(method_names, constants, sorted(grouped)):
            overloads, signatures = [], set()
            for function in grouped[name]:
                if (function.returns.kind == "p" and function.returns.name == "record"
                        and not function.result_columns):
                    skipped.append(f"{function.schema}.{function.name}({function.identity}): returns bare record")
                    continue
                index = len(overloads) + 1
                args_class = self._claim(pytypes.camel(name) + "Args" + (str(index) if index > 1 else ""),
                                         f"the arguments of {name}({function.identity})")
                overload, model = self._overload(function, args_class, index)
                signature = tuple((p.attribute, p.typed_dict_annotation) for p in overload.params)
                if signature in signatures:
                    skipped.append(f"{function.schema}.{function.name}({function.identity}): "
                                   "same Python types as another overload")
                    continue
                signatures.add(signature)
                overloads.append(overload)
                models += [model] if model else []
            if not overloads:
                continue
            name_sets = [frozenset(p.name for p in o.params) for o in overloads]
            supabase = all(o.supabase for o in overloads) and len(set(name_sets)) == len(name_sets)
            doc = next((f.comment for f in grouped[name] if f.comment), None) or \
                f"Call {self.schema.name}.{name}()."
            groups.append(FunctionGroup(method=method, constant=constant,
                                        doc=doc, overloads=overloads, supabase=supabase))
        return groups, models, skipped

    def _overload(self, function: Function, args_class: str, index: int) -> tuple[Overload, Model | None]:
        params = []
        attributes = pytypes.unique([pytypes.attribute(a.name or f"arg{position}")
                                     for position, a in enumerate(function.arguments, start=1)])
        for argument, attribute in zip(function.arguments, attributes):
            python_type = pytypes.annotation(argument.type, self.names)  # a variadic one is passed as its array
            literals = self.declarations.literal_values(function, argument.name)
            if literals:
                python_type = literal_annotation(literals)
            params.append(Param(
                name=argument.name, attribute=attribute, cast=argument.type.sql_name,
                required=not argument.has_default, json=pytypes.is_json(argument.type),
                accepts=pytypes.runtime_classes(argument.type, self.names),
                typed_dict_annotation=python_type if not argument.has_default
                else f"_t.NotRequired[{python_type}]",
            ))
        model = None
        row_class = None
        if function.result_columns:
            row_class = self._claim(pytypes.camel(function.name) + "Result" + (str(index) if index > 1 else ""),
                                    f"the result of {function.name}({function.identity})")
            model = Model(class_name=row_class, comment=f"A row returned by {function.schema}.{function.name}().",
                          fields=self._fields(function.result_columns, all_nullable=True,
                                              not_null=self.declarations.not_null(function)))
        elif function.returns.kind == "c":
            row_class = self.names.composites.get(function.returns.oid)
        shape = self.declarations.shape_of(function)
        if shape is not None:
            # A declared shape is what the function returns: the object, never NULL (see supabase/codegen.toml).
            result, returns = "scalar", shape.name
        elif function.returns.kind == "p" and function.returns.name == "void":
            result, returns = "void", "None"
        elif row_class is not None:
            result = "rows" if function.returns_set else "row"
            returns = f"list[{row_class}]" if function.returns_set else f"{row_class} | None"
        else:
            python_type = pytypes.annotation(function.returns, self.names)
            result = "scalars" if function.returns_set else "scalar"
            returns = f"list[{python_type}]" if function.returns_set else pytypes.optional(python_type)
        return Overload(
            schema=function.schema, name=function.name, args_class=args_class, params=params, result=result,
            returns=returns, row_class=row_class, supabase=all(argument.name for argument in function.arguments),
        ), model
