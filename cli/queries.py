"""SQL used by Python lives in .sql files as named blocks, loaded once.

A file holds blocks that each start with a `-- name: <query_name>` line, as
procrastinate does; the text up to the next such line is the query. Files
without any marker are loaded whole under the file's stem.
"""

import functools
import importlib.resources
import re

_NAME_MARKER = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


def parse_named_blocks(text: str) -> dict[str, str]:
    markers = list(_NAME_MARKER.finditer(text))
    blocks = {}
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        blocks[marker.group(1)] = text[marker.end() : end].strip()
    return blocks


@functools.cache
def load(package: str, filename: str) -> dict[str, str]:
    text = importlib.resources.files(package).joinpath("sql", filename).read_text()
    return parse_named_blocks(text)


def query(filename: str, name: str, package: str = "cli") -> str:
    """One named query from `<package>/sql/<filename>`."""
    return load(package, filename)[name]


def script(filename: str, package: str = "cli") -> str:
    """A whole .sql file from `<package>/sql/`, for scripts run as one unit."""
    return importlib.resources.files(package).joinpath("sql", filename).read_text()
