from cli import testing


def test_clone_has_emulation_and_helpers(conn):
    assert conn.execute("select to_regprocedure('tests.authenticate_as(text)') is not null as ok").fetchone()["ok"]
    user_id = testing.create_user(conn, email="a@example.com")
    with testing.as_user(conn, user_id, email="a@example.com") as acting:
        row = acting.execute("select auth.uid() as uid, auth.role() as role, current_user as who").fetchone()
    assert row == {"uid": user_id, "role": "authenticated", "who": "authenticated"}
