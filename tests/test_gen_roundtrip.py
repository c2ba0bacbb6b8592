"""Generated code against a real database: insert through Insert types, read Row types, call every RPC."""

import asyncio
import datetime
import decimal
import re
import types
import typing
import uuid

import psycopg
import pytest

from cli import connection
from cli.codegen import introspect, render
from tests.test_gen_rules import SCHEMA, fixture_database, import_generated, load_fixture

ROW = {
    "name": "abacus", "nickname": None, "price": decimal.Decimal("12.50"),
    "created_at": datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC),
    "local_at": datetime.datetime(2024, 5, 1, 8, 0), "day": datetime.date(2024, 5, 1),
    "at_time": datetime.time(9, 15), "duration": datetime.timedelta(days=1, hours=2, seconds=3),
    "payload": {"levels": [1, 2, {"deep": None}], "ok": True}, "meta": ["a", 1],
    "tags": ["x", "y"], "moods": ["happy", "so-so"], "mood": "class", "amount": 3, "contact": "a@b.c",
    "blob": b"\x00\xff", "ok": False, "ratio": 0.25, "small": 7, "scores": [1, 2],
    "from": "here", "class": 3, "list": "l", "type": "t", "Mixed Case": "M",
}


@pytest.fixture(scope="module")
def fixture_text(pg_server, test_databases):
    with fixture_database(pg_server, test_databases, "codegen_roundtrip_source") as source:
        return render.render(introspect.introspect(source, SCHEMA))


@pytest.fixture
def fixture_url(empty_db_url):
    """A fresh database holding only the fixture schema."""
    with connection.connect(empty_db_url) as fresh:
        load_fixture(fresh)
    return empty_db_url


@pytest.fixture
def fixture_conn(fixture_url):
    with connection.connect(fixture_url) as connected:
        yield connected


@pytest.fixture
def fixture_module(fixture_text, tmp_path):
    return import_generated(fixture_text, tmp_path, f"codegen_roundtrip_{tmp_path.name}")


def test_insert_then_read_through_psycopg_and_helpers(fixture_conn, fixture_module):
    db = fixture_module
    home = db.Address(street="1 Main St", zip=None, moods=["sad"])
    inserted = db.THINGS.insert(fixture_conn, {**ROW, "home": home})
    assert inserted.total == decimal.Decimal("25.00")  # the stored generated column, computed
    assert isinstance(inserted.id, int) and isinstance(inserted.ref, uuid.UUID)
    for name, value in ROW.items():
        attribute = {"from": "from_", "class": "class_", "list": "list_", "Mixed Case": "Mixed_Case"}.get(name, name)
        assert getattr(inserted, attribute) == value, name
    assert inserted.home == home and inserted.moods == ["happy", "so-so"]

    # Plain psycopg with the generated row factory reads the same Row.
    with fixture_conn.cursor(row_factory=db.row_factory(db.ThingsRow)) as cursor:
        read = cursor.execute("select * from codegen_fixture.things").fetchone()
    assert read == inserted
    assert db.THINGS.select(fixture_conn, {"id": inserted.id}) == [inserted]
    assert db.THING_NAMES.select(fixture_conn) == [db.ThingNamesRow(id=inserted.id, name="abacus", mood="class")]

    updated = db.THINGS.update(fixture_conn, {"nickname": "abby", "payload": None}, {"id": inserted.id})
    assert [row.nickname for row in updated] == ["abby"] and updated[0].payload is None
    assert db.THINGS.delete(fixture_conn, {"id": inserted.id}) == updated


def test_identity_always_cannot_be_written_and_defaults_fill_in(fixture_conn, fixture_module):
    db = fixture_module
    minimal = db.THINGS.insert(fixture_conn, {"name": "min", "mood": "sad"})
    assert minimal.tags == [] and minimal.ok is True and minimal.price == decimal.Decimal("0")
    with pytest.raises(psycopg.errors.GeneratedAlways):
        db.THINGS.insert(fixture_conn, {"name": "x", "mood": "sad", "id": 99})  # type: ignore[typeddict-unknown-key]


def test_postgrest_json_decodes_to_the_same_row(fixture_conn, fixture_module):
    db = fixture_module
    inserted = db.THINGS.insert(fixture_conn, {**ROW, "home": db.Address(street="s", zip="z", moods=None)})
    # PostgREST answers with json_agg of the rows: the same JSON as to_json(row).
    data = fixture_conn.execute("select json_agg(t) as data from codegen_fixture.things as t").fetchone()["data"]
    assert db.THINGS.decode(data) == [inserted]
    encoded = db._to_json(inserted)
    assert encoded["price"] == "12.50" and encoded["home"] == {"street": "s", "zip": "z", "moods": None}


