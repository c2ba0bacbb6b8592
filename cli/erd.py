"""`learnkit gen erd`: an entity-relationship diagram of the live schema, drawn by Graphviz.

What is drawn, and why:
- Every table (partitions left out: they are data the maintain-partitions job adds and drops) of the schemas the
  declared files create tables in: public, private and analytics. Private and analytics tables hold foreign keys
  into public ones and are part of the model a developer changes, so they are drawn, with a grey header and their
  schema in their name: the API does not expose them. Tables outside those schemas that a foreign key references
  (auth.users, storage.objects) are drawn as plain "Supabase" boxes.
- One cluster per domain, the domain of a table being the declared file that creates it
  (`supabase/schemas/NN_domain.sql`). The grouping is read from those files rather than kept as a mapping: they
  are the one place a table is declared, so a new table lands in its domain with no second list to update. A
  table no declared file creates (drift) goes to a cluster saying so.
- Left to right, referenced tables left of those referencing them, in one overview picture: with 73 tables
  top-to-bottom made a strip 12,500 px wide, and per-domain pictures would hide the references across domains.
- In each table only its key columns (primary and foreign key) with their types, and how many others it has:
  every column of 73 tables would not read, and the keys are what the edges join. Every foreign key column names
  its target (`→ courses`), so a reader never has to follow a line through the crossings.
- Each foreign key is an edge from the referenced column to the referencing one, crow's foot on the "many" side,
  fainter across domains. Except to the hubs, the tables more than HUB_REFERENCES foreign keys reference
  (`profiles`, `organizations`: 60 and 23): their fans of edges would cross every cluster, and the column's
  `→ profiles` says it all.

`--check` compares the DOT source (docs/erd.dot) with what the schema produces, byte for byte, and checks that
docs/erd.svg was rendered from that source (it carries the source's SHA-256 in a comment) and docs/erd.png
exists. Graphviz's layout differs between versions, so neither the SVG's coordinates nor the PNG's bytes are
compared, and the check needs no Graphviz.
"""
import hashlib
import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import graphviz
import psycopg
from psycopg.rows import dict_row

from cli import connection, declared, scratch
from cli.errors import Failure, UsageError
from cli.queries import query
from cli.settings import Settings

DEFAULT_DIR = Path("docs")
STEM = "erd"
SCRATCH_DATABASE = "learnkit_erd"
UNDECLARED = "not declared in supabase/schemas"
# A table referenced by more foreign keys than this is a hub: its references are written in the referencing
# column rather than drawn, or its fan of edges would cross every cluster.
HUB_REFERENCES = 15
# The SVG carries the DOT source's digest as a comment (Graphviz writes a graph's `comment` attribute into the
# SVG; it escapes hyphens, hence the spaces).
DIGEST_MARKER = "rendered from erd.dot sha256 "

