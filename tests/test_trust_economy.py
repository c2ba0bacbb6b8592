"""An economy no one can mint (issue 14, items 4 and 7).

What members of an organization see — its boards, leagues, the XP and level its staff read — counts only the XP
earned in that organization, under its rules; platform limits (a table only service_role writes) bound every
organization's rules; only admins write rules, achievements and challenges. A learner's local day starts no sooner
than 24 real hours after the previous one, so moving one's time zone never yields a second daily cap or activity day
within a day. Every attack here is played through the API roles, as PostgREST sends it."""

import uuid
from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest

from cli import testing
from tests.personas import create_personas

BOARD = """select rank, score, is_me from public.get_leaderboard(%(org)s, %(metric)s, %(period)s, 'organization',
                                                                 null, 100)"""
AROUND = """select rank, score, is_me from public.get_leaderboard_around_me(%(org)s, 'xp', 'all_time',
                                                                         'organization', null, 5)"""


@pytest.fixture
def world(conn):
    return create_personas(conn)


def gift(conn, user, amount, organization=None, category="bonus", at=None):
    """XP from the server, and what the process-awards job makes of it."""
    result = conn.execute(
        "select private.increment_xp(%s, %s, 'gift', %s, %s, %s, null, null, %s) r",
        (user, amount, category, str(uuid.uuid4()), organization, at)).fetchone()["r"]
    testing.drain_awards(conn)
    return result


def my_rows(conn, viewer, org, metric="xp", period="all_time"):
    testing.drain_awards(conn)  # boards' ranks as the process-awards job leaves them
    with testing.as_user(conn, viewer) as acting:
        return [(r["rank"], r["score"], r["is_me"])
                for r in acting.execute(BOARD, {"org": org, "metric": metric, "period": period})]


def refused(acting, statement, params, sqlstate):
    with pytest.raises(psycopg.Error) as error, acting.transaction():
        acting.execute(statement, params)
    assert error.value.sqlstate == sqlstate, error.value
    return str(error.value)


def create_own_organization(acting, name="Mint Academy"):
    """A signed-in user creates an organization through the API and so becomes its admin."""
    return acting.execute("insert into public.organizations (name, slug, kind) values (%s, %s, 'microschool')"
                          " returning id", (name, f"mint-{uuid.uuid4().hex[:8]}")).fetchone()["id"]


# ---------------------------------------------------------------------------------------------- item 4: boards


def test_xp_minted_in_an_attackers_own_organization_never_moves_their_real_boards(conn, world):
    gift(conn, world.classmate, 50, world.org)
    gift(conn, world.student, 45, world.org)
    before = {(metric, period): my_rows(conn, world.student, world.org, metric, period)
              for metric, period in (("xp", "all_time"), ("xp", "week"), ("xp", "today"), ("level", "all_time"))}
    assert before[("xp", "all_time")] == [(1, 50, False), (2, 45, True)]

    with testing.as_user(conn, world.student, commit=True) as acting:
        mint = create_own_organization(acting)
        # Generous rules for their own organization: beyond the platform's limits, refused.
        refused(acting, "insert into public.gamification_settings (organization_id, correct_first_try, daily_xp_cap,"
                        " rate_limit_awards) values (%s, 1000, 1000000, 100000)", (mint,), "22023")
        # Their own question, with its key, answered by themselves through submit_answer.
        question = acting.execute(
            "insert into public.questions (organization_id, question_type, operand1, operand2, operation,"
            " is_published) values (%s, 'math_fact', 1, 1, '+', true) returning id", (mint,)).fetchone()["id"]
        acting.execute("insert into public.question_answer_keys (question_id, correct_answer, correct_value)"
                       " values (%s, '2', 2)", (question,))
        session = acting.execute("insert into public.learning_sessions (session_type) values ('practice')"
                                 " returning id").fetchone()["id"]
        paid = acting.execute("select public.submit_answer(%s, %s, '2', 800) r", (session, question)).fetchone()["r"]
        assert paid["xp_awarded"] > 0
    # What an achievement payout in their own organization would add.
    gift(conn, world.student, 100000, mint, category="achievement")
    assert conn.execute("select lifetime_xp from public.xp_profiles where user_id = %s",
                        (world.student,)).fetchone()["lifetime_xp"] > 100000

    for (metric, period), rows in before.items():
        assert my_rows(conn, world.student, world.org, metric, period) == rows, (metric, period)
        assert my_rows(conn, world.classmate, world.org, metric, period) == [
            (rank, score, not is_me) for rank, score, is_me in rows]
    with testing.as_user(conn, world.student) as acting:
        assert [(r["rank"], r["score"]) for r in acting.execute(AROUND, {"org": world.org})] == [(1, 50), (2, 45)]

    # The league of the real organization ranks this week's XP earned there.
    local_today = conn.execute("select (now() at time zone 'Europe/Paris')::date d").fetchone()["d"]
    monday = local_today - timedelta(days=local_today.weekday())
    conn.execute("select private.form_league_week_v1(%s, %s)", (world.org, monday))
    with testing.as_user(conn, world.student) as acting:
        league = {r["is_me"]: r["weekly_xp"] for r in acting.execute("select * from public.get_my_league(%s)",
                                                                      (world.org,))}
    assert league == {True: 45, False: 50}
    standings = conn.execute("select private.close_league_week_v1(%s, %s) r", (world.org, monday)).fetchone()["r"]
    assert standings["groups_closed"] == 1
    final = {r["user_id"]: r["final_xp"] for r in conn.execute(
        "select user_id, final_xp from public.league_members where week_start = %s", (monday,))}
    assert final == {world.student: 45, world.classmate: 50}


