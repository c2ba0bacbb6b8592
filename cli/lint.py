"""SQL lint: sqlfluff over supabase/**/*.sql with the repository's .sqlfluff.

sqlfluff's Python API is used rather than its CLI: one process, no second
import of sqlfluff (about half a second), and violations come back as objects
instead of text to parse. The configuration is read only from the project's
.sqlfluff (`ignore_local_config`), so CI and every laptop lint the same way
whatever is in the user's home directory.
"""

import time
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
         processes: int = 1) -> LintReport:
    """Lint (and with `fix`, first fix) the project's SQL; the report lists what remains."""
    started = time.perf_counter()
    files = sql_files(settings, paths)
    report = LintReport(files=[_display(path, settings) for path in files])
    if not files:
        return report
    linter = _linter(settings)
    names = tuple(str(path) for path in files)
    if fix:
        fixed = linter.lint_paths(names, fix=True, apply_fixes=True, processes=processes)
        report.fixed_files = sorted(
            _display(Path(linted.path), settings)
            for linted_dir in fixed.paths for linted in linted_dir.files
            if linted.num_violations(fixable=True) and not _unparsable(linted))
        linter = _linter(settings)  # a fresh linter: the fixed files are re-read from disk
    result = linter.lint_paths(names, processes=processes)
    for linted_dir in result.paths:
        for linted in linted_dir.files:
            shown = _display(Path(linted.path), settings)
            report.violations.extend(
                Violation(shown, error.line_no, error.line_pos, error.rule_code(), error.desc())
                for error in linted.get_violations())
    report.violations.sort(key=lambda violation: (violation.file, violation.line, violation.column))
    report.seconds = time.perf_counter() - started
    return report


def _linter(settings: Settings):
    try:
        from sqlfluff.core import FluffConfig, Linter
    except ImportError:
        raise UsageError("sqlfluff is not installed: pip install 'learnkit[dev]'") from None
    config_path = settings.project_dir / CONFIG_FILE
    if not config_path.is_file():
        raise UsageError(f"no {CONFIG_FILE} in {settings.project_dir}: the SQL lint rules live there")
    try:
        config = FluffConfig.from_path(str(settings.project_dir), extra_config_path=str(config_path),
                                       ignore_local_config=True)
    except Exception as error:  # sqlfluff raises several types for a bad config file
        raise UsageError(f"invalid {config_path}: {error}") from None
    return Linter(config=config)


def _unparsable(linted) -> bool:
    from sqlfluff.core.errors import SQLParseError, SQLTemplaterError

    return bool(linted.num_violations(types=(SQLParseError, SQLTemplaterError), filter_warning=False))


def _display(path: Path, settings: Settings) -> str:
    try:
        return str(path.relative_to(settings.project_dir))
    except ValueError:
        return str(path)
