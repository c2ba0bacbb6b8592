"""Render an introspected schema as the `Database` type supabase-js takes: `createClient<Database>()`.

The shape is the one Supabase's own generator emits (supabase/postgres-meta,
src/server/templates/typescript.ts): per schema Tables (Row, Insert, Update, Relationships), Views,
Functions (Args, Returns), Enums and CompositeTypes, the `Json` type, the Tables/TablesInsert/
TablesUpdate/Enums/CompositeTypes helpers and `Constants`. It differs where the catalog (or
supabase/codegen.toml) knows more: functions with OUT parameters return their columns, not
`Record<string, unknown>`; `returns table` columns are `| null` unless declared not null (Supabase
leaves them non-null, which NULLs contradict); declared jsonb results are object types; stored
generated columns are `?: never` in Insert and Update; domains are their base type.
"""

import json
import re

from cli.codegen import shapes
from cli.codegen.introspect import Column, CompositeType, Function, PgType, Relation, Schema
from cli.errors import Failure

NUMBER_TYPES = {"int2", "int4", "int8", "float4", "float8", "numeric", "oid"}
STRING_TYPES = {"bytea", "bpchar", "varchar", "date", "text", "citext", "time", "timetz", "timestamp",
                "timestamptz", "uuid", "vector", "interval", "name", "char", "inet", "cidr", "macaddr", "money",
                "tsvector", "xml"}
JSON_FIELD_TYPES = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
                    "json": "Json"}
INDENT = "  "

HELPERS = '''
type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, SCHEMA>]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never
'''


def q(text: str) -> str:
    """A TypeScript string literal (JSON's syntax is TypeScript's)."""
    return json.dumps(text, ensure_ascii=False)


def array_of(text: str) -> str:
    return f"({text})[]" if " | " in text and not text.startswith("{") else f"{text}[]"


def key(name: str) -> str:
    """A property name, quoted only where needed (as prettier leaves Supabase's output)."""
    return name if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", name) else q(name)


def render(schema: Schema, declarations: shapes.Declarations | None = None) -> str:
    """The module's text for `schema`: deterministic, in name order like Supabase's."""
    declarations = declarations or shapes.Declarations()
    problems = declarations.check(schema)
    if problems:
        raise Failure(f"{len(problems)} stale declaration(s): " + "; ".join(problems))
    return _Renderer(schema, declarations).render()


