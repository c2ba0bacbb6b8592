"""Running pgTAP files as `supabase test db` does, and reading their TAP.

Each file runs through psql (as pg_prove runs it) in its own session, in
name order; the output is parsed with tap.py rather than by hand.
"""

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from tap.parser import Parser

from cli import local_server
from cli.errors import UsageError

PGTAP_MISSING = ("pgTAP is not installed on this server: apt-get install postgresql-15-pgtap "
                 "(the embedded server takes it from there when its data folder is created)")


@dataclass
class FileResult:
    path: Path
    planned: int | None = None
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ran(self) -> int:
        return self.passed + len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures and self.error is None and self.planned == self.ran


def test_files(tests_dir: Path, selected: list[Path] | None = None) -> list[Path]:
    if selected:
        missing = [str(path) for path in selected if not path.is_file()]
        if missing:
            raise UsageError(f"test file not found: {', '.join(missing)}")
        return selected
    if not tests_dir.is_dir():
        raise UsageError(f"tests folder not found: {tests_dir}")
    return sorted(path for path in tests_dir.rglob("*.sql") if path.is_file())


def psql_executable() -> str:
    found = shutil.which("psql")
    if found:
        return found
    for bin_dir in (local_server.system_bin_dir, local_server.embedded_bin_dir):
        try:
            candidate = bin_dir() / "psql"
        except UsageError:
            continue
        if candidate.exists():
            return str(candidate)
    raise UsageError("psql not found: apt-get install postgresql-client")


def ensure_pgtap_available(conn: psycopg.Connection) -> None:
    row = conn.execute("select exists (select from pg_available_extensions where name = 'pgtap') as ok").fetchone()
    if not row["ok"]:
        raise UsageError(PGTAP_MISSING)


def run_file(url: str, path: Path) -> FileResult:
    completed = subprocess.run(
        [psql_executable(), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "--pset=pager=off",
         "-d", url, "-f", str(path)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    result = parse_tap(path, completed.stdout)
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "ERROR" in line] or lines or [f"psql exited {completed.returncode}"]
        result.error = errors[0].split("ERROR:", 1)[-1].strip()
    return result


# Only TAP lines reach the parser: a test's own select output (a uuid such as
# "1fa9…") would otherwise match tap.py's plan pattern `^1..(\d+)`, whose dots are unescaped.
_TAP_LINE = re.compile(r"^\s*(ok\b|not ok\b|1\.\.\d+|#|Bail out!)")


def parse_tap(path: Path, output: str) -> FileResult:
    result = FileResult(path=path)
    output = "\n".join(line for line in output.splitlines() if _TAP_LINE.match(line))
    for line in Parser().parse_text(output):
        if line.category == "plan":
            result.planned = line.expected_tests
        elif line.category == "test":
            if line.ok or line.todo:
                result.passed += 1
            else:
                description = line.description.removeprefix("-").strip()
                result.failures.append(f"{line.number} - {description}" if description else str(line.number))
        elif line.category == "diagnostic":
            result.diagnostics.append(line.text)
    return result
