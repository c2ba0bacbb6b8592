"""What boards show of a learner comes from the board's own entries (nickname, avatar and opt-out mirrored from
profiles and xp_profiles by triggers, migration 20261122130000): it follows every change at once, anonymises
opted-out learners to others but not to themselves, leaves nothing behind for a deleted learner and never crosses
organizations. My rank ± k (one statement over the count tree, 20261122130100) agrees with a full sort."""

import uuid

import psycopg
import pytest

from cli import connection, testing
from tests.personas import create_personas

TOP = "select rank, nickname, avatar_url, score, is_me from public.get_leaderboard(%(org)s, top_n => 100)"
AROUND = """select rank, nickname, avatar_url, score, is_me
            from public.get_leaderboard_around_me(%(org)s, neighbours => %(k)s)"""
ANONYMOUS = "Anonymous learner"


@pytest.fixture
def world(conn):
    return create_personas(conn)


def award(conn, user, amount):
    """XP earned in the learner's (first) organization: XP of no organization counts on no board."""
    conn.execute("select private.increment_xp(%s, %s, 'gift', 'bonus', %s, private.home_organization(%s))",
                 (user, amount, str(uuid.uuid4()), user))
    testing.drain_awards(conn)  # "my rank" reads the rank counts the process-awards job keeps


def board(conn, viewer, org, query=TOP, k=5):
    """(nickname, avatar_url, score, is_me) of each row, as the viewer sees them."""
    with testing.as_user(conn, viewer) as acting:
        return [(r["nickname"], r["avatar_url"], r["score"], r["is_me"])
                for r in acting.execute(query, {"org": org, "k": k}).fetchall()]


def as_learner_update(conn, learner, statement, params):
    """The learner changes their own row through RLS and commits, as a PostgREST PATCH would."""
    with testing.as_user(conn, learner, commit=True) as acting:
        assert acting.execute(statement, params).rowcount == 1


def test_a_learners_own_changes_show_on_the_board_at_once(conn, world):
    award(conn, world.classmate, 80)
    award(conn, world.student, 50)
    as_learner_update(conn, world.classmate, "update public.profiles set nickname = %(n)s, avatar_url = %(a)s"
                      " where id = %(id)s", {"n": "Comet", "a": "https://img.test/comet.png", "id": world.classmate})
    assert board(conn, world.student, world.org) == [
        ("Comet", "https://img.test/comet.png", 80, False), ("student", None, 50, True)]

    opt = "update public.xp_profiles set leaderboard_opt_out = %(out)s where user_id = %(id)s"
    as_learner_update(conn, world.classmate, opt, {"out": True, "id": world.classmate})
    for query in (TOP, AROUND):
        assert board(conn, world.student, world.org, query) == [
            (ANONYMOUS, None, 80, False), ("student", None, 50, True)]
        assert board(conn, world.classmate, world.org, query) == [
            ("Comet", "https://img.test/comet.png", 80, True), ("student", None, 50, False)]

    as_learner_update(conn, world.classmate, opt, {"out": False, "id": world.classmate})
    as_learner_update(conn, world.classmate, "update public.profiles set avatar_url = null where id = %(id)s",
                      {"id": world.classmate})
    assert board(conn, world.student, world.org, AROUND) == [("Comet", None, 80, False), ("student", None, 50, True)]


def test_students_can_neither_read_nor_write_the_mirror(conn, world):
    for statement in ("select nickname from private.leaderboard_entries",
                      "update private.leaderboard_entries set nickname = 'hacker', leaderboard_opt_out = false",
                      "insert into private.leaderboard_entries (user_id, organization_id, nickname)"
                      " values (%(id)s, %(org)s, 'ghost')"):
        with testing.as_user(conn, world.student) as acting, pytest.raises(psycopg.errors.InsufficientPrivilege):
            acting.execute(statement, {"id": world.student, "org": world.org})
    privileges = conn.execute(
        "select count(*) as n from information_schema.column_privileges where table_schema = 'private'"
        " and table_name = 'leaderboard_entries' and grantee in ('anon', 'authenticated', 'PUBLIC')").fetchone()
    assert privileges["n"] == 0


def test_statements_changing_many_learners_mirror_every_row(conn, world):
    award(conn, world.classmate, 80)
    award(conn, world.student, 50)
    conn.execute("update public.profiles set nickname = 'n-' || left(id::text, 4), bio = 'unrelated'"
                 " where id = any(%s)", ([world.student, world.classmate],))
    conn.execute("update public.xp_profiles set leaderboard_opt_out = true where user_id = any(%s)",
                 ([world.student, world.classmate],))
    assert board(conn, world.student, world.org) == [
        (ANONYMOUS, None, 80, False), (f"n-{str(world.student)[:4]}", None, 50, True)]
    conn.execute("update public.profiles set bio = 'still unrelated', last_active_at = now() where id = any(%s)",
                 ([world.student, world.classmate],))
    assert board(conn, world.classmate, world.org) == [
        (f"n-{str(world.classmate)[:4]}", None, 80, True), (ANONYMOUS, None, 50, False)]


def test_a_reinserted_xp_profile_is_mirrored(conn, world):
    """A snapshot restore deletes the fresh XP profiles and inserts the saved ones under existing entries."""
    award(conn, world.classmate, 80)
    conn.execute("delete from public.xp_profiles where user_id = %s", (world.classmate,))
    conn.execute("insert into public.xp_profiles (user_id, xp, lifetime_xp, leaderboard_opt_out)"
                 " values (%s, 70, 70, true)", (world.classmate,))
    # The opt-out follows the re-inserted profile; the score is the XP earned in the organization
    # (public.organization_xp, issue 14), which re-inserting xp_profiles does not change.
    assert board(conn, world.student, world.org) == [(ANONYMOUS, None, 80, False), ("student", None, 0, True)]
    assert board(conn, world.classmate, world.org, AROUND) == [
        ("classmate", None, 80, True), ("student", None, 0, False)]