class _Renderer:
    def __init__(self, schema: Schema, declarations: shapes.Declarations) -> None:
        self.schema = schema
        self.declarations = declarations
        self.relations_by_row_type = {relation.row_type: relation for relation in schema.relations}
        self.relations_by_relid = {relation.relid: relation for relation in schema.relations}
        self.composites = {composite.type.oid: composite for composite in schema.composites}

    # ------------------------------------------------------------ types
    def ts_type(self, pg_type: PgType) -> str:
        """The TypeScript type of a value (never including null), as Supabase's pgTypeToTsType."""
        if pg_type.is_array:
            assert pg_type.element is not None
            return array_of(self.ts_type(pg_type.element))
        if pg_type.kind == "d" and pg_type.base is not None:
            return self.ts_type(pg_type.base)
        if pg_type.kind == "e":
            if pg_type.schema == self.schema.name:
                return f"Database[{q(pg_type.schema)}][\"Enums\"][{q(pg_type.name)}]"
            return " | ".join(q(label) for label in pg_type.labels) or "never"
        if pg_type.kind == "c":
            relation = self.relations_by_row_type.get(pg_type.oid)
            if relation is not None:
                section = "Tables" if relation.kind in ("table", "foreign_table") else "Views"
                return f"Database[{q(relation.schema)}][{q(section)}][{q(relation.name)}][\"Row\"]"
            composite = self.composites.get(pg_type.oid)
            if composite is not None and pg_type.schema == self.schema.name:
                return f"Database[{q(pg_type.schema)}][\"CompositeTypes\"][{q(pg_type.name)}]"
            if composite is not None:
                return self.composite_object(composite, 0)
            return "Record<string, unknown>"
        if pg_type.kind == "p":
            return {"void": "undefined", "record": "Record<string, unknown>"}.get(pg_type.name, "unknown")
        if pg_type.kind == "r" and pg_type.schema == "pg_catalog":
            return "string"  # PostgREST sends ranges as their text form, e.g. "[1,5)"
        if pg_type.schema == "pg_catalog":
            if pg_type.name == "bool":
                return "boolean"
            if pg_type.name in NUMBER_TYPES:
                return "number"
            if pg_type.name in STRING_TYPES:
                return "string"
            if pg_type.name in ("json", "jsonb"):
                return "Json"
        return "unknown"

    def nullable(self, text: str, nullable: bool) -> str:
        return f"{text} | null" if nullable and text not in ("unknown", "Json", "undefined") else text

    def composite_object(self, composite: CompositeType, depth: int) -> str:
        # Composite fields cannot be declared NOT NULL: every one may be null.
        return self.object([(column.name, "", self.nullable(self.ts_type(column.type), True))
                            for column in composite.fields], depth)

    @staticmethod
    def object(members: list[tuple[str, str, str]], depth: int) -> str:
        """`{ "name"?: type }` over several lines; members are (name, "?" or "", type)."""
        if not members:
            return "{ [_ in never]: never }"
        pad = INDENT * (depth + 1)
        lines = [f"{pad}{key(name)}{optional}: {text}" for name, optional, text in members]
        return "{\n" + "\n".join(lines) + "\n" + INDENT * depth + "}"

    # ------------------------------------------------------------ relations
    @staticmethod
    def _sorted_columns(relation: Relation) -> list[Column]:
        return sorted(relation.columns, key=lambda column: column.name)

    def row(self, relation: Relation, depth: int) -> str:
        nullable_always = relation.kind not in ("table", "foreign_table")
        return self.object([(c.name, "", self.nullable(self.ts_type(c.type), c.nullable or nullable_always))
                            for c in self._sorted_columns(relation)], depth)

    def write_shape(self, relation: Relation, depth: int, *, insert: bool) -> str:
        members = []
        for column in self._sorted_columns(relation):
            if column.generated or column.identity == "always":
                members.append((column.name, "?", "never"))  # the database computes it
                continue
            optional = not insert or column.nullable or column.has_default or column.identity == "by default"
            members.append((column.name, "?" if optional else "", self.nullable(self.ts_type(column.type),
                                                                                  column.nullable)))
        return self.object(members, depth)

    def relationships(self, relation: Relation, depth: int) -> str:
        keys = [key for key in relation.foreign_keys if key.referenced_schema == relation.schema]
        if not keys:
            return "[]"
        pad = INDENT * (depth + 1)
        inner = INDENT * (depth + 2)
        items = []
        for key in sorted(keys, key=lambda k: (k.name, k.referenced_relation)):
            items.append(
                f"{pad}{{\n"
                f"{inner}foreignKeyName: {q(key.name)}\n"
                f"{inner}columns: {json.dumps(list(key.columns))}\n"
                f"{inner}isOneToOne: {'true' if key.one_to_one else 'false'}\n"
                f"{inner}referencedRelation: {q(key.referenced_relation)}\n"
                f"{inner}referencedColumns: {json.dumps(list(key.referenced_columns))}\n"
                f"{pad}}},")
        return "[\n" + "\n".join(items) + "\n" + INDENT * depth + "]"

    def tables(self, depth: int) -> str:
        pad, inner = INDENT * (depth + 1), INDENT * (depth + 2)
        members = []
        for relation in sorted(self.schema.relations, key=lambda r: r.name):
            if relation.kind not in ("table", "foreign_table"):
                continue
            members.append(
                f"{pad}{key(relation.name)}: {{\n"
                f"{inner}Row: {self.row(relation, depth + 2)}\n"
                f"{inner}Insert: {self.write_shape(relation, depth + 2, insert=True)}\n"
                f"{inner}Update: {self.write_shape(relation, depth + 2, insert=False)}\n"
                f"{inner}Relationships: {self.relationships(relation, depth + 2)}\n"
                f"{pad}}}")
        return self.section(members, depth)

    def views(self, depth: int) -> str:
        pad, inner = INDENT * (depth + 1), INDENT * (depth + 2)
        members = []
        for relation in sorted(self.schema.relations, key=lambda r: r.name):
            if relation.kind in ("table", "foreign_table"):
                continue
            # Read-only here, as in the Python module: no Insert or Update.
            members.append(
                f"{pad}{key(relation.name)}: {{\n"
                f"{inner}Row: {self.row(relation, depth + 2)}\n"
                f"{inner}Relationships: {self.relationships(relation, depth + 2)}\n"
                f"{pad}}}")
        return self.section(members, depth)

    @staticmethod
    def section(members: list[str], depth: int) -> str:
        if not members:
            return "{\n" + INDENT * (depth + 1) + "[_ in never]: never\n" + INDENT * depth + "}"
        return "{\n" + "\n".join(members) + "\n" + INDENT * depth + "}"

    # ------------------------------------------------------------ functions
    def callable_through_postgrest(self, function: Function) -> bool:
        """PostgREST calls a function by its arguments' names (Supabase's generator keeps the same ones)."""
        return all(argument.name for argument in function.arguments) or (
            len(function.arguments) == 1 and self.ts_type(function.arguments[0].type) in ("Json", "string"))

    def args(self, function: Function, depth: int) -> str:
        if not function.arguments:
            return "never"
        members = []
        for argument in sorted(function.arguments, key=lambda a: a.name):
            literals = self.declarations.literal_values(function, argument.name)
            text = " | ".join(q(value) for value in literals) if literals else self.ts_type(argument.type)
            members.append((argument.name, "?" if argument.has_default else "", text))
        return self.object(members, depth)

    def returns(self, function: Function, depth: int) -> str:
        shape = self.declarations.shape_of(function)
        if shape is not None:
            return self.shape_object(shape, depth)
        setof = ""
        if function.result_columns:
            not_null = self.declarations.not_null(function)
            text = self.object([(c.name, "", self.nullable(self.ts_type(c.type), c.name not in not_null))
                                for c in function.result_columns], depth)
        else:
            relation = self.relations_by_row_type.get(function.returns.oid)
            if relation is not None:
                # As Supabase's: a function returning a relation's rows can be .select()ed and embedded.
                text = self.row(relation, depth)
                one = not function.returns_set or function.estimated_rows <= 1
                pad = INDENT * (depth + 1)
                setof = (f"\n{INDENT * depth}SetofOptions: {{\n{pad}from: \"*\"\n{pad}to: {q(relation.name)}\n"
                         f"{pad}isOneToOne: {'true' if one else 'false'}\n"
                         f"{pad}isSetofReturn: {'true' if function.returns_set else 'false'}\n{INDENT * depth}}}")
                if function.returns_set and one:
                    return text + setof  # a ROWS 1 set: postgrest-js restores the array from isOneToOne
            else:
                text = self.ts_type(function.returns)
        if function.returns_set:
            text = array_of(text)
        return text + setof

    def shape_object(self, shape: shapes.Shape, depth: int) -> str:
        members = []
        for field in shape.fields:
            if field.type.base == "literal":
                text = " | ".join(q(value) for value in field.type.literals)
            else:
                text = JSON_FIELD_TYPES[field.type.base]
            members.append((field.name, "" if field.required else "?", self.nullable(text, field.type.nullable)))
        return self.object(members, depth)

    def functions(self, depth: int) -> str:
        pad, inner = INDENT * (depth + 1), INDENT * (depth + 2)
        grouped: dict[str, list[Function]] = {}
        for function in self.schema.functions:
            if self.callable_through_postgrest(function):
                grouped.setdefault(function.name, []).append(function)
        members = []
        for name in sorted(grouped):
            overloads = sorted(grouped[name], key=lambda f: (f.identity, f.returns.sql_name))
            signatures = [
                f"{inner}| {{\n"
                f"{inner}    Args: {self.args(function, depth + 4)}\n"
                f"{inner}    Returns: {self.returns(function, depth + 4)}\n"
                f"{inner}  }}" for function in overloads]
            members.append(f"{pad}{key(name)}:\n" + "\n".join(signatures))
        return self.section(members, depth)

    # ------------------------------------------------------------ enums, composites
    def own_enums(self) -> list[PgType]:
        return sorted((t for t in self.schema.enums if t.schema == self.schema.name), key=lambda t: t.name)

    def enums(self, depth: int) -> str:
        pad = INDENT * (depth + 1)
        return self.section([f"{pad}{key(t.name)}: " + (" | ".join(q(label) for label in t.labels) or "never")
                             for t in self.own_enums()], depth)

    def composite_types(self, depth: int) -> str:
        pad = INDENT * (depth + 1)
        own = sorted((c for c in self.schema.composites if c.type.schema == self.schema.name),
                     key=lambda c: c.type.name)
        return self.section([f"{pad}{key(c.type.name)}: {self.composite_object(c, depth + 1)}" for c in own], depth)

    # ------------------------------------------------------------ the module
    def render(self) -> str:
        name = self.schema.name
        source = (f"migration {self.schema.newest_migration}" if self.schema.newest_migration
                  else "a database with no recorded migrations")
        depth = 2
        body = (
            f"{INDENT}{key(name)}: {{\n"
            f"{INDENT * depth}Tables: {self.tables(depth)}\n"
            f"{INDENT * depth}Views: {self.views(depth)}\n"
            f"{INDENT * depth}Functions: {self.functions(depth)}\n"
            f"{INDENT * depth}Enums: {self.enums(depth)}\n"
            f"{INDENT * depth}CompositeTypes: {self.composite_types(depth)}\n"
            f"{INDENT}}}")
        enum_constants = "\n".join(
            f"{INDENT * 3}{key(t.name)}: [{', '.join(q(label) for label in t.labels)}],"
            for t in self.own_enums())
        constants = (f"export const Constants = {{\n{INDENT}{key(name)}: {{\n{INDENT * 2}Enums: {{\n"
                     + (enum_constants + "\n" if enum_constants else "")
                     + f"{INDENT * 2}}},\n{INDENT}}},\n}} as const\n")
        text = (
            f"// The `{name}` schema's types for supabase-js: createClient<Database>(url, key).\n"
            f"// Generated by `learnkit gen types --lang typescript --schema {name}` from {source}.\n"
            "// Do not edit: regenerate after changing the schema (see docs/codegen.md).\n\n"
            "export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]\n\n"
            f"export type Database = {{\n{body}\n}}\n"
            + HELPERS.replace("SCHEMA", q(name)) + "\n" + constants)
        return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
