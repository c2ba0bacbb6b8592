"""The statement splitter must split exactly as the Supabase CLI does."""

from cli.splitter import split, split_statements

MIGRATION = """\
-- header comment; with a semicolon
create table notes (id int primary key, body text default 'a;b');

create function bump(x int) returns int
language plpgsql as $body$
begin
  -- inside the body; not a split
  return x + 1;
end;
$body$;

/* outer /* nested; */ still comment; */
insert into notes values (1, E'it''s; escaped\\n'), (2, 'plain;');

create function pair() returns int language sql
begin atomic
  select 1;
  select 2;
end;

select $$;$$, $tag$ $$ ; $tag$;
select 'trailing' -- no semicolon at the end of the file
"""

EXPECTED = [
    "-- header comment; with a semicolon\ncreate table notes (id int primary key, body text default 'a;b')",
    "create function bump(x int) returns int\nlanguage plpgsql as $body$\nbegin\n"
    "  -- inside the body; not a split\n  return x + 1;\nend;\n$body$",
    "/* outer /* nested; */ still comment; */\n"
    "insert into notes values (1, E'it''s; escaped\\n'), (2, 'plain;')",
    "create function pair() returns int language sql\nbegin atomic\n  select 1;\n  select 2;\nend",
    "select $$;$$, $tag$ $$ ; $tag$",
    "select 'trailing' -- no semicolon at the end of the file",
]


def test_splits_like_the_supabase_cli():
    assert split(MIGRATION) == EXPECTED


def test_offsets_point_at_each_statement():
    for statement in split_statements(MIGRATION):
        assert MIGRATION[statement.offset:].startswith(statement.text)


def test_empty_and_blank_statements_are_dropped():
    assert split(" ;\n;  ;\n") == []
    assert split("select 1;;select 2") == ["select 1", "select 2"]


def test_line_comment_only_tail_is_kept_as_the_cli_keeps_it():
    assert split("select 1;\n-- the end\n") == ["select 1", "-- the end"]


def test_parentheses_suspend_splitting_until_the_first_closing_one():
    # The CLI's first ")" closes every open parenthesis (checked against supabase 3.1.0):
    # a rule body with a nested "(…)" before its ";" is split there, as `supabase db push` splits it.
    assert split("create rule r as on insert to t do also (insert into a values (1); select 2); select 3") == [
        "create rule r as on insert to t do also (insert into a values (1)",
        "select 2)",
        "select 3",
    ]
    assert split("create rule r as on insert to t do also (notify a; notify b); select 3") == [
        "create rule r as on insert to t do also (notify a; notify b)",
        "select 3",
    ]