def test_achievements_defined_in_an_attackers_own_organization_never_move_their_real_board(conn, world):
    conn.execute("insert into public.achievements (slug, name, description, criteria, target)"
                 " values ('platform-first', 'First steps', 'Earn 1 XP', 'xp_total', 1)")
    gift(conn, world.classmate, 10, world.org)
    gift(conn, world.student, 10, world.org)
    before = my_rows(conn, world.student, world.org, "achievements")
    # The platform's achievement (unlocked from XP earned anywhere) counts on no organization's board.
    assert sorted(score for _, score, _ in before) == [0, 0]
    with testing.as_user(conn, world.student, commit=True) as acting:
        mint = create_own_organization(acting, "Badge Factory")
        for n in range(5):
            acting.execute("insert into public.achievements (organization_id, slug, name, description, criteria,"
                           " target) values (%s, %s, 'Easy', 'Earn a little XP', 'xp_total', %s)",
                           (mint, f"easy-{n}", 2 + n))
    # A student of their own organization too (a second account of theirs administers it).
    accomplice = testing.create_user(conn, metadata={"nickname": "accomplice"})
    conn.execute("insert into public.organization_members (organization_id, user_id, role) values (%s, %s, 'admin')",
                 (mint, accomplice))
    conn.execute("update public.organization_members set role = 'student' where organization_id = %s"
                 " and user_id = %s", (mint, world.student))
    gift(conn, world.student, 6, mint, category="learning")  # its achievements read the 6 XP earned there
    assert conn.execute("select count(*) n from public.user_achievements where user_id = %s and unlocked_at"
                        " is not null", (world.student,)).fetchone()["n"] == 6
    assert my_rows(conn, world.student, world.org, "achievements") == before
    with testing.as_user(conn, world.student) as acting:                   # its own board counts its own
        mine = acting.execute("select score from public.get_leaderboard(%s, 'achievements') where is_me",
                              (mint,)).fetchone()
    assert mine["score"] == 5


