"""Benchmark: incremental rollup refresh vs `refresh materialized view concurrently`.

Loads EVENTS events (default 10M: 90 % learning_events, 10 % analytics_events,
over 90 days and USERS learners in four time zones) into a scratch PostgreSQL,
builds the rollups and three materialized views written independently as plain
GROUP BYs over all events, then adds NEW events (default 10k, a tenth of them
late by up to three days) and times, in the same run:

  incremental  analytics.refresh_rollups()  (folds in only the new events)
  baseline     refresh materialized view concurrently, for the three views

and checks both give identical rows. Prints figures; asserts nothing on time.

  .venv/bin/python bench/rollups.py              # full scale (a few minutes)
  .venv/bin/python bench/rollups.py --scale 0.1  # 1M events + 1k new
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from cli import connection, database  # noqa: E402
from cli.local_server import LocalServer, ServerConfig, free_port  # noqa: E402
from cli.settings import Settings  # noqa: E402

TIME_ZONES = "array['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata']"

CREATE_USERS = f"""
insert into auth.users (id, email, raw_user_meta_data)
select gen_random_uuid(), 'bench' || n || '@bench.learnkit.dev',
       jsonb_build_object('nickname', 'learner' || n, 'time_zone', ({TIME_ZONES})[1 + n %% 4])
from generate_series(1, %(users)s) as n
"""
# Deterministic pseudo-random events: columns derived from the row number. %(first)s offsets the numbering.
INSERT_LEARNING_EVENTS = """
insert into public.learning_events (user_id, event_type, mode, is_correct, response_ms, active_seconds, score,
                                    mastery_score, xp, occurred_at)
select u.id,
       (array['answer', 'answer', 'answer', 'answer', 'session_completed', 'fact_reviewed', 'fact_learned',
              'concept_viewed', 'lesson_completed', 'exercise_completed'])[1 + (n * 7) %% 10],
       (array['practice', 'quiz', 'lesson', 'review'])[1 + ((n * 13) / 7) %% 4],
       case when (n * 7) %% 10 < 4 then (n * 31) %% 5 <> 0 end,
       case when (n * 7) %% 10 < 4 then 500 + (n * 37) %% 9000 end,
       (n * 17) %% 300,
       case when (n * 7) %% 10 = 4 then (n * 19) %% 101 end,
       case when (n * 7) %% 10 = 7 then ((n * 23) %% 101) / 100.0 end,
       (n * 11) %% 20,
       %(end)s::timestamptz - make_interval(secs => ((n::bigint * 7919) %% (%(span_days)s * 86400))::double precision)
from generate_series(%(first)s, %(first)s + %(count)s - 1) as n
join (select id, row_number() over (order by id) - 1 as k from public.profiles) u on u.k = n %% %(users)s
"""
INSERT_ANALYTICS_EVENTS = """
insert into public.analytics_events (user_id, event_type, event_data, duration_seconds, occurred_at)
select u.id, (array['container.started', 'hint.used', 'career.explored'])[1 + n %% 3],
       jsonb_build_object('career', (array['chef', 'pilot', 'nurse', 'coder'])[1 + (n * 3) %% 4],
                          'skill', 'skill-' || (n * 7) %% 50),
       (n * 13) %% 600,
       %(end)s::timestamptz - make_interval(secs => ((n::bigint * 7919) %% (%(span_days)s * 86400))::double precision)
from generate_series(%(first)s, %(first)s + %(count)s - 1) as n
join (select id, row_number() over (order by id) - 1 as k from public.profiles) u on u.k = n %% %(users)s
"""

# The baseline: the same rollups, written independently as materialized views over all events.
MATERIALIZED_VIEWS = {
    "bench_user_mode_daily": ("""
select e.user_id, (e.occurred_at at time zone p.time_zone)::date as day, e.mode, count(*) as events,
  count(*) filter (where e.event_type = 'session_completed') as sessions, sum(e.active_seconds) as active_seconds,
  sum(e.xp) as xp_gained, count(*) filter (where e.event_type = 'answer') as answers,
  count(*) filter (where e.event_type = 'answer' and e.is_correct) as correct_answers,
  coalesce(sum(e.score), 0) as score_sum, count(e.score) as score_count
