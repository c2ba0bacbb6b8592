"""Split a SQL file into statements exactly as the Supabase CLI does.

`supabase db push` records each migration's statements in
supabase_migrations.schema_migrations.statements; a database migrated by
learnkit must look identical to one migrated by the Supabase CLI, so this is a
faithful port of the CLI's tokenizer (pkg/parser/state.go and token.go),
quirks included: backslash escapes are honoured outside quotes only (so inside
E'' strings only the doubled quote '' escapes a quote), `begin atomic` bodies
end at the first `end` outside quotes, and parentheses suspend splitting.
No SQL parser library reproduces those byte-level rules, hence the port.
"""

from dataclasses import dataclass

_BEGIN_ATOMIC = "ATOMIC"
_END_ATOMIC = "END"


class _Ready:
    def next(self, char: str, data: str):
        if char == "$":
            return _Tag(offset=len(data) - 1)
        if char in ("'", '"'):
            return _Quote(delimiter=char)
        if char == "-":
            return _Comment()
        if char == "/":
            return _Block()
        if char == "\\":
            return _Escape()
        if char == ";":
            return None  # emit a statement
        if char == "(":
            return _Atomic(previous=self, delimiter=")")
        if char in ("c", "C"):
            offset = len(data) - len(_BEGIN_ATOMIC)
            if (
                offset > 0
                and data.last(len(_BEGIN_ATOMIC)).upper() == _BEGIN_ATOMIC
                and data.at(offset - 1).isspace()
            ):
                return _Atomic(previous=self, delimiter=_END_ATOMIC)
        return self


class _Comment:
    def next(self, char: str, data: str):
        if char == "-":
            return _Dollar(delimiter="\n")  # nothing is escaped in a line comment
        return _Ready().next(char, data)


class _Block:
    def __init__(self) -> None:
        self.depth = 0

    def next(self, char: str, data: str):
        window = data.last(2)
        if window == "/*":
            self.depth += 1
            return self
        if self.depth == 0:
            return _Ready().next(char, data)
        if window == "*/":
            self.depth -= 1
            if self.depth == 0:
                return _Ready()
        return self


class _Quote:
    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.escape = False

    def next(self, char: str, data: str):
        if self.escape:
            if char == self.delimiter:  # a doubled quote stays inside
                self.escape = False
                return self
            return _Ready().next(char, data)
        if char == self.delimiter:
            self.escape = True
        return self


class _Dollar:
    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter

    def next(self, char: str, data: str):
        if data.last(len(self.delimiter)) == self.delimiter:
            return _Ready()
        return self


class _Tag:
    def __init__(self, offset: int) -> None:
        self.offset = offset

    def next(self, char: str, data: str):
        if char == "$":
            return _Dollar(delimiter=data.since(self.offset))
        if char.isalpha() or char.isdigit() or char == "_":
            return self
        return _Ready().next(char, data)


class _Escape:
    def next(self, char: str, data: str):
        return _Ready()


class _Atomic:
    def __init__(self, previous, delimiter: str) -> None:
        self.previous = previous
        self.delimiter = delimiter

    def next(self, char: str, data: str):
        current = self.previous.next(char, data)
        if current is not None:  # a ; inside the body does not end the statement
            self.previous = current
        if isinstance(self.previous, _Ready):
            if data.last(len(self.delimiter)).upper() == self.delimiter.upper():
                return _Ready()
        return self


class _Token:
    """The current statement so far, viewed without copying it."""

    __slots__ = ("sql", "start", "end")

    def __init__(self, sql: str, start: int, end: int) -> None:
        self.sql, self.start, self.end = sql, start, end

    def __len__(self) -> int:
        return self.end - self.start

    def last(self, count: int) -> str:
        return self.sql[max(self.start, self.end - count) : self.end]

    def at(self, index: int) -> str:
        return self.sql[self.start + index]

    def since(self, index: int) -> str:
        return self.sql[self.start + index : self.end]


@dataclass(frozen=True)
class Statement:
    text: str  # trimmed, without the trailing semicolon
    offset: int  # index in the source of the statement's first character


def split_statements(sql: str) -> list[Statement]:
    """Statements with their offsets, split and trimmed like `supabase db push`."""
    statements = []
    state = _Ready()
    start = 0
    for index, char in enumerate(sql):
        state = state.next(char, _Token(sql, start, index + 1))
        if state is None:
            _append_trimmed(statements, sql, start, index + 1)
            start = index + 1
            state = _Ready()
    _append_trimmed(statements, sql, start, len(sql))
    return statements


def _append_trimmed(statements: list[Statement], sql: str, start: int, end: int) -> None:
    token = sql[start:end].rstrip(";")
    stripped = token.strip()
    if stripped:
        leading = len(token) - len(token.lstrip())
        statements.append(Statement(text=stripped, offset=start + leading))


def split(sql: str) -> list[str]:
    """The statement texts, as stored in schema_migrations.statements."""
    return [statement.text for statement in split_statements(sql)]
