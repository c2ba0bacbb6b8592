"""close-league-weeks, run as the CLI runs it: due at Monday 14:00 UTC after the week, top N promoted and
bottom N demoted, a week closed once however often the job runs, and --dry-run writes nothing."""

import json
from datetime import date, datetime, time, timedelta, timezone

import pytest

from cli import testing
from tests.cli_helpers import invoke

WEEK = date(2026, 11, 2)  # a Monday
NEXT_WEEK = WEEK + timedelta(days=7)
JUST_BEFORE_DUE = "2026-11-09T13:59:59Z"  # the week has not ended everywhere yet
DUE = "2026-11-09T14:00:00Z"
# Six silver learners, ranked by the XP they earned in the week; the organization promotes 2 and demotes 2.
WEEKLY_XP = [60, 50, 40, 30, 20, 10]


@pytest.fixture
def league(conn):
    org = conn.execute("insert into public.organizations (name, kind) values ('League School', 'school') "
                       "returning id").fetchone()["id"]
    conn.execute("insert into public.gamification_settings (organization_id, league_promote_count, "
                 "league_demote_count) values (%s, 2, 2)", [org])
    group = conn.execute("insert into public.league_groups (organization_id, week_start, tier) "
                         "values (%s, %s, 'silver') returning id", [org, WEEK]).fetchone()["id"]
    learners = []
    for place, xp in enumerate(WEEKLY_XP, start=1):
        learner = testing.create_user(conn, metadata={"nickname": f"racer{place}"})
        conn.execute("insert into public.organization_members (organization_id, user_id, role) "
                     "values (%s, %s, 'student')", [org, learner])
        conn.execute("insert into public.league_members (group_id, user_id, organization_id, week_start, tier) "
                     "values (%s, %s, %s, %s, 'silver')", [group, learner, org, WEEK])
        # Earned in the league's organization on two local days of the week, so the weekly total is what ranks
        # them (a league counts only the XP earned in its organization, issue 14).
        for day in (WEEK, WEEK + timedelta(days=6)):
            conn.execute("select private.increment_xp(%s, %s, 'practice', 'bonus', %s, %s, null, null, %s)",
                         [learner, xp // 2, f"league-{day}", org, datetime.combine(day, time(12), timezone.utc)])
        learners.append(learner)
    return {"organization": org, "group": group, "learners": learners}


def run_job(db_url, now, *extra):
    result = invoke("--json", "--db-url", db_url, "worker", "run", "close-league-weeks", "--now", now, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[-1])


def placements(conn, week):
    return {row["user_id"]: row for row in conn.execute(
        "select user_id, tier::text as tier, final_xp, final_rank, outcome from public.league_members "
        "where week_start = %s", [week])}


def group_closed_at(conn, group):
    return conn.execute("select closed_at from public.league_groups where id = %s", [group]).fetchone()["closed_at"]


def test_a_week_closes_at_monday_14_utc_promoting_the_top_and_demoting_the_bottom(conn, db_url, league):
    early = run_job(db_url, JUST_BEFORE_DUE)
    assert (early["status"], early["rows"]) == ("succeeded", 0)
    assert group_closed_at(conn, league["group"]) is None

    finished = run_job(db_url, DUE)
    assert (finished["status"], finished["rows"], finished["clock"]) == ("succeeded", 1, "2026-11-09T14:00:00+00:00")
    assert group_closed_at(conn, league["group"]) is not None
    closed = placements(conn, WEEK)
    assert [(closed[learner]["final_rank"], closed[learner]["final_xp"], closed[learner]["outcome"])
            for learner in league["learners"]] == [
        (1, 60, "promoted"), (2, 50, "promoted"), (3, 40, "stayed"), (4, 30, "stayed"),
        (5, 20, "demoted"), (6, 10, "demoted")]
    # The next week is formed from the outcomes: one tier up, the same, one tier down.
    following = placements(conn, NEXT_WEEK)
    assert [following[learner]["tier"] for learner in league["learners"]] == [
        "gold", "gold", "silver", "silver", "bronze", "bronze"]
    assert all(row["outcome"] is None for row in following.values())


def test_running_the_job_again_closes_a_week_once(conn, db_url, league):
    assert run_job(db_url, DUE)["rows"] == 1
    first_closed_at = group_closed_at(conn, league["group"])
    outcomes = placements(conn, WEEK)
    next_groups = conn.execute("select count(*) as n from public.league_groups where week_start = %s",
                               [NEXT_WEEK]).fetchone()["n"]

    assert run_job(db_url, DUE)["rows"] == 0
    assert run_job(db_url, "2026-11-16T13:00:00Z")["rows"] == 0  # a day later: the next week is not due yet
    assert group_closed_at(conn, league["group"]) == first_closed_at
    assert placements(conn, WEEK) == outcomes
    assert conn.execute("select count(*) as n from public.league_groups where week_start = %s",
                        [NEXT_WEEK]).fetchone()["n"] == next_groups
    runs = conn.execute("select status, rows_affected from private.worker_runs where job = 'close-league-weeks' "
                        "order by id").fetchall()
    assert [(run["status"], run["rows_affected"]) for run in runs] == [
        ("succeeded", 1), ("succeeded", 0), ("succeeded", 0)]


def test_a_dry_run_reports_the_weeks_it_would_close_and_writes_nothing(conn, db_url, league):
    finished = run_job(db_url, DUE, "--dry-run")
    assert (finished["status"], finished["rows"]) == ("dry-run", 1)
    assert group_closed_at(conn, league["group"]) is None
    assert all(row["outcome"] is None for row in placements(conn, WEEK).values())
    assert placements(conn, NEXT_WEEK) == {}
    assert conn.execute("select count(*) as n from private.worker_runs").fetchone()["n"] == 0
