"""The database advisor: security and performance checks on a live database.

Each check is a named query in sql/advisor.sql returning one row per finding
(level, category, object, why, fix); this module runs them all in one
read-only transaction and sorts what they find. Supabase's hosted advisor
(splinter) is the model; the checks are learnkit's own.
"""

from dataclasses import asdict, dataclass

import psycopg

from cli import queries
from cli.errors import UsageError

SQL_FILE = "advisor.sql"
SESSION_QUERIES = ("prepare_session", "exposed_schemas")
LEVELS = ("ERROR", "WARN", "INFO")
BLOCKING_LEVELS = ("ERROR", "WARN")
CATEGORIES = ("SECURITY", "PERFORMANCE", "CAPABILITY")

# Schemas PostgreSQL, Supabase or its extensions own: their objects are not the project's to fix.
# `tests` holds basejump's supabase_test_helpers, an extension (dbdev) on Supabase, which splinter
# skips as extension-owned; learnkit installs them as plain SQL, in test databases only.
MANAGED_SCHEMAS = (
    "pg_catalog", "information_schema", "pg_toast", "auth", "storage", "extensions", "graphql",
    "graphql_public", "realtime", "_realtime", "supabase_functions", "supabase_migrations", "vault",
    "pgsodium", "pgsodium_masks", "net", "cron", "pgbouncer", "pgmq", "pgtle", "repack", "tiger",
    "topology", "_analytics", "_supavisor", "tests",
)


@dataclass(frozen=True)
class Finding:
    check: str
    level: str
    category: str
    object: str
    why: str
    fix: str

    @property
    def blocking(self) -> bool:
        return self.level in BLOCKING_LEVELS

    def as_dict(self) -> dict:
        return asdict(self)


def check_names() -> list[str]:
    """Every check, in the order sql/advisor.sql defines them."""
    return [name for name in queries.load("cli", SQL_FILE) if name not in SESSION_QUERIES]


def exposed_schemas(conn: psycopg.Connection) -> list[str]:
    value = conn.execute(queries.query(SQL_FILE, "exposed_schemas")).fetchone()["schemas"]
    return [schema.strip().strip('"') for schema in value.split(",") if schema.strip()]


def advise(conn: psycopg.Connection, checks: list[str] | None = None) -> list[Finding]:
    """Run the checks (all by default) and return their findings, most severe first."""
    names = check_names() if checks is None else checks
    unknown = sorted(set(names) - set(check_names()))
    if unknown:
        raise UsageError(f"unknown check(s) {', '.join(unknown)}: choose from {', '.join(check_names())}")
    findings = []
    with conn.transaction(force_rollback=True):
        session = conn.execute(queries.query(SQL_FILE, "prepare_session")).fetchone()
        if not session["has_api_roles"]:
            raise UsageError("not a Supabase database: the API roles anon and authenticated do not exist "
                             "(run `learnkit db push` to apply learnkit's Supabase emulation)")
        params = {"exposed_schemas": exposed_schemas(conn), "managed_schemas": list(MANAGED_SCHEMAS)}
        for name in names:
            for row in conn.execute(queries.query(SQL_FILE, name), params).fetchall():
                findings.append(Finding(check=name, **row))
    order = {level: index for index, level in enumerate(LEVELS)}
    return sorted(findings, key=lambda finding: (order[finding.level], finding.check, finding.object))


def render_text(findings: list[Finding]) -> list[str]:
    """Findings for people: an aligned line per finding, then its why and fix indented.

    Lines rather than a boxed table: the why and fix are sentences, which a
    table of six columns wraps into unreadable slivers at 80 columns and in CI logs.
    """
    if not findings:
        return []
    widths = [max(len(getattr(finding, name)) for finding in findings) for name in ("level", "category", "check")]
    lines = []
    for finding in findings:
        head = "  ".join(value.ljust(width) for value, width in
                         zip((finding.level, finding.category, finding.check), widths))
        lines += [f"{head}  {finding.object}", f"    why: {finding.why}", f"    fix: {finding.fix}"]
    return lines


def summary(findings: list[Finding]) -> dict[str, int]:
    return {level: sum(1 for finding in findings if finding.level == level) for level in LEVELS}
