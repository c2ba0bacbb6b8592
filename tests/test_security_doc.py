"""docs/security.md names, for each threat, the test that proves it: every test it names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_the_threat_table_names_exists():
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", (ROOT / "docs" / "security.md").read_text()))
    defined = {match for path in (ROOT / "tests").glob("test_*.py")
               for match in re.findall(r"^def (test_[a-z0-9_]+)", path.read_text(), flags=re.MULTILINE)}
    assert len(named) > 50
    assert named <= defined, f"docs/security.md names tests that do not exist: {sorted(named - defined)}"
