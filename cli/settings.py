"""Settings carried from the root callback to every command."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    db_url: str | None = None
    json: bool = False

    @property
    def supabase_dir(self) -> Path:
        return self.project_dir / "supabase"

    @property
    def migrations_dir(self) -> Path:
        return self.supabase_dir / "migrations"

    @property
    def tests_dir(self) -> Path:
        return self.supabase_dir / "tests" / "database"

    @property
    def state_dir(self) -> Path:
        """Where the local database keeps its data, log and settings."""
        return self.project_dir / ".learnkit" / "db"
