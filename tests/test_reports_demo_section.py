"""The demo's lifecycle section writes last week's progress report and prints where it is."""

import shutil
from pathlib import Path

import pytest

from cli import demo_lifecycle
from cli.settings import Settings


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_demo_section_writes_a_report_and_prints_its_path(conn, tmp_path, capsys):
    import subprocess

    demo_lifecycle.show_progress_report(conn, Settings(project_dir=tmp_path, db_url=None, json=False))
    printed = capsys.readouterr().out
    line = next(line for line in printed.splitlines() if line.startswith("Progress report PDF: "))
    path = Path(line.removeprefix("Progress report PDF: "))
    assert path.is_file() and path.is_relative_to(tmp_path) and path.name == "summary.pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Maya" in text and "Addition to 20" in text and "Addition to 10 (new)" in text
