"""SQL lint: sqlfluff over supabase/**/*.sql with the repository's .sqlfluff.

sqlfluff's Python API is used rather than its CLI: no second interpreter and
import of sqlfluff, and violations come back as objects instead of text to
parse. The configuration is read only from the project's .sqlfluff
(`ignore_local_config`), so CI and every laptop lint the same way whatever is
in the user's home directory.

Parsing dominates the cost (about 2 ms of CPU a line with the Rust parser of
`sqlfluff[rs]`), so files are linted in parallel: chunks of files go to a
process pool forked here, each process running sqlfluff single-process.
sqlfluff's own `processes` option is not used because its spawn-based pool
re-imports everything per worker and leaves a "leaked semaphore" warning on
stderr after the command's last line.

Then the migrations after the newest baseline (`*_baseline_*.sql`) go through
squawk, a linter of schema changes that lock or rewrite tables holding data,
configured by the project's .squawk.toml (docs/quality-gates.md). Baselines
create their tables in an empty database, where those rules mean nothing, and
so does every migration before them. squawk is one Rust binary that the
squawk-cli wheel puts next to the Python interpreter; it runs once over all
those files, so a constraint validated in one migration counts for the
`set not null` in the next.
"""

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cli.errors import Failure, UsageError
from cli.migrations import MIGRATION_FILE
from cli.settings import Settings

CONFIG_FILE = ".sqlfluff"
DEFAULT_PATTERN = "**/*.sql"
SQUAWK_CONFIG_FILE = ".squawk.toml"
BASELINE_MARK = "_baseline_"  # 20261202200000_baseline_private.sql


@dataclass(frozen=True)
class Violation:
    file: str  # relative to the project root when inside it
    line: int
    column: int
    rule: str
    message: str

    def as_line(self) -> str:
        return f"{self.file}:{self.line}:{self.column} {self.rule} {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "rule": self.rule,
                "message": self.message}


@dataclass
class LintReport:
    files: list[str]
    violations: list[Violation] = field(default_factory=list)
    migrations_checked: list[str] = field(default_factory=list)  # by squawk: those after the newest baseline
    fixed_files: list[str] = field(default_factory=list)
    processes: int = 1
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def files_with_violations(self) -> list[str]:
        return sorted({violation.file for violation in self.violations})


def sql_files(settings: Settings, paths: list[Path] | None = None) -> list[Path]:
    """The files to lint: the given ones (files or folders), else supabase/**/*.sql."""
    targets = paths or [settings.supabase_dir]
    found: set[Path] = set()
    for target in targets:
        target = target.resolve()  # relative to the working directory, as in any CLI
        if target.is_dir():
            found.update(target.glob(DEFAULT_PATTERN))
        elif target.is_file():
            found.add(target)
        else:
            raise UsageError(f"no such file or folder: {target}")
    return sorted(path.resolve() for path in found)


def lint(settings: Settings, paths: list[Path] | None = None, *, fix: bool = False,
         processes: int | None = None) -> LintReport:
    """Lint (and with `fix`, first fix) the project's SQL, then squawk the migrations after the
    newest baseline among those files; the report lists what remains.

    `processes`: how many processes lint in parallel; 0 means one per CPU, a
    negative number that many fewer; None takes `processes` from .sqlfluff.
    """
    started = time.perf_counter()
    config = _config(settings)
    files = sql_files(settings, paths)
    report = LintReport(files=[_display(path, settings) for path in files])
    if not files:
        return report
    wanted = config.get("processes", default=1) if processes is None else processes
    report.processes = min(_process_count(wanted), len(files))
    chunks = [(settings, chunk, fix) for chunk in _balanced_chunks(files, report.processes)]
    if report.processes == 1:
        results = [_lint_chunk(chunks[0])]
    else:
        with ProcessPoolExecutor(report.processes, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_lint_chunk, chunks))
    for violations, fixed in results:
        report.violations.extend(violations)
        report.fixed_files.extend(fixed)
    migrations = migrations_after_baseline(settings, files)
    report.migrations_checked = [_display(path, settings) for path in migrations]
    report.violations.extend(squawk(settings, migrations))
    report.violations.sort(key=lambda violation: (violation.file, violation.line, violation.column))
    report.fixed_files.sort()
    report.seconds = time.perf_counter() - started
    return report


