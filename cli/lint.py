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
"""

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cli.errors import UsageError
from cli.settings import Settings

CONFIG_FILE = ".sqlfluff"
DEFAULT_PATTERN = "**/*.sql"


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
    """Lint (and with `fix`, first fix) the project's SQL; the report lists what remains.

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
