"""CHANGELOG.md: Keep a Changelog's shape, and an entry for every migration after the baselines.

An entry names its migration by file name in backticks (`20261202083043_create_tutor_context.sql`) inside a
version's `### Added/Changed/...` section; the intro does not count. Breaking changes start with **BREAKING**.
"""

import re
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

_VERSION_HEADING = re.compile(r"^## \[(Unreleased|\d+\.\d+\.\d+)\](?: - (\d{4}-\d{2}-\d{2}))?$")
_KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}  # keepachangelog.com 1.1.0
_NAMED_MIGRATION = re.compile(r"`(\d{14}_\w+\.sql)`")


def changelog_problems(root: Path) -> list[str]:
    """What is wrong with root/CHANGELOG.md, given root/supabase/migrations; empty when nothing is."""
    lines = (root / "CHANGELOG.md").read_text().splitlines()
    problems = [] if lines and lines[0] == "# Changelog" else ["the first line is not `# Changelog`"]
    versions: list[str] = []
    entries: list[str] = []  # the lines inside a version's ### section
    in_section = False
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            match = _VERSION_HEADING.match(line)
            if not match:
                problems.append(f"line {number}: {line!r} is not `## [Unreleased]` nor `## [X.Y.Z] - YYYY-MM-DD`")
            elif match.group(1) != "Unreleased" and not match.group(2):
                problems.append(f"line {number}: version {match.group(1)} has no release date")
            else:
                versions.append(match.group(1))
            in_section = False
        elif line.startswith("### "):
            if line[4:] not in _KINDS:
                problems.append(f"line {number}: {line!r} is not one of ### {', '.join(sorted(_KINDS))}")
            in_section = bool(versions)
        elif line.startswith("#"):
            in_section = False
        elif in_section:
            entries.append(line)
            if "BREAKING" in line and not line.startswith("- **BREAKING** "):
                problems.append(f"line {number}: a breaking change's entry starts with `- **BREAKING** `")
    if versions[:1] != ["Unreleased"]:
        problems.append("the first version section is not `## [Unreleased]`")
    released = [tuple(int(part) for part in version.split(".")) for version in versions if version != "Unreleased"]
    if released != sorted(released, reverse=True):
        problems.append("versions are not listed newest first")
    text = "\n".join(entries)
    files = {path.name for path in (root / "supabase" / "migrations").glob("*.sql")}
    named = set(_NAMED_MIGRATION.findall(text))
    for name in sorted(files - named):
        if "_baseline_" not in name:
            problems.append(f"migration {name} has no entry in CHANGELOG.md")
    for name in sorted(named - files):
        problems.append(f"CHANGELOG.md names {name}, which is not in supabase/migrations")
    return problems


def test_every_migration_after_the_baselines_has_an_entry():
    migrations = [path.name for path in (REPO_ROOT / "supabase" / "migrations").glob("*.sql")
                  if "_baseline_" not in path.name]
    assert migrations, "no migration after the baselines: this test would check nothing about entries"
    assert changelog_problems(REPO_ROOT) == []


def project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "supabase" / "migrations", copy / "supabase" / "migrations")
    shutil.copy(REPO_ROOT / "CHANGELOG.md", copy / "CHANGELOG.md")
    return copy


def test_a_migration_without_an_entry_fails_until_one_names_it(tmp_path):
    copy = project_copy(tmp_path)
    (copy / "supabase" / "migrations" / "20991231000000_drop_hint_uses.sql").write_text(
        "drop table public.hint_uses;\n")
    assert changelog_problems(copy) == ["migration 20991231000000_drop_hint_uses.sql has no entry in CHANGELOG.md"]

    changelog = copy / "CHANGELOG.md"
    # named only in the intro, outside any version's section: still missing
    changelog.write_text(changelog.read_text().replace(
        "## [Unreleased]", "Soon: `20991231000000_drop_hint_uses.sql`.\n\n## [Unreleased]", 1))
    assert changelog_problems(copy) == ["migration 20991231000000_drop_hint_uses.sql has no entry in CHANGELOG.md"]

    changelog.write_text(changelog.read_text().replace("## [Unreleased]\n", (
        "## [Unreleased]\n\n### Removed\n\n- **BREAKING** `public.hint_uses` is gone "
        "(migration `20991231000000_drop_hint_uses.sql`).\n"), 1))
    assert changelog_problems(copy) == []


def test_shape_problems_are_named(tmp_path):
    copy = project_copy(tmp_path)
    changelog = copy / "CHANGELOG.md"
    text = changelog.read_text()
    changelog.write_text(text.replace("### Removed", "### Gone").replace("## [0.1.0] - 2026-12-02", "## 0.1.0")
                         .replace("- **BREAKING** Answers", "- Answers (BREAKING)"))
    problems = changelog_problems(copy)
    assert any("'### Gone' is not one of" in problem for problem in problems), problems
    assert any("'## 0.1.0' is not" in problem for problem in problems), problems
    assert any("starts with `- **BREAKING** `" in problem for problem in problems), problems

    changelog.write_text(text.replace("`20261202083043_create_tutor_context.sql`).",
                                      "`20261202083043_create_tutor_context.sql`, `20261202083044_typo.sql`)."))
    assert changelog_problems(copy) == [
        "CHANGELOG.md names 20261202083044_typo.sql, which is not in supabase/migrations"]