def test_staff_read_the_xp_earned_in_their_own_organization_only(conn, world):
    gift(conn, world.student, 30, world.org)
    gift(conn, world.student, 700, world.other_org)
    with testing.as_user(conn, world.educator) as acting:
        rows = acting.execute("select organization_id, lifetime_xp, level from public.organization_xp"
                              " where user_id = %s", (world.student,)).fetchall()
    assert [(r["organization_id"], r["lifetime_xp"], r["level"]) for r in rows] == [(world.org, 30, 1)]
    with testing.as_user(conn, world.educator) as acting:  # the global profile (730 XP) is not theirs to read
        for table in ("xp_profiles", "xp_activity_days"):
            assert acting.execute(f"select count(*) n from public.{table} where user_id = %s",
                                  (world.student,)).fetchone()["n"] == 0, table
        ledger = acting.execute("select organization_id, amount from public.xp_transactions where user_id = %s",
                                (world.student,)).fetchall()
        assert [(r["organization_id"], r["amount"]) for r in ledger] == [(world.org, 30)]
    with testing.as_user(conn, world.guardian) as acting:  # the guardian sees the child's whole profile
        assert acting.execute("select lifetime_xp from public.xp_profiles where user_id = %s",
                              (world.student,)).fetchone()["lifetime_xp"] == 730
    with testing.as_user(conn, world.other_org_educator) as acting:  # not a student there: nothing to read
        assert acting.execute("select count(*) n from public.organization_xp where user_id = %s",
                              (world.student,)).fetchone()["n"] == 0
    with testing.as_user(conn, world.student) as acting:
        mine = {r["organization_id"]: r["lifetime_xp"] for r in acting.execute(
            "select organization_id, lifetime_xp from public.organization_xp")}
        assert mine == {world.org: 30, world.other_org: 700}
        refused(acting, "update public.organization_xp set lifetime_xp = 1000000", {}, "42501")
    # XP paid with no organization (a platform bonus, a streak kept anywhere) counts on no organization's board.
    gift(conn, world.student, 5)
    assert conn.execute("select organization_id, lifetime_xp from public.organization_xp where user_id = %s"
                        " order by lifetime_xp", (world.student,)).fetchall() == [
        {"organization_id": world.org, "lifetime_xp": 30}, {"organization_id": world.other_org, "lifetime_xp": 700}]
    assert conn.execute("select lifetime_xp from public.xp_profiles where user_id = %s",
                        (world.student,)).fetchone()["lifetime_xp"] == 735


def test_a_five_million_xp_payout_cannot_be_pushed_onto_another_learner(conn, world):
    with testing.as_user(conn, world.other_org_student, commit=True) as acting:
        mint = create_own_organization(acting, "Payout Guild")
    # However the victim came to be a member of the attacker's organization.
    conn.execute("insert into public.organization_members (organization_id, user_id, role) values (%s, %s, 'student')",
                 (mint, world.student))
    with testing.as_user(conn, world.other_org_student, commit=True) as acting:
        for n in range(50):
            try:
                with acting.transaction():
                    acting.execute(
                        "insert into public.achievements (organization_id, slug, name, description, criteria, target,"
                        " xp_reward) values (%s, %s, 'Jackpot', 'Earn 1 XP', 'xp_total', 1, 100000)",
                        (mint, f"jackpot-{n}"))
            except psycopg.Error as error:
                assert error.sqlstate == "22023", error
                assert "platform limit" in str(error)
    gift(conn, world.student, 10, world.org, category="learning")
    victim = conn.execute("select lifetime_xp from public.xp_profiles where user_id = %s",
                          (world.student,)).fetchone()["lifetime_xp"]
    assert victim < 5_000_000
    assert my_rows(conn, world.classmate, world.org)[0][1] == 10


# ---------------------------------------------------------------------------------------------- item 4: limits


def test_only_admins_write_achievements_and_challenges(conn, world):
    achievement = ("insert into public.achievements (organization_id, slug, name, description, criteria, target,"
                   " xp_reward) values (%s, %s, 'Starter', 'Earn 10 XP', 'xp_total', 10, %s)")
    challenge = ("insert into public.daily_challenges (organization_id, challenge_date, slug, name, description,"
                 " challenge_type, target, xp_reward) values (%s, current_date, %s, 'Today', 'Three right',"
                 " 'correct_answers', 3, %s)")
    with testing.as_user(conn, world.educator) as acting:
        refused(acting, achievement, (world.org, "edu-small", 5), "42501")
        refused(acting, challenge, (world.org, "edu-small", 5), "42501")
        # A huge reward is refused too (the limit's trigger runs before the policy's check: 22023 first).
        refused(acting, achievement, (world.org, "edu-huge", 5_000_000), "22023")
        refused(acting, challenge, (world.org, "edu-huge", 5_000_000), "22023")
    with testing.as_user(conn, world.admin, commit=True) as acting:
        acting.execute(achievement, (world.org, "admin-ok", 25))
        acting.execute(challenge, (world.org, "admin-ok", 25))
    with testing.as_user(conn, world.educator) as acting:
        for table in ("achievements", "daily_challenges"):
            assert acting.execute(f"update public.{table} set xp_reward = 99 where slug = 'admin-ok'").rowcount == 0
        assert acting.execute("delete from public.daily_challenges where slug = 'admin-ok'").rowcount == 0