from public.learning_events e join public.profiles p on p.id = e.user_id
group by 1, 2, 3""", "user_id, day, mode"),
    "bench_user_daily": ("""
select e.user_id, (e.occurred_at at time zone p.time_zone)::date as day, count(*) as events,
  count(*) filter (where e.event_type = 'session_completed') as sessions, sum(e.active_seconds) as active_seconds,
  coalesce(sum(e.active_seconds) filter (where e.mode = 'lesson'), 0) as lesson_seconds,
  coalesce(sum(e.active_seconds) filter (where e.mode <> 'lesson'), 0) as exercise_seconds,
  count(*) filter (where e.event_type = 'answer') as questions_answered,
  count(*) filter (where e.event_type = 'answer' and e.is_correct) as correct_answers,
  coalesce(sum(e.response_ms), 0) as response_ms_sum, count(e.response_ms) as response_count,
  count(*) filter (where e.event_type = 'fact_reviewed') as facts_reviewed,
  count(*) filter (where e.event_type = 'fact_learned') as new_facts_learned,
  count(*) filter (where e.event_type = 'fact_mastered') as facts_mastered,
  count(*) filter (where e.event_type = 'concept_viewed') as concepts_viewed,
  count(*) filter (where e.event_type = 'concept_mastered') as concepts_mastered,
  count(*) filter (where e.event_type = 'exercise_completed') as exercises_completed,
  count(*) filter (where e.event_type = 'exercise_mastered') as exercises_mastered,
  coalesce(sum(e.mastery_score), 0) as mastery_score_sum, count(e.mastery_score) as mastery_score_count,
  count(*) filter (where e.event_type = 'remediation_started') as remediation_sessions,
  count(*) filter (where e.event_type = 'lesson_completed') as lessons_completed,
  count(*) filter (where e.event_type = 'assessment_completed') as assessments_completed,
  coalesce(sum(e.score), 0) as score_sum, count(e.score) as score_count, sum(e.xp) as xp_gained,
  min(coalesce(s.daily_goal_minutes, 15))::smallint as daily_goal_minutes
from public.learning_events e join public.profiles p on p.id = e.user_id
left join public.user_settings s on s.user_id = e.user_id
group by 1, 2""", "user_id, day"),
    "bench_event_dimension_daily": ("""
select e.user_id, (e.occurred_at at time zone p.time_zone)::date as day, d.dimension,
  e.event_data ->> d.dimension as value, e.event_type, count(*) as events, sum(e.duration_seconds) as duration_seconds
