"""recompute-streaks agrees exactly with issue 4's online streak rule, and repairs late days."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
from hypothesis import HealthCheck, given, settings, strategies as st

from cli import testing
from workers import runner

STREAK_COLUMNS = ("current_streak, best_streak, streak_started_on, streak_last_day, current_weekly_streak, "
                  "best_weekly_streak, weekly_streak_last_week, streak_freezes")
FIRST_DAY = date(2026, 3, 2)
ZONES = ["Pacific/Auckland", "America/Los_Angeles"]


def award(conn, learner, zone, day, key, hour=12):
    moment = datetime.combine(day, time(hour), ZoneInfo(zone))
    conn.execute("select private.increment_xp(%s, 40, 'practice', 'learning', %s, null, null, null, %s)",
                 [learner, key, moment])
    testing.drain_awards(conn)  # the activity day (which recompute-streaks reads) comes from process-awards


def buy_freeze(conn, learner, zone, day, key):
    moment = datetime.combine(day, time(20), ZoneInfo(zone))
    try:
        with conn.transaction():
            conn.execute("select private.purchase_streak_freeze(%s, %s, %s)", [learner, key, moment])
    except psycopg.errors.CheckViolation:  # two held already: the online rule refuses a third
        pass


def streaks(conn):
    return conn.execute(f"select user_id, {STREAK_COLUMNS} from public.xp_profiles order by user_id").fetchall()


def forget_streaks(conn):
    conn.execute("update public.xp_profiles set current_streak = 0, best_streak = 0, streak_started_on = null, "
                 "streak_last_day = null, current_weekly_streak = 0, best_weekly_streak = 0, "
                 "weekly_streak_last_week = null, streak_freezes = 0")


# Per learner: gaps in days between successive activity days, and whether a freeze is bought before each.
history = st.lists(st.tuples(st.integers(1, 9), st.booleans()), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=st.lists(history, min_size=len(ZONES), max_size=len(ZONES)))
def test_recompute_agrees_with_the_online_rule(conn, db_url, histories):
    conn.execute("truncate public.xp_profiles, public.xp_activity_days, public.xp_transactions, "
                 "public.streak_freezes, private.streak_recompute_queue cascade")
    conn.execute("delete from auth.users")
    for index, (zone, steps) in enumerate(zip(ZONES, histories)):
        learner = testing.create_user(conn, metadata={"nickname": f"learner{index}", "time_zone": zone})
        day = FIRST_DAY
        for step, (gap, freeze_first) in enumerate(steps):
            if freeze_first and step > 0:
                buy_freeze(conn, learner, zone, day, f"freeze-{step}")
            day += timedelta(days=gap) if step > 0 else timedelta()
            award(conn, learner, zone, day, f"day-{step}")
    online = streaks(conn)
    forget_streaks(conn)
    outcome = runner.run(db_url, "recompute-streaks")
    assert streaks(conn) == online
    assert outcome.rows == sum(1 for row in online if row["best_streak"] > 0)
    assert runner.run(db_url, "recompute-streaks").rows == 0  # the queue was taken: nothing new


def test_only_learners_with_new_activity_are_recomputed(conn, db_url):
    active, idle = (testing.create_user(conn, metadata={"nickname": name}) for name in ("active", "idle"))
    award(conn, active, "UTC", FIRST_DAY, "a1")
    award(conn, idle, "UTC", FIRST_DAY, "i1")
    runner.run(db_url, "recompute-streaks")
    forget_streaks(conn)
    award(conn, active, "UTC", FIRST_DAY + timedelta(days=1), "a2")
    assert runner.run(db_url, "recompute-streaks").rows == 1
    rows = {row["user_id"]: row["current_streak"] for row in streaks(conn)}
    assert rows == {active: 2, idle: 0}  # idle had no new activity: left alone (its row was forgotten on purpose)
    assert runner.run(db_url, "rebuild-streaks").rows == 1  # the fallback recomputes everyone
    assert {row["user_id"]: row["current_streak"] for row in streaks(conn)} == {active: 2, idle: 1}


def test_a_late_activity_day_the_online_rule_skipped_is_repaired(conn, db_url):
    learner = testing.create_user(conn, metadata={"nickname": "late"})
    award(conn, learner, "UTC", FIRST_DAY, "d1")
    award(conn, learner, "UTC", FIRST_DAY + timedelta(days=2), "d3")  # day 2 missed: streak restarts at 1
    assert streaks(conn)[0]["current_streak"] == 1
    award(conn, learner, "UTC", FIRST_DAY + timedelta(days=1), "d2-late")  # synced late: online ignores it
    assert streaks(conn)[0]["current_streak"] == 1
    runner.run(db_url, "recompute-streaks")
    row = streaks(conn)[0]
    assert (row["current_streak"], row["best_streak"], row["streak_started_on"]) == (3, 3, FIRST_DAY)


def test_freezes_consumed_before_a_break_never_make_their_week_active(conn, db_url):
    # Active Monday to Sunday, two freezes bought mid-week; back twelve days later. The online rule consumes
    # both freezes for the Monday and Tuesday after (then the Wednesday breaks the streak): those frozen days
    # are the only days of their week, which must not count for the weekly streak.
    learner = testing.create_user(conn, metadata={"nickname": "frozen"})
    for offset in range(7):
        award(conn, learner, "UTC", FIRST_DAY + timedelta(days=offset), f"d{offset}")
        if offset == 3:
            buy_freeze(conn, learner, "UTC", FIRST_DAY + timedelta(days=offset), "f1")
            buy_freeze(conn, learner, "UTC", FIRST_DAY + timedelta(days=offset), "f2")
    award(conn, learner, "UTC", FIRST_DAY + timedelta(days=19), "back")
    consumed = [row["consumed_on"] for row in conn.execute(
        "select consumed_on from public.streak_freezes where consumed_on is not null order by consumed_on")]
    assert consumed == [FIRST_DAY + timedelta(days=7), FIRST_DAY + timedelta(days=8)]
    online = streaks(conn)
    forget_streaks(conn)
    runner.run(db_url, "rebuild-streaks")
    assert streaks(conn) == online
    row = online[0]
    assert (row["current_streak"], row["best_streak"], row["current_weekly_streak"], row["best_weekly_streak"]) == (
        1, 7, 1, 1)


def test_the_recompute_and_every_other_update_stamp_updated_at(conn, db_url):
    # The recompute stamps updated_at itself (migration 20261122150000); the trigger stamps every update that
    # leaves it alone. A stamp from 2000 set by hand shows which of them ran.
    learner = testing.create_user(conn, metadata={"nickname": "stamped"})
    award(conn, learner, "UTC", FIRST_DAY, "d1")
    forget_streaks(conn)
    stamp_2000 = "update public.xp_profiles set updated_at = '2000-01-01+00' where user_id = %s"
    stamped = "select updated_at > now() - interval '1 hour' as recent from public.xp_profiles where user_id = %s"
    conn.execute(stamp_2000, [learner])
    assert not conn.execute(stamped, [learner]).fetchone()["recent"]
    assert runner.run(db_url, "recompute-streaks").rows == 1
    assert conn.execute(stamped, [learner]).fetchone()["recent"]

    conn.execute(stamp_2000, [learner])
    with testing.as_user(conn, learner, commit=True) as acting:
        assert acting.execute("update public.xp_profiles set leaderboard_opt_out = true where user_id = %s",
                              [learner]).rowcount == 1
    assert conn.execute(stamped, [learner]).fetchone()["recent"]

    conn.execute(stamp_2000, [learner])
    conn.execute("update public.xp_profiles set current_streak = 5 where user_id = %s", [learner])
    assert conn.execute(stamped, [learner]).fetchone()["recent"]