_DOMAIN_FILE = re.compile(r"^\d+_(\w+)\.sql$")
_CREATE_TABLE = re.compile(r"^[ \t]*create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?(\w+)\.(\w+)",
                           re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    primary_key: bool


@dataclass
class Table:
    schema: str
    name: str
    column_count: int
    domain: str = UNDECLARED
    key_columns: list[Column] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class ForeignKey:
    schema: str
    table: str
    name: str
    columns: tuple[str, ...]
    target_schema: str
    target_table: str
    target_columns: tuple[str, ...]

    @property
    def source(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def target(self) -> str:
        return f"{self.target_schema}.{self.target_table}"


@dataclass(frozen=True)
class Domain:
    name: str
    file: str  # relative to the project, for the cluster's label


@dataclass
class Model:
    domains: list[Domain]
    tables: dict[str, Table]
    foreign_keys: list[ForeignKey]


def declared_domains(settings: Settings) -> tuple[list[Domain], dict[tuple[str, str], str]]:
    """The domains (declared files, in their order) and the domain of each table they create."""
    domains: list[Domain] = []
    table_domain: dict[tuple[str, str], str] = {}
    for path in declared.declared_files(settings):
        match = _DOMAIN_FILE.match(path.name)
        if not match:
            continue  # not a domain file (supabase/policies/*.sql create no table)
        domain = Domain(match.group(1), _relative(path, settings.project_dir))
        creates = [(schema.lower(), table.lower()) for schema, table in _CREATE_TABLE.findall(path.read_text())]
        if creates:
            domains.append(domain)
        for key in creates:
            table_domain.setdefault(key, domain.name)
    return domains, table_domain


def read_model(conn: psycopg.Connection, settings: Settings) -> Model:
    domains, table_domain = declared_domains(settings)
    if not domains:
        raise UsageError("no declared file in supabase/schemas creates a table: nothing to draw")
    schemas = sorted({schema for schema, _ in table_domain})
    with conn.cursor(row_factory=dict_row) as cursor:
        tables = {}
        for row in cursor.execute(query("erd.sql", "tables"), {"schemas": schemas}).fetchall():
            table = Table(row["schema"], row["name"], row["column_count"],
                          table_domain.get((row["schema"], row["name"]), UNDECLARED))
            tables[table.qualified] = table
        for row in cursor.execute(query("erd.sql", "key_columns"), {"schemas": schemas}).fetchall():
            tables[f"{row['schema']}.{row['table']}"].key_columns.append(
                Column(row["name"], row["type"], row["primary_key"]))
        foreign_keys = [
            ForeignKey(row["schema"], row["table"], row["name"], tuple(row["columns"]), row["target_schema"],
                       row["target_table"], tuple(row["target_columns"]))
            for row in cursor.execute(query("erd.sql", "foreign_keys"), {"schemas": schemas}).fetchall()
            if f"{row['schema']}.{row['table']}" in tables
        ]
    if not tables:
        raise UsageError(f"the database has none of the declared tables (schemas {', '.join(schemas)}): "
                         "push the migrations first, or use --from-migrations")
    if any(table.domain == UNDECLARED for table in tables.values()):
        domains = [*domains, Domain(UNDECLARED, "")]
    return Model(domains, tables, foreign_keys)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


# ColorBrewer's Set3 (Graphviz's set312), one colour per domain: pale enough for black text.
_PALETTE = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9",
            "#bc80bd", "#ccebc5", "#ffed6f"]
_API_SCHEMA = "public"


def build_dot(model: Model) -> graphviz.Digraph:
    """The diagram as Graphviz's DOT source; deterministic (everything sorted) so --check can compare it."""
    references = Counter(fk.target for fk in model.foreign_keys)
    hubs = {target for target, count in references.items() if count > HUB_REFERENCES}
    # Every foreign key column names its target in the node, so a reader need not follow the edge.
    targets: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for fk in model.foreign_keys:
        for column in fk.columns:
            targets[fk.source][column].append(_title(fk.target_schema, fk.target_table))
    dot = graphviz.Digraph("erd", graph_attr={
        "rankdir": "LR", "ranksep": "1.2", "nodesep": "0.25", "fontname": "Helvetica", "fontsize": "22",
        "labelloc": "t", "newrank": "true",
        "label": "learnkit schema: tables by domain (supabase/schemas/NN_domain.sql), key columns only; "
                 "grey header: not exposed by the API",
    }, node_attr={"shape": "plain", "fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowhead": "crow", "arrowtail": "none", "color": "#555555", "penwidth": "0.8"})
    # Declared last to first: dot stacks unconnected clusters bottom-up in LR, so the foundation comes out on top.
    for index, domain in reversed(list(enumerate(model.domains))):
        colour = _PALETTE[index % len(_PALETTE)]
        members = sorted((t for t in model.tables.values() if t.domain == domain.name), key=_table_order)
        with dot.subgraph(name=f"cluster_{domain.name.replace(' ', '_')}") as cluster:
            cluster.attr(label=f"{domain.name}  ({domain.file})" if domain.file else domain.name,
                         style="rounded,filled", fillcolor=_tint(colour), color=colour, fontsize="16",
                         labeljust="l")
            for table in members:
                cluster.node(table.qualified, label=_label(table, colour, targets[table.qualified]))
    external = sorted({fk.target for fk in model.foreign_keys if fk.target not in model.tables} - hubs)
    for name in external:
        dot.node(name, label=_external_label(name))
    for fk in sorted(model.foreign_keys, key=lambda fk: (fk.target, fk.source, fk.columns)):
        if fk.target in hubs:
            continue
        if fk.target in model.tables:
            tail = f"{fk.target}:out_{fk.target_columns[0]}:e"
            across = model.tables[fk.source].domain != model.tables[fk.target].domain
        else:  # a Supabase table: no columns to attach to
            tail, across = fk.target, True
        dot.edge(tail, f"{fk.source}:in_{fk.columns[0]}:w", **({"color": "#00000060"} if across else {}))
    return dot


def _table_order(table: Table) -> tuple[bool, str]:
    return table.schema != _API_SCHEMA, table.name


def _tint(colour: str) -> str:
    """The domain's colour mixed with white: the cluster's background."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * 0.75):02x}" for c in (red, green, blue))


def _label(table: Table, colour: str, targets: dict[str, list[str]]) -> str:
    title = _title(table.schema, table.name)
    header = colour if table.schema == _API_SCHEMA else "#bbbbbb"
    rows = [f'<tr><td colspan="3" bgcolor="{header}"><b>{_escape(title)}</b></td></tr>']
    for column in table.key_columns:
        keys = " ".join([*(["PK"] if column.primary_key else []),
                         *(f"→ {target}" for target in sorted(set(targets.get(column.name, []))))])
        # Edges leave a referenced column from its last cell's east side and reach a referencing column at
        # its first cell's west side (left to right), hence two ports per row.
        rows.append(f'<tr><td port="in_{_escape(column.name)}" align="left">{_escape(column.name)}</td>'
                    f'<td align="left"><font color="#555555">{_escape(column.type)}</font></td>'
                    f'<td port="out_{_escape(column.name)}" align="left">{_escape(keys)}</td></tr>')
    others = table.column_count - len(table.key_columns)
    if others:
        rows.append(f'<tr><td colspan="3" align="left"><font color="#777777">'
                    f'+ {others} column{"s" if others != 1 else ""}</font></td></tr>')
    return ('<<table border="0" cellborder="1" cellspacing="0" cellpadding="3" bgcolor="white">'
            + "".join(rows) + "</table>>")


def _title(schema: str, name: str) -> str:
    return name if schema == _API_SCHEMA else f"{schema}.{name}"


def _external_label(name: str) -> str:
    return ('<<table border="0" cellborder="1" cellspacing="0" cellpadding="3" bgcolor="white">'
            f'<tr><td bgcolor="#dddddd"><b>{_escape(name)}</b></td></tr>'
            '<tr><td><font color="#555555">Supabase</font></td></tr></table>>')


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Rendered:
    dot: str
    svg: bytes
    png: bytes


def render(dot: graphviz.Digraph) -> Rendered:
    """The DOT source, and its SVG and PNG by Graphviz's `dot` (Debian's graphviz package)."""
    source = dot.source
    stamped = dot.copy()
    stamped.attr(comment=f"{DIGEST_MARKER}{digest(source)}")
    try:
        return Rendered(source, stamped.pipe(format="svg"), stamped.pipe(format="png"))
    except graphviz.ExecutableNotFound:
        raise UsageError("Graphviz's `dot` is not installed: `apt-get install graphviz` "
                         "(scripts/setup.sh test installs it)") from None
    except graphviz.CalledProcessError as error:
        raise Failure(f"dot failed: {' '.join((error.stderr or b'').decode(errors='replace').split())}") from None


def digest(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def write(rendered: Rendered, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, content in ((".dot", rendered.dot.encode()), (".svg", rendered.svg), (".png", rendered.png)):
        path = directory / f"{STEM}{suffix}"
        path.write_bytes(content)
        paths.append(path)
    return paths


def stale(source: str, directory: Path) -> list[str]:
    """Why the committed files are not the diagram of `source` (empty when they are); needs no Graphviz.

    erd.dot must equal the source byte for byte, erd.svg must carry its digest (it was rendered from it), and
    erd.png must exist. Coordinates and pixels are not compared: they differ between Graphviz versions.
    """
    reasons = []
    dot_file, svg_file, png_file = (directory / f"{STEM}{suffix}" for suffix in (".dot", ".svg", ".png"))
    if not dot_file.is_file():
        reasons.append(f"{dot_file.name} is missing")
    elif dot_file.read_text() != source:
        reasons.append(f"{dot_file.name} differs from the schema's diagram")
    if not svg_file.is_file():
        reasons.append(f"{svg_file.name} is missing")
    elif f"{DIGEST_MARKER}{digest(source)}" not in svg_file.read_text():
        reasons.append(f"{svg_file.name} was not rendered from the schema's erd.dot")
    if not png_file.is_file():
        reasons.append(f"{png_file.name} is missing")
    return reasons


def from_database(url: str, settings: Settings) -> graphviz.Digraph:
    with connection.connect(url) as conn:
        return build_dot(read_model(conn, settings))


def from_migrations(settings: Settings) -> graphviz.Digraph:
    with scratch.migrated_database(settings, SCRATCH_DATABASE) as url:
        return from_database(url, settings)