@pytest.mark.parametrize(("column", "value"), [
    ("correct_first_try", 101), ("correct_second_try", 101), ("correct_later_try", 101),
    ("lesson_complete", 501), ("container_complete", 501), ("perfect_score", 501),
    ("daily_xp_cap", 2001), ("rate_limit_awards", 61), ("rate_limit_window_seconds", 59),
    ("streak_milestones", '{"3": 5001}'),
])
def test_rules_beyond_the_platform_limits_are_refused(conn, world, column, value):
    insert = f"insert into public.gamification_settings (organization_id, {column}) values (%s, %s)"
    with testing.as_user(conn, world.admin) as acting:
        message = refused(acting, insert, (world.org, value), "22023")
        assert column in message and "platform limit" in message
        acting.execute("insert into public.gamification_settings (organization_id) values (%s)", (world.org,))
        assert refused(acting, f"update public.gamification_settings set {column} = %s where organization_id = %s",
                       (value, world.org), "22023")


def test_rules_within_the_limits_are_accepted_and_only_service_role_moves_the_limits(conn, world):
    with testing.as_user(conn, world.admin) as acting:
        acting.execute("insert into public.gamification_settings (organization_id, correct_first_try, daily_xp_cap,"
                       " rate_limit_awards, rate_limit_window_seconds) values (%s, 100, 2000, 30, 120)", (world.org,))
        limits = acting.execute("select max_xp_per_answer, max_daily_xp_cap from public.platform_limits").fetchone()
        assert (limits["max_xp_per_answer"], limits["max_daily_xp_cap"]) == (100, 2000)
    for persona in ("admin", "student", "educator"):
        with testing.as_user(conn, world.users[persona]) as acting:
            refused(acting, "update public.platform_limits set max_xp_per_answer = 100000", {}, "42501")
            refused(acting, "insert into public.platform_limits (max_xp_per_answer) values (1)", {}, "42501")
    with testing.as_anon(conn) as acting:
        refused(acting, "select * from public.platform_limits", {}, "42501")
    with testing.as_service_role(conn) as acting:
        assert acting.execute("update public.platform_limits set max_xp_per_answer = 200").rowcount == 1


def test_achievement_and_challenge_rewards_and_counts_are_bounded(conn, world):
    conn.execute("update public.platform_limits set max_achievements_per_organization = 3,"
                 " max_daily_challenges_per_day = 2")
    today = conn.execute("select current_date d").fetchone()["d"]
    achievement = ("insert into public.achievements (organization_id, slug, name, description, criteria, target,"
                   " xp_reward) values (%s, %s, 'Starter', 'Earn 10 XP', 'xp_total', 10, %s)")
    challenge = ("insert into public.daily_challenges (organization_id, challenge_date, slug, name, description,"
                 " challenge_type, target, xp_reward) values (%s, %s, %s, 'Today', 'Three right',"
                 " 'correct_answers', 3, %s)")
    with testing.as_user(conn, world.admin) as acting:
        assert "xp_reward" in refused(acting, achievement, (world.org, "big", 1001), "22023")
        assert "xp_reward" in refused(acting, challenge, (world.org, today, "big", 501), "22023")
        for n in range(3):
            acting.execute(achievement, (world.org, f"a{n}", 1000))
        assert "3 achievements" in refused(acting, achievement, (world.org, "a3", 1), "22023")
        refused(acting, "update public.achievements set xp_reward = 1001 where slug = 'a0'", {}, "22023")
        for n in range(2):
            acting.execute(challenge, (world.org, today, f"c{n}", 500))
        assert "2 daily challenges" in refused(acting, challenge, (world.org, today, "c2", 1), "22023")
        acting.execute(challenge, (world.org, today + timedelta(days=1), "c2", 1))  # another day has room
        # Only from yesterday to 60 days ahead, so an organization holds a bounded number at a time.
        for day in (today - timedelta(days=2), today + timedelta(days=61)):
            assert "max_challenge_days_ahead" in refused(acting, challenge, (world.org, day, "far", 1), "22023")


# ---------------------------------------------------------------------------------------------- item 7: time zones

T0 = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)


def set_zone(conn, user, zone):
    conn.execute("update public.profiles set time_zone = %s where id = %s", (zone, user))


def capped_award(conn, user, org, at):
    """Learning XP through the award path's cap (private.award_learning_xp), as an answer earns it."""
    return conn.execute(
        "select private.award_learning_xp(%s, 30, 'practice', %s, %s, null, null, %s) r",
        (user, str(uuid.uuid4()), org, at)).fetchone()["r"]["awarded"]


