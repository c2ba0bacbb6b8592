"""Streaks, freezes, achievements, challenges, leaderboards and leagues (issue 4), on a fixed clock."""

import threading
import uuid
from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest

from cli import connection, testing
from tests.personas import create_personas


@pytest.fixture
def world(conn):
    return create_personas(conn)


def learn(conn, user, at, amount=10, key=None):
    """Learning XP, and what the process-awards job makes of it."""
    result = conn.execute(
        "select private.increment_xp(%s, %s, 'practice', 'learning', %s, null, null, null, %s) r",
        (user, amount, key or str(uuid.uuid4()), at)).fetchone()["r"]
    testing.drain_awards(conn)
    return result


def streak(conn, user):
    return conn.execute("select current_streak, best_streak, streak_last_day, streak_freezes, current_weekly_streak"
                        " from public.xp_profiles where user_id = %s", (user,)).fetchone()


def set_zone(conn, user, zone):
    conn.execute("update public.profiles set time_zone = %s where id = %s", (zone, user))


def test_streak_counts_local_days_across_time_zones(conn, world):
    set_zone(conn, world.student, "Pacific/Auckland")       # UTC+13 in November
    set_zone(conn, world.classmate, "America/Los_Angeles")  # UTC-8
    # 2026-11-02 11:30 UTC and 2026-11-03 10:30 UTC: one Auckland day (3 Nov 00:30 and 23:30)
    # but two Los Angeles days (2 Nov 03:30, 3 Nov 02:30).
    for at in (datetime(2026, 11, 2, 11, 30, tzinfo=timezone.utc), datetime(2026, 11, 3, 10, 30, tzinfo=timezone.utc)):
        learn(conn, world.student, at)
        learn(conn, world.classmate, at)
    assert streak(conn, world.student)["current_streak"] == 1
    assert streak(conn, world.student)["streak_last_day"] == date(2026, 11, 3)
    assert streak(conn, world.classmate)["current_streak"] == 2
    days = conn.execute("select local_day from public.xp_activity_days where user_id = %s order by 1",
                        (world.classmate,)).fetchall()
    assert [d["local_day"] for d in days] == [date(2026, 11, 2), date(2026, 11, 3)]


def test_non_learning_xp_does_not_extend_a_streak(conn, world):
    conn.execute("select private.increment_xp(%s, 10, 'gift', 'bonus', 'b', null, null, null, %s)",
                 (world.student, datetime(2026, 11, 2, 12, tzinfo=timezone.utc)))
    assert streak(conn, world.student)["current_streak"] == 0


def test_missed_day_breaks_streak_and_milestone_pays_once(conn, world):
    day = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)
    for offset in (0, 1, 2):
        learn(conn, world.student, day + timedelta(days=offset))
    learn(conn, world.student, day + timedelta(days=2, hours=1))  # same day again: no change
    assert streak(conn, world.student)["current_streak"] == 3
    bonus = conn.execute("select count(*) n, sum(amount) s from public.xp_transactions where user_id = %s"
                         " and category = 'streak'", (world.student,)).fetchone()
    assert (bonus["n"], bonus["s"]) == (1, 10)  # the 3-day milestone
    learn(conn, world.student, day + timedelta(days=4))  # day 3 missed, no freeze
    row = streak(conn, world.student)
    assert (row["current_streak"], row["best_streak"]) == (1, 3)


def test_freeze_covers_a_missed_day_but_never_retroactively(conn, world):
    monday = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)
    conn.execute("select private.increment_xp(%s, 200, 'gift', 'bonus', 'gift', null, null, null, %s)",
                 (world.student, monday))
    learn(conn, world.student, monday)
    conn.execute("select private.purchase_streak_freeze(%s, 'f1', %s)", (world.student, monday))
    learn(conn, world.student, monday + timedelta(days=2))  # Tuesday missed, covered
    row = streak(conn, world.student)
    assert (row["current_streak"], row["streak_freezes"]) == (2, 0)
    # Thursday missed; a freeze bought on Friday must not cover it.
    conn.execute("select private.purchase_streak_freeze(%s, 'f2', %s)", (world.student, monday + timedelta(days=4)))
    learn(conn, world.student, monday + timedelta(days=4, hours=1))
    row = streak(conn, world.student)
    assert (row["current_streak"], row["streak_freezes"]) == (1, 1)
    consumed = conn.execute("select consumed_on from public.streak_freezes where user_id = %s and consumed_on"
                            " is not null", (world.student,)).fetchall()
    assert [c["consumed_on"] for c in consumed] == [date(2026, 11, 3)]