def arguments_for(db, args_class) -> dict:
    """Values of the right Python type for every argument, required or not."""
    samples = {int: 2, str: "word", bool: True, float: 1.5, decimal.Decimal: decimal.Decimal("2.25"),
               datetime.datetime: datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
               datetime.date: datetime.date(2024, 1, 1), datetime.timedelta: datetime.timedelta(hours=1),
               uuid.UUID: uuid.UUID(int=1), bytes: b"x"}

    def sample(hint):
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is list:
            return [sample(args[0])]
        if origin is typing.Literal:
            return args[0]
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            return {"key": [1, "two"]} if any(typing.get_origin(a) is dict for a in options) else sample(options[0])
        if hasattr(hint, "_lk_columns"):
            return hint(**{name: sample(h) for name, h in typing.get_type_hints(hint).items()
                           if not name.startswith("_lk_")})
        return samples[hint]

    return {name: sample(hint) for name, hint in typing.get_type_hints(args_class).items()}


def every_function(db):
    """(Rpc method name, Args TypedDict) for every generated function overload."""
    for name in sorted(vars(db)):
        match = re.fullmatch(r"_(\w+Args\d*)_FUNCTION", name)
        if match:
            spec = getattr(db, name)
            method = spec.name if hasattr(db.Rpc, spec.name) else f"{spec.name}_"
            yield method, getattr(db, match.group(1))


def call_all(db, conn, *, accept_database_errors: bool) -> dict[str, object]:
    results = {}
    rpc = db.Rpc(conn)
    for method, args_class in every_function(db):
        arguments = arguments_for(db, args_class)
        try:
            results[f"{method}/{args_class.__name__}"] = getattr(rpc, method)(**arguments)
        except psycopg.Error as error:
            # A business rule refusing the sample values still proves the call reached the function.
            if not accept_database_errors or error.sqlstate is None:
                raise
            results[f"{method}/{args_class.__name__}"] = error.sqlstate
    return results


def test_every_rpc_wrapper_returns_its_declared_type(fixture_conn, fixture_module):
    db = fixture_module
    thing = db.THINGS.insert(fixture_conn, {**ROW, "home": db.Address(street="s", zip=None, moods=["happy"])})
    rpc = db.Rpc(fixture_conn)
    assert rpc.add(a=2) == 3 and rpc.add(a=2, b=5) == 7
    assert rpc.add(a=decimal.Decimal("1.5"), b=decimal.Decimal("1")) == decimal.Decimal("2.5")
    assert rpc.greet(name="ada") == "hello, ada" and rpc.greet(name="ada", greeting="hi") == "hi, ada"
    assert rpc.things_by_mood(wanted="class") == [thing]
    assert rpc.first_thing() == thing
    assert rpc.price_list() == [db.PriceListResult(name="abacus", price=decimal.Decimal("12.50"),
                                                  day=datetime.date(2024, 5, 1))]
    assert rpc.price_list(min_price=decimal.Decimal(100)) == []
    assert rpc.moods_of(thing=thing.id) == ["happy", "so-so"]
    assert rpc.echo_json(doc={"a": [1, None]}) == {"doc": {"a": [1, None]}, "tags": []}
    assert rpc.make_address(street="x") == db.Address(street="x", zip=None, moods=["happy"])
    place = db.Place(label="home", home=db.Address(street="Elm", zip="1", moods=[]), rating=None)
    assert rpc.describe_place(place=place) == "home at Elm"
    assert rpc.touch(thing=thing.id) is None
    assert db.THINGS.select(fixture_conn, {"id": thing.id})[0].nickname == "touched"
    assert rpc.series(n=3) == [1, 2, 3]
    assert rpc.split_price(x=decimal.Decimal("3.25")) == db.SplitPriceResult(whole=3, cents=25)
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    assert rpc.shift(at=start) == start + datetime.timedelta(days=1)
    assert rpc.in_range(from_=2, to=4, list=[1, 3, 5, 4]) == [3, 4]
    assert rpc.square(arg1=9) == 81
    assert rpc.strict_positive(n=5) == 5
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="no thanks"):
        rpc.refuse(reason="no thanks")
    with pytest.raises(TypeError, match="overload"):
        rpc.add(a=1.5)  # type: ignore[call-overload]
    # Every wrapper, data-driven: nothing generated is left uncalled.
    called = call_all(db, fixture_conn, accept_database_errors=True)
    assert {key.split("/")[0] for key in called} == {m for m in vars(db.Rpc) if not m.startswith("_")}


def test_async_wrappers_and_helpers(fixture_url, fixture_conn, fixture_module):
    db = fixture_module
    thing = db.THINGS.insert(fixture_conn, {"name": "async", "mood": "sad", "moods": ["sad"]})

    async def run():
        async with await psycopg.AsyncConnection.connect(fixture_url, autocommit=True) as aconn:
            rpc = db.AsyncRpc(aconn)
            return (await rpc.add(a=1, b=1), await rpc.moods_of(thing=thing.id),
                    await rpc.things_by_mood(wanted="sad"), await db.THINGS.select_async(aconn, {"id": thing.id}))

    assert asyncio.run(run()) == (2, ["sad"], [thing], [thing])


def test_learnkit_schema_every_generated_wrapper_reaches_the_database(conn):
    """workers/db_types.py against the migrated learnkit schema: every RPC wrapper is called once."""
    from workers import db_types

    called = call_all(db_types, conn, accept_database_errors=True)
    assert {key.split("/")[0] for key in called} == {m for m in vars(db_types.Rpc) if not m.startswith("_")}