from public.analytics_events e join public.profiles p on p.id = e.user_id
cross join (values ('career'), ('companion'), ('skill'), ('journey')) as d (dimension)
where jsonb_typeof(e.event_data -> d.dimension) in ('string', 'number')
group by 1, 2, 3, 4, 5""", "user_id, day, dimension, value, event_type"),
}
ROLLUP_OF = {"bench_user_mode_daily": "analytics.user_mode_daily", "bench_user_daily": "analytics.user_daily",
             "bench_event_dimension_daily": "analytics.event_dimension_daily"}


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"  {label:<58} {seconds:9.3f} s", flush=True)
    return seconds


def insert_events(conn, count: int, first: int, users: int, end: str, span_days: int) -> None:
    learning = int(count * 0.9)
    batch = 1_000_000
    for offset in range(0, learning, batch):
        conn.execute(INSERT_LEARNING_EVENTS, {"first": first + offset, "count": min(batch, learning - offset),
                                              "users": users, "end": end, "span_days": span_days})
    conn.execute(INSERT_ANALYTICS_EVENTS, {"first": first, "count": count - learning, "users": users, "end": end,
                                           "span_days": span_days})


def differences(conn, view: str) -> int:
    rollup = ROLLUP_OF[view]
    row = conn.execute(f"select (select count(*) from (select * from {view} except select * from {rollup}) a)"  # noqa: S608
                       f" + (select count(*) from (select * from {rollup} except select * from {view}) b) as n"
                       ).fetchone()
    return row["n"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10M events + 10k new")
    parser.add_argument("--users", type=int, default=0, help="learners (default 20k x scale, at least 100)")
    args = parser.parse_args()
    events = int(10_000_000 * args.scale)
    new_events = max(100, int(10_000 * args.scale))
    users = args.users or max(100, int(20_000 * args.scale))

    with tempfile.TemporaryDirectory(prefix="learnkit-bench-") as scratch:
        server = LocalServer(Path(scratch) / "pg", ServerConfig(kind="system", port=free_port()), fast=True)
        server.start()
        try:
            url = server.url("bench")
            database.reset(url, Settings(project_dir=REPO_ROOT), seed=False)
            with connection.connect(url) as conn:
                run(conn, events, new_events, users)
        finally:
            server.destroy()


def run(conn, events: int, new_events: int, users: int) -> None:
    end = "2026-10-31 12:00:00+00"
    print(f"rollups bench: {events:,} events, {users:,} learners, then {new_events:,} new events", flush=True)
    conn.execute("select private.create_monthly_partitions(t, '2026-07-01', 5) "
                 "from unnest(array['public.learning_events', 'public.analytics_events']::regclass[]) t")
    conn.execute(CREATE_USERS, {"users": users})
    # A bulk load as a data import would run it: row triggers (event-time checks, FK checks) off.
    conn.execute("set session_replication_role = replica")
    timed(f"load {events:,} events", lambda: insert_events(conn, events, 0, users, end, 90))
    conn.execute("set session_replication_role = origin")
    conn.execute("vacuum analyze public.learning_events, public.analytics_events")
    timed("initial full rebuild of the rollups", lambda: conn.execute("select analytics.refresh_rollups(true)"))
    for view, (query, key) in MATERIALIZED_VIEWS.items():
        conn.execute(f"create materialized view {view} as {query}")
        conn.execute(f"create unique index on {view} ({key})")
    conn.execute("vacuum analyze")

    # New events: most from today, a tenth late (occurred up to three days ago).
    conn.execute(INSERT_LEARNING_EVENTS, {"first": events, "count": int(new_events * 0.9), "users": users,
                                          "end": end, "span_days": 1})
    conn.execute(INSERT_ANALYTICS_EVENTS, {"first": events, "count": new_events - int(new_events * 0.9),
                                           "users": users, "end": end, "span_days": 3})
    late = int(new_events * 0.1)
    conn.execute(INSERT_LEARNING_EVENTS, {"first": events + new_events, "count": late, "users": users,
                                          "end": "2026-10-29 12:00:00+00", "span_days": 1})
    total_new = new_events + late

    def incremental():
        with conn.transaction():
            conn.execute("select analytics.refresh_rollups(false)")

    def concurrently():
        for view in MATERIALIZED_VIEWS:
            conn.execute(f"refresh materialized view concurrently {view}")

    print(f"refresh after {total_new:,} new events:")
    fast = timed("incremental: analytics.refresh_rollups()", incremental)
    slow = timed("baseline: refresh materialized view concurrently (3 views)", concurrently)
    diff = sum(differences(conn, view) for view in MATERIALIZED_VIEWS)
    rows = {view: conn.execute(f"select count(*) as n from {view}").fetchone()["n"] for view in MATERIALIZED_VIEWS}
    print(f"rollup rows: {', '.join(f'{ROLLUP_OF[v]} {n:,}' for v, n in rows.items())}")
    print(f"identical results: {'yes' if diff == 0 else f'NO ({diff} rows differ)'}")
    print(f"speed-up: {slow / fast:.1f}x (target >= 20x); incremental {total_new / fast:,.0f} new events/s")


if __name__ == "__main__":
    main()