def test_a_deleted_learner_leaves_no_entry(conn, world):
    award(conn, world.classmate, 80)
    award(conn, world.student, 50)
    assert board(conn, world.student, world.org, AROUND)[-1] == ("student", None, 50, True)
    with testing.as_user(conn, world.student) as acting:
        assert acting.execute(AROUND, {"org": world.org, "k": 1}).fetchall()[-1]["rank"] == 2
    conn.execute("delete from auth.users where id = %s", (world.classmate,))
    assert conn.execute("select count(*) as n from private.leaderboard_entries where user_id = %s",
                        (world.classmate,)).fetchone()["n"] == 0
    assert board(conn, world.student, world.org) == [("student", None, 50, True)]
    with testing.as_user(conn, world.student) as acting:
        assert [(r["rank"], r["score"]) for r in acting.execute(AROUND, {"org": world.org, "k": 5})] == [(1, 50)]
    counted = conn.execute("select level, sum(members) as n from private.leaderboard_xp_counts"
                           " where organization_id = %s group by level order by level", (world.org,)).fetchall()
    assert [r["n"] for r in counted] == [1, 1, 1, 1]


def test_other_organizations_never_show(conn, world):
    award(conn, world.other_org_student, 999)
    both = testing.create_user(conn, metadata={"nickname": "twin"})
    for org in (world.org, world.other_org):
        conn.execute("insert into public.organization_members (organization_id, user_id, role)"
                     " values (%s, %s, 'student')", (org, both))
    # Earned in the other organization: it counts on that board only (issue 14).
    conn.execute("select private.increment_xp(%s, 30, 'gift', 'bonus', %s, %s)",
                 (both, str(uuid.uuid4()), world.other_org))
    as_learner_update(conn, world.other_org_student, "update public.profiles set nickname = 'Harbor star'"
                      " where id = %(id)s", {"id": world.other_org_student})
    as_learner_update(conn, both, "update public.profiles set nickname = 'Twin' where id = %(id)s", {"id": both})

    assert {row[0] for row in board(conn, world.student, world.org)} == {"Twin", "student", "classmate"}
    assert {row[0] for row in board(conn, world.other_org_student, world.other_org)} == {"Harbor star", "Twin"}
    assert board(conn, both, world.other_org, AROUND) == [("Harbor star", None, 999, False), ("Twin", None, 30, True)]
    with testing.as_user(conn, world.student) as acting, pytest.raises(psycopg.errors.InsufficientPrivilege):
        acting.execute(TOP, {"org": world.other_org})


def test_my_rank_agrees_with_a_full_sort_at_every_level_of_the_count_tree(db_url, conn, world):
    # Scores at both ends of buckets and of their parents' halves, at each level (64, 4096, 262144), with ties.
    scores = [0, 1, 31, 32, 33, 63, 64, 65, 95, 96, 2047, 2048, 2048, 4095, 4096, 4096, 4096 + 31 * 64,
              4096 + 32 * 64, 131071, 131072, 200000, 262143, 262144, 262144, 270000, 400000]
    students = []
    # Awards from several connections, so the counters are spread over several shards (pid % 4).
    writers = [connection.connect(db_url) for _ in range(3)]
    try:
        for i, score in enumerate(scores):
            user = testing.create_user(conn, metadata={"nickname": f"s{i:02}"})
            conn.execute("insert into public.organization_members (organization_id, user_id, role)"
                         " values (%s, %s, 'student')", (world.org, user))
            for part, amount in enumerate([100000] * (score // 100000) + [score % 100000]):
                if amount:
                    award(writers[(i + part) % len(writers)], user, amount)
            students.append(user)
    finally:
        for writer in writers:
            writer.close()
    conn.execute("update public.xp_profiles set leaderboard_opt_out = true where user_id = any(%s)",
                 ([students[3], students[15]],))

    everyone = conn.execute(
        """select m.user_id, x.lifetime_xp as score, p.nickname, x.leaderboard_opt_out as opted_out
           from public.organization_members m
           join public.profiles p on p.id = m.user_id
           join public.xp_profiles x on x.user_id = m.user_id
           where m.organization_id = %s and m.role = 'student'""", (world.org,)).fetchall()
    ordered = sorted(everyone, key=lambda r: (-r["score"], r["user_id"]))
    rank = {r["user_id"]: 1 + sum(o["score"] > r["score"] for o in everyone) for r in everyone}

    def expected(viewer, rows):
        return [(rank[r["user_id"]], ANONYMOUS if r["opted_out"] and r["user_id"] != viewer else r["nickname"],
                 r["score"], r["user_id"] == viewer) for r in rows]

    for viewer in [world.student, *students]:
        position = next(i for i, r in enumerate(ordered) if r["user_id"] == viewer)
        with testing.as_user(conn, viewer) as acting:
            around = acting.execute(AROUND, {"org": world.org, "k": 3}).fetchall()
            top = acting.execute(TOP, {"org": world.org}).fetchall()
        assert [(r["rank"], r["nickname"], r["score"], r["is_me"]) for r in around] == expected(
            viewer, ordered[max(position - 3, 0):position + 4]), f"viewer with {ordered[position]['score']} XP"
        assert [(r["rank"], r["nickname"], r["score"], r["is_me"]) for r in top] == expected(viewer, ordered)
