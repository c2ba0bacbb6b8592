"""Printing for people (rich) and for programs (JSON lines)."""

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def error_line(message: str) -> None:
    """The single red line every expected error becomes."""
    text = " ".join(str(message).split())
    if sys.stderr.isatty():
        stderr.print(f"[red]error:[/red] {text}", markup=True)
    else:
        print(f"error: {text}", file=sys.stderr)


def info(message: str) -> None:
    stderr.print(message, markup=False)


def json_line(payload: Any) -> None:
    print(json.dumps(payload, default=str), flush=True)


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    rendered = Table(title=title, title_justify="left")
    for column in columns:
        rendered.add_column(column)
    for row in rows:
        rendered.add_row(*("" if value is None else str(value) for value in row))
    stdout.print(rendered)