def test_at_most_two_freezes_and_student_buys_through_rpc(conn, world):
    conn.execute("select private.increment_xp(%s, 500, 'gift', 'bonus', 'gift')", (world.student,))
    with testing.as_user(conn, world.student) as acting:
        acting.execute("select public.buy_streak_freeze('a')")
        acting.execute("select public.buy_streak_freeze('b')")
        assert acting.execute("select public.buy_streak_freeze('b') r").fetchone()["r"]["replayed"]
        with pytest.raises(psycopg.errors.CheckViolation, match="2 streak freezes"), acting.transaction():
            acting.execute("select public.buy_streak_freeze('c')")
        assert acting.execute("select xp from public.xp_profiles").fetchone()["xp"] == 400
        assert acting.execute("select freezes_held from public.get_my_streak()").fetchone()["freezes_held"] == 2


def test_achievements_unlock_once_with_reward_and_secrets_stay_hidden(conn, world):
    conn.execute("""insert into public.achievements (slug, name, description, criteria, target, xp_reward, is_secret)
                    values ('t-hundred', 'Hundred', 'Earn 100 XP', 'xp_total', 100, 25, false),
                           ('t-secret', 'Secret', 'Earn 1000 XP', 'xp_total', 1000, 0, true)""")
    conn.execute("select private.increment_xp(%s, 60, 'x', 'bonus', 'a')", (world.student,))
    # Issue 14 (bounded cost): progress towards a locked achievement is derived from the counters, not stored.
    with testing.as_user(conn, world.student) as acting:
        progress = acting.execute("select percentage, unlocked_at from public.get_my_achievements()"
                                  " where slug = 't-hundred'").fetchone()
    assert (progress["percentage"], progress["unlocked_at"]) == (60, None)
    conn.execute("select private.increment_xp(%s, 60, 'x', 'bonus', 'b')", (world.student,))
    conn.execute("select private.increment_xp(%s, 60, 'x', 'bonus', 'c')", (world.student,))
    testing.drain_awards(conn)
    rewards = conn.execute("select count(*) n from public.xp_transactions where user_id = %s and category ="
                           " 'achievement'", (world.student,)).fetchone()["n"]
    assert rewards == 1
    with testing.as_user(conn, world.student) as acting:
        slugs = {r["slug"] for r in acting.execute("select slug from public.achievements where slug like 't-%'")}
        assert slugs == {"t-hundred"}
        mine = acting.execute("select count(*) n from public.user_achievements").fetchone()["n"]
        assert mine == 1  # the secret one's progress row is hidden


def test_daily_challenge_pays_bonus_once(conn, world):
    at = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)
    conn.execute("""insert into public.daily_challenges (challenge_date, slug, name, description, challenge_type,
                    target, xp_reward) values ('2026-11-02', 'earn-20', 'Earn 20', 'Earn 20 XP', 'xp_earned', 20, 15)""")
    for _ in range(3):
        learn(conn, world.student, at)
    rows = conn.execute("select category, amount from public.xp_transactions where user_id = %s and category ="
                        " 'challenge'", (world.student,)).fetchall()
    assert [(r["category"], r["amount"]) for r in rows] == [("challenge", 15)]
    assert conn.execute("select challenges_won from public.xp_profiles where user_id = %s",
                        (world.student,)).fetchone()["challenges_won"] == 1


def board(acting, org, function="get_leaderboard", **args):
    if function == "get_leaderboard_around_me":
        testing.drain_awards(acting)  # "my rank" follows the rank counts process-awards keeps
    args = {"metric": "xp", "period": "all_time", "scope": "organization", "size": 10} | args
    size_name = "top_n" if function == "get_leaderboard" else "neighbours"
    return acting.execute(
        f"select * from public.{function}(%(org)s, %(metric)s, %(period)s, %(scope)s, null, %(size)s)",
        {"org": org, **args}).fetchall() if size_name else None