def learning_days(conn, user):
    testing.drain_awards(conn)
    return [(r["local_day"], r["learning_xp"]) for r in conn.execute(
        "select local_day, learning_xp from public.xp_activity_days where user_id = %s order by local_day", (user,))]


@pytest.fixture
def capped(conn, world):
    conn.execute("insert into public.gamification_settings (organization_id, daily_xp_cap) values (%s, 30)",
                 (world.org,))
    set_zone(conn, world.student, "UTC")
    return world


def test_moving_the_time_zone_east_starts_no_second_day_within_24_hours(conn, capped):
    student, org = capped.student, capped.org
    assert capped_award(conn, student, org, T0) == 30                     # 2 Nov, started 2 Nov 00:00 UTC
    set_zone(conn, student, "Pacific/Kiritimati")                          # UTC+14: already 3 Nov 02:00 there
    assert capped_award(conn, student, org, T0 + timedelta(minutes=30)) == 0
    assert capped_award(conn, student, org, T0 + timedelta(hours=11)) == 0  # 23:00 UTC, still the same day
    assert conn.execute("select private.local_day(%s, %s) d", (student, T0 + timedelta(hours=11))).fetchone()["d"] \
        == date(2026, 11, 2)
    assert capped_award(conn, student, org, T0 + timedelta(hours=12, minutes=5)) == 30  # 24 h after 2 Nov began
    assert learning_days(conn, student) == [(date(2026, 11, 2), 30), (date(2026, 11, 3), 30)]
    streak = conn.execute("select current_streak from public.xp_profiles where user_id = %s", (student,)).fetchone()
    assert streak["current_streak"] == 2


def test_moving_the_time_zone_west_never_reopens_an_earlier_day(conn, capped):
    student, org = capped.student, capped.org
    morning = datetime(2026, 11, 3, 1, tzinfo=timezone.utc)
    assert capped_award(conn, student, org, morning) == 30                 # 3 Nov in UTC
    set_zone(conn, student, "Pacific/Pago_Pago")                           # UTC-11: 2 Nov 15:00 there
    assert capped_award(conn, student, org, morning + timedelta(hours=1)) == 0
    assert learning_days(conn, student) == [(date(2026, 11, 3), 30)]


def test_moving_back_and_forth_yields_one_day_per_24_hours(conn, capped):
    student, org = capped.student, capped.org
    zones = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Tokyo", "America/Los_Angeles", "UTC"]
    starts = {}
    for hour in range(0, 72, 2):
        set_zone(conn, student, zones[hour % len(zones)])
        capped_award(conn, student, org, T0 + timedelta(hours=hour))
        row = conn.execute("select today, today_started_at from public.xp_profiles where user_id = %s",
                           (student,)).fetchone()
        assert row["today_started_at"] <= T0 + timedelta(hours=hour)
        starts.setdefault(row["today"], row["today_started_at"])
    days = learning_days(conn, student)
    assert [day for day, _ in days] == sorted(starts)
    assert all(xp == 30 for _, xp in days)                                 # one cap per day, no more
    began = [starts[day] for day in sorted(starts)]
    assert all(later - earlier >= timedelta(hours=24) for earlier, later in zip(began, began[1:])), starts
    assert 3 <= len(days) <= 4                                             # 72 hours


def test_without_a_zone_change_each_local_midnight_starts_a_new_day(conn, capped):
    student, org = capped.student, capped.org
    set_zone(conn, student, "Europe/Paris")
    late = datetime(2026, 11, 2, 22, 50, tzinfo=timezone.utc)              # 23:50 in Paris
    assert capped_award(conn, student, org, late) == 30
    assert capped_award(conn, student, org, late + timedelta(minutes=20)) == 30  # 00:10 on 3 Nov
    assert learning_days(conn, student) == [(date(2026, 11, 2), 30), (date(2026, 11, 3), 30)]


# ------------------------------------------------------------------ learning elsewhere pays nothing here


def own_question(acting, organization, a=1, b=1):
    """A published question with its key, written by the admin of `organization` through the API."""
    question = acting.execute(
        "insert into public.questions (organization_id, question_type, operand1, operand2, operation, is_published)"
        " values (%s, 'math_fact', %s, %s, '+', true) returning id", (organization, a, b)).fetchone()["id"]
    acting.execute("insert into public.question_answer_keys (question_id, correct_answer, correct_value)"
                   " values (%s, %s, %s)", (question, str(a + b), a + b))
    return question