def _lint_chunk(job: tuple[Settings, list[Path], bool]) -> tuple[list[Violation], list[str]]:
    """Lint (and fix) some files in this process: the violations left, the files fixed."""
    settings, files, fix = job
    from sqlfluff.core import Linter

    names = tuple(str(path) for path in files)
    fixed = []
    if fix:
        result = Linter(config=_config(settings)).lint_paths(names, fix=True, apply_fixes=True, processes=1)
        fixed = [_display(Path(linted.path), settings) for linted_dir in result.paths for linted in linted_dir.files
                 if linted.num_violations(fixable=True) and not _unparsable(linted)]
    # After fixing, a fresh lint reads the rewritten files: what it reports is what is left.
    result = Linter(config=_config(settings)).lint_paths(names, processes=1)
    violations = [
        Violation(_display(Path(linted.path), settings), error.line_no, error.line_pos, error.rule_code(),
                  error.desc())
        for linted_dir in result.paths for linted in linted_dir.files for error in linted.get_violations()]
    return violations, fixed


def migrations_after_baseline(settings: Settings, files: list[Path]) -> list[Path]:
    """The migrations among `files` newer than the newest baseline migration (all of them without one)."""
    migrations_dir = settings.migrations_dir.resolve()
    if not migrations_dir.is_dir():
        return []
    baselines = [int(match[1]) for path in migrations_dir.glob(f"*{BASELINE_MARK}*.sql")
                 if (match := MIGRATION_FILE.match(path.name))]
    newest_baseline = max(baselines, default=-1)
    return [path for path in files
            if path.parent == migrations_dir and (match := MIGRATION_FILE.match(path.name))
            and int(match[1]) > newest_baseline]


def squawk(settings: Settings, migrations: list[Path]) -> list[Violation]:
    """squawk's findings in `migrations`, with the project's .squawk.toml; none to check, none found."""
    if not migrations:
        return []
    config_path = settings.project_dir / SQUAWK_CONFIG_FILE
    if not config_path.is_file():
        raise UsageError(f"no {SQUAWK_CONFIG_FILE} in {settings.project_dir}: the migration lint rules live there")
    completed = subprocess.run(
        [_squawk_binary(), "--config", str(config_path), "--reporter", "json", *map(str, migrations)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    try:  # exit 1 with findings on stdout; a bad config or option: exit 1 (or 2) and a message on stderr
        findings = json.loads(completed.stdout)
    except json.JSONDecodeError:
        message = (completed.stderr.strip() or completed.stdout.strip() or f"exit {completed.returncode}")
        raise Failure(f"squawk failed: {message.splitlines()[-1]}") from None
    return [
        # squawk's JSON counts lines and columns from 0; editors and sqlfluff from 1
        Violation(_display(Path(finding["file"]), settings), finding["line"] + 1, finding["column"] + 1,
                  finding["rule_name"], " ".join(filter(None, [finding["message"], finding.get("help")])))
        for finding in findings]


def _squawk_binary() -> str:
    # the squawk-cli wheel installs the binary beside this interpreter, on PATH only when the venv is active
    beside = Path(sys.executable).parent / "squawk"
    found = str(beside) if beside.is_file() else shutil.which("squawk")
    if not found:
        raise UsageError("squawk is not installed (the migration linter): pip install 'learnkit[dev]'")
    return found


def _config(settings: Settings):
    try:
        from sqlfluff.core import FluffConfig
    except ImportError:
        raise UsageError("sqlfluff is not installed: pip install 'learnkit[dev]'") from None
    config_path = settings.project_dir / CONFIG_FILE
    if not config_path.is_file():
        raise UsageError(f"no {CONFIG_FILE} in {settings.project_dir}: the SQL lint rules live there")
    try:
        return FluffConfig.from_path(str(settings.project_dir), extra_config_path=str(config_path),
                                     ignore_local_config=True)
    except Exception as error:  # sqlfluff raises several types for a bad config file
        raise UsageError(f"invalid {config_path}: {error}") from None


def _process_count(wanted: int) -> int:
    wanted = int(wanted)
    return max(1, wanted if wanted > 0 else (os.cpu_count() or 1) + wanted)


def _balanced_chunks(files: list[Path], count: int) -> list[list[Path]]:
    """`count` lists of files with about the same number of bytes each (largest first, to the lightest)."""
    chunks: list[list[Path]] = [[] for _ in range(count)]
    sizes = [0] * count
    for path in sorted(files, key=lambda path: path.stat().st_size, reverse=True):
        lightest = sizes.index(min(sizes))
        chunks[lightest].append(path)
        sizes[lightest] += path.stat().st_size
    return [sorted(chunk) for chunk in chunks if chunk]


def _unparsable(linted) -> bool:
    from sqlfluff.core.errors import SQLParseError, SQLTemplaterError

    return bool(linted.num_violations(types=(SQLParseError, SQLTemplaterError), filter_warning=False))


def _display(path: Path, settings: Settings) -> str:
    try:
        return str(path.relative_to(settings.project_dir))
    except ValueError:
        return str(path)