def test_leaderboard_is_live_ranked_and_organization_only(conn, world):
    # Each award names the organization it is earned in (XP of no organization counts on no board).
    conn.execute("select private.increment_xp(%s, 50, 'x', 'learning', 'a', %s)", (world.student, world.org))
    conn.execute("select private.increment_xp(%s, 80, 'x', 'learning', 'b', %s)", (world.classmate, world.org))
    conn.execute("select private.increment_xp(%s, 999, 'x', 'learning', 'c', %s)",
                 (world.other_org_student, world.other_org))
    with testing.as_user(conn, world.student) as acting:
        rows = board(acting, world.org)
        assert [(r["rank"], r["nickname"], r["score"], r["is_me"]) for r in rows] == [
            (1, "classmate", 80, False), (2, "student", 50, True)]
        assert "email" not in rows[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            board(acting, world.other_org)
        with pytest.raises(psycopg.Error) as error, acting.transaction():
            board(acting, world.org, metric="streak", period="week")
        assert error.value.sqlstate == "22023"
    conn.execute("select private.increment_xp(%s, 40, 'x', 'learning', 'd', %s)", (world.student, world.org))
    conn.execute("update public.xp_profiles set leaderboard_opt_out = true where user_id = %s", (world.classmate,))
    with testing.as_user(conn, world.student) as acting:
        rows = board(acting, world.org, function="get_leaderboard_around_me", size=5)
        assert [(r["rank"], r["nickname"], r["score"]) for r in rows] == [
            (1, "student", 90), (2, "Anonymous learner", 80)]
        today = board(acting, world.org, period="today")
        assert [r["score"] for r in today] == [90, 80]


def test_around_me_ranks_agree_with_a_full_sort(conn, world):
    students = [testing.create_user(conn, metadata={"nickname": f"s{i}"}) for i in range(40)]
    for i, user in enumerate(students):
        conn.execute("insert into public.organization_members (organization_id, user_id, role) values (%s, %s,"
                     " 'student')", (world.org, user))
        conn.execute("select private.increment_xp(%s, %s, 'x', 'bonus', 'k', %s)",
                     (user, 1 + (i * 37) % 9 * 70, world.org))
    testing.drain_awards(conn)
    expected = conn.execute("""select user_id, rank() over (order by lifetime_xp desc) r from private.leaderboard_entries
                               where organization_id = %s""", (world.org,)).fetchall()
    rank_of = {r["user_id"]: r["r"] for r in expected}
    for user in students[::7]:
        with testing.as_user(conn, user) as acting:
            rows = board(acting, world.org, function="get_leaderboard_around_me", size=5)
            me = next(r for r in rows if r["is_me"])
            assert me["rank"] == rank_of[user]
            full = board(acting, world.org, size=100)
            by_rank = sorted((r["rank"], r["score"]) for r in full)
            assert all((r["rank"], r["score"]) in by_rank for r in rows)


def test_league_week_closes_with_promotion_and_demotion(conn, world):
    conn.execute("update public.gamification_settings set league_promote_count = 1, league_demote_count = 1"
                 " where organization_id is null")
    monday = date(2026, 11, 2)
    conn.execute("select private.form_league_week_v1(%s, %s)", (world.org, monday))
    conn.execute("select private.increment_xp(%s, 30, 'x', 'learning', 'a', %s, null, null, %s)",
                 (world.classmate, world.org, datetime(2026, 11, 3, 12, tzinfo=timezone.utc)))
    summary = conn.execute("select private.close_league_week_v1(%s, %s) r", (world.org, monday)).fetchone()["r"]
    assert (summary["promoted"], summary["groups_closed"]) == (1, 1)
    again = conn.execute("select private.close_league_week_v1(%s, %s) r", (world.org, monday)).fetchone()["r"]
    assert again["groups_closed"] == 0
    tiers = conn.execute("select user_id, tier from public.league_members where week_start = %s",
                         (monday + timedelta(days=7),)).fetchall()
    assert {r["user_id"]: r["tier"] for r in tiers} == {world.classmate: "silver", world.student: "bronze"}
    with testing.as_user(conn, world.student) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("select private.close_league_week_v1(%s, %s)", (world.org, monday))


def test_32_concurrent_awards_lose_nothing(db_url, conn, world):
    """Real connections in real threads, one learner: the row lock serialises them, nothing is lost."""
    errors = []

    def hammer(worker):
        try:
            with connection.connect(db_url) as own:
                for n in range(5):
                    own.execute("select private.increment_xp(%s, 3, 'x', 'bonus', %s)",
                                (world.student, f"w{worker}-{n % 4}"))  # n=4 replays n=0
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=hammer, args=(worker,)) for worker in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = conn.execute("""select s.xp, s.lifetime_xp, (select sum(delta) from public.xp_transactions t
                            where t.user_id = s.user_id) ledger, (select count(*) from public.xp_transactions t
                            where t.user_id = s.user_id and category = 'bonus') entries
                            from public.xp_profiles s where user_id = %s""", (world.student,)).fetchone()
    rewards = check["ledger"] - 32 * 4 * 3
    assert check["entries"] == 128 and check["xp"] == check["ledger"] == check["lifetime_xp"]
    assert rewards >= 0