def org_xp(conn, user, organization):
    testing.drain_awards(conn)
    row = conn.execute("select lifetime_xp from public.organization_xp where user_id = %s and organization_id = %s",
                       (user, organization)).fetchone()
    return row["lifetime_xp"] if row else 0


def test_container_bonus_for_learning_in_an_attackers_own_organization_is_not_paid_into_their_real_board(
        conn, world):
    """finish_container pays in the learner's HOME organization, whatever organization the learning was in."""
    before = org_xp(conn, world.student, world.org)
    with testing.as_user(conn, world.student, commit=True) as acting:
        mint = create_own_organization(acting)
        for i in range(3):
            question = own_question(acting, mint, a=i, b=1)
            session = acting.execute("insert into public.learning_sessions (session_type, container, mode)"
                                     " values ('container', 'learn', 'timed') returning id").fetchone()["id"]
            acting.execute("select public.submit_answer(%s, %s, %s, 800)", (session, question, f'"{i + 1}"'))
            acting.execute("select public.finish_container(%s)", (session,))
    # Nothing the attacker learned in their own organization, from their own content, reaches organization A.
    with testing.as_user(conn, world.classmate) as acting:  # what A's other students see on A's board
        board = [(r["rank"], r["score"])
                 for r in acting.execute(BOARD, {"org": world.org, "metric": "xp", "period": "all_time"})]
    assert board == [(1, 0), (1, 0)], f"A's board after the attacker finished containers elsewhere: {board}"
    assert org_xp(conn, world.student, world.org) == before
    rows = conn.execute("select organization_id, amount, reason from public.xp_transactions where user_id = %s"
                        " order by created_at", (world.student,)).fetchall()
    assert not [r for r in rows if r["organization_id"] == world.org], rows




def test_an_organizations_achievements_and_challenges_are_not_won_with_learning_in_an_attackers_own_organization(
        conn, world):
    """A's achievements and challenges read the learner's counters summed over every organization (xp_profiles,
    xp_activity_days): XP and correct answers earned in the attacker's own organization, on their own questions,
    unlock A's achievement and win A's daily challenge, whose rewards and counts land on A's boards."""
    conn.execute("insert into public.achievements (organization_id, slug, name, description, criteria, target,"
                 " xp_reward) values (%s, 'first-30', 'First 30 XP', 'Earn 30 XP', 'xp_total', 30, 100)",
                 (world.org,))
    conn.execute("insert into public.daily_challenges (organization_id, challenge_date, slug, name, description,"
                 " challenge_type, target, xp_reward) values (%s, (now() at time zone 'Europe/Paris')::date,"
                 " 'three-right', 'Three right', 'Answer three questions right', 'correct_answers', 3, 50)",
                 (world.org,))
    with testing.as_user(conn, world.student, commit=True) as acting:
        mint = create_own_organization(acting)
        session = acting.execute("insert into public.learning_sessions (session_type) values ('practice')"
                                 " returning id").fetchone()["id"]
        for i in range(4):
            question = own_question(acting, mint, a=i, b=5)
            acting.execute("select public.submit_answer(%s, %s, %s, 800)", (session, question, f'"{i + 5}"'))
    in_a = conn.execute("select reason, amount from public.xp_transactions where user_id = %s and"
                        " organization_id = %s", (world.student, world.org)).fetchall()
    assert in_a == [], f"rewards paid into organization A for learning done elsewhere: {in_a}"
    assert org_xp(conn, world.student, world.org) == 0
    unlocked = conn.execute("select count(*) n from public.user_achievements ua join public.achievements a"
                            " on a.id = ua.achievement_id where ua.user_id = %s and a.organization_id = %s",
                            (world.student, world.org)).fetchone()["n"]
    assert unlocked == 0


def test_a_container_is_paid_in_the_organization_of_its_learning(conn, world):
    (q1, a1), (q2, a2) = (world.content["question"], 7), (own_question(conn, world.org, a=3, b=3), 6)

    def container(acting, *answers):
        session = acting.execute("insert into public.learning_sessions (session_type, container) values"
                                 " ('container', 'learn') returning id").fetchone()["id"]
        for question, answer in answers:
            acting.execute("select public.submit_answer(%s, %s, %s::jsonb, 800)", (session, question, str(answer)))
        assert acting.execute("select public.finish_container(%s) r", (session,)).fetchone()["r"]["xp_awarded"] > 0
        return conn.execute("select organization_id from public.xp_transactions where source_id = %s"
                            " and reason = 'container complete'", (str(session),)).fetchone()["organization_id"]

    with testing.as_user(conn, world.student, commit=True) as acting:
        assert container(acting, (q1, a1)) == world.org            # A's questions: paid in A, on A's board
        mint = create_own_organization(acting)
        mixed = container(acting, (q2, a2), (own_question(acting, mint, a=2, b=2), 4))
    assert mixed is None                                             # A's and O's: paid in no organization
    containers = conn.execute("select coalesce(sum(amount), 0) n from public.xp_transactions where user_id = %s"
                              " and source_table = 'learning_sessions' and organization_id is not null",
                              (world.student,)).fetchone()["n"]
    assert org_xp(conn, world.student, world.org) == containers + conn.execute(
        "select sum(amount) n from public.xp_transactions where user_id = %s and organization_id = %s"
        " and source_table = 'answer_attempts'", (world.student, world.org)).fetchone()["n"]


def test_an_organizations_achievements_and_challenges_read_what_was_learned_there(conn, world):
    day = conn.execute("select (now() at time zone time_zone)::date d from public.profiles where id = %s",
                       (world.student,)).fetchone()["d"]
    conn.execute("insert into public.achievements (organization_id, slug, name, description, criteria, target,"
                 " xp_reward) values (%s, 'a-30', 'A 30', 'Earn 30 XP in A', 'xp_total', 30, 100),"
                 " (null, 'p-30', 'Platform 30', 'Earn 30 XP', 'xp_total', 30, 7)", (world.org,))
    conn.execute("insert into public.daily_challenges (organization_id, challenge_date, slug, name, description,"
                 " challenge_type, target, xp_reward) values (%s, %s, 'a-xp', 'A XP', 'Earn 30 XP in A',"
                 " 'xp_earned', 30, 50)", (world.org, day))

    def paid_in_a():
        return sorted((r["category"], r["amount"]) for r in conn.execute(
            "select category, amount from public.xp_transactions where user_id = %s and organization_id = %s"
            " and category in ('achievement', 'challenge')", (world.student, world.org)))

    gift(conn, world.student, 30, world.other_org, category="learning")   # learning elsewhere
    assert paid_in_a() == []
    platform = conn.execute("select organization_id from public.xp_transactions where user_id = %s"
                            " and category = 'achievement'", (world.student,)).fetchall()
    assert platform == [{"organization_id": None}]                         # the platform's: paid on no board
    gift(conn, world.student, 30, world.org, category="learning")          # learning in A
    assert paid_in_a() == [("achievement", 100), ("challenge", 50)]
    row = conn.execute("select lifetime_xp, challenges_won, achievements_unlocked from public.organization_xp"
                       " where user_id = %s and organization_id = %s", (world.student, world.org)).fetchone()
    assert (row["lifetime_xp"], row["challenges_won"], row["achievements_unlocked"]) == (180, 1, 1)


def test_answers_the_daily_cap_left_unpaid_still_count_in_their_organization(conn, world):
    conn.execute("insert into public.gamification_settings (organization_id, daily_xp_cap) values (%s, 10)",
                 (world.org,))
    second = own_question(conn, world.org, a=3, b=3)
    with testing.as_user(conn, world.student, commit=True) as acting:
        session = acting.execute("insert into public.learning_sessions (session_type) values ('practice')"
                                 " returning id").fetchone()["id"]
        paid = [acting.execute("select public.submit_answer(%s, %s, %s::jsonb, 800) r",
                               (session, question, answer)).fetchone()["r"]["xp_awarded"]
                for question, answer in ((world.content["question"], "7"), (second, "6"))]
    assert paid == [10, 0]
    testing.drain_awards(conn)
    row = conn.execute("select lifetime_xp, correct_answers, today_correct_answers from public.organization_xp"
                       " where user_id = %s and organization_id = %s", (world.student, world.org)).fetchone()
    assert (row["lifetime_xp"], row["correct_answers"], row["today_correct_answers"]) == (10, 2, 2)
