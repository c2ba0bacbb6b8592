"""Benchmark: set-based streak recomputation vs a per-user loop (the naive worker).

Builds USERS learners x DAYS days of xp_activity_days (default 100k x 90, about
70 % of days active, a few consumed and held freezes) in a scratch PostgreSQL
(durable, as production; shared_buffers holding the data, prewarmed), then, in
each of ROUNDS rounds with every learner queued and every profile stale, times:

  baseline   a per-user loop (what a naive worker does) over SAMPLE learners,
             different ones each round: for each learner, read their days in
             order and their freezes, walk them by the rule, write every streak
             column back and take the learner off the queue in one transaction;
             reported per learner and extrapolated to all of them
  set-based  private.recompute_streaks() over every learner (one statement)
  again      the same once more, when every profile already agrees (only changed
             rows are written)

and checks the loop and the set-based job give the same streak columns on the
sampled learners. Prints each round and the medians; figures only.

  .venv/bin/python bench/streaks.py              # 100k x 90
  .venv/bin/python bench/streaks.py --scale 0.1  # 10k x 90
"""

import argparse
import time
from datetime import timedelta
from statistics import median

from common import connection, migrated_database, prewarm, scratch_server

CREATE_USERS = """
insert into auth.users (id, email, raw_user_meta_data)
select gen_random_uuid(), 'bench' || n || '@bench.learnkit.dev',
       jsonb_build_object('nickname', 'learner' || n,
                          'time_zone', (array['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Tokyo'])[1 + n %% 4])
from generate_series(1, %(users)s) as n
"""
# Active on about 70 % of days, in streaks of varying length; one learner in three also skips whole Monday-weeks
# at random (about one week in five), so weekly streaks break too and differ between learners (deterministic
# from user and day numbers; 2026-08-03, d = 2, is a Monday).
CREATE_DAYS = """
insert into public.xp_activity_days (user_id, local_day, time_zone, earned_xp, learning_xp, first_activity_at)
select u.id, date '2026-08-01' + d, 'UTC', 40, 40, timestamptz '2026-08-01 12:00+00' + d * interval '1 day'
from (select id, row_number() over (order by id) as k from public.profiles) u
cross join generate_series(0, %(days)s - 1) as d
where ((u.k * 7 + d * 13 + (d / (3 + u.k %% 5)) * 11) %% 10) < 7
  and not (u.k %% 3 = 0 and abs(hashint4((u.k * 13 + (d + 5) / 7)::integer)) %% 5 = 0)
"""
CREATE_FREEZES = """
insert into public.streak_freezes (user_id, bought_on, consumed_on)
select a.user_id, a.local_day - 3, a.local_day + 1
from public.xp_activity_days a
where a.local_day = date '2026-08-20'
  and not exists (select from public.xp_activity_days b where b.user_id = a.user_id and b.local_day = a.local_day + 1)
  and exists (select from public.xp_activity_days c where c.user_id = a.user_id and c.local_day = a.local_day + 2)
"""
# One learner in ten holds an unused freeze (the job writes how many each learner holds).
CREATE_HELD_FREEZES = """
insert into public.streak_freezes (user_id, bought_on)
select id, date '2026-10-01' from (select id, row_number() over (order by id) as k from public.profiles) u
where k % 10 = 0
"""
FORGET_STREAKS = """
update public.xp_profiles set current_streak = 0, best_streak = 0, streak_started_on = null, streak_last_day = null,
  current_weekly_streak = 0, best_weekly_streak = 0, weekly_streak_last_week = null, streak_freezes = 0
"""
QUEUE_ALL = "insert into private.streak_recompute_queue (user_id) select id from public.profiles on conflict do nothing"
SAMPLE = "select id from public.profiles order by id limit %(sample)s"
USER_DAYS = ("select local_day from public.xp_activity_days where user_id = %(user_id)s and is_activity_day "
             "order by local_day")
USER_FREEZES = "select consumed_on from public.streak_freezes where user_id = %(user_id)s"
WRITE_STREAK = """
update public.xp_profiles set
  current_streak = %(current)s, best_streak = %(best)s, streak_started_on = %(started)s, streak_last_day = %(last)s,
  current_weekly_streak = %(current_weekly)s, best_weekly_streak = %(best_weekly)s,
  weekly_streak_last_week = %(last_week)s, streak_freezes = %(held)s
where user_id = %(user_id)s
"""
DEQUEUE = "delete from private.streak_recompute_queue where user_id = %(user_id)s"
STREAKS_OF = """
select user_id, current_streak as current, best_streak as best, streak_started_on as started,
       streak_last_day as last, current_weekly_streak as current_weekly, best_weekly_streak as best_weekly,
       weekly_streak_last_week as last_week, streak_freezes as held
from public.xp_profiles where user_id = any(%(ids)s)
"""
STREAK_COLUMNS = ("current", "best", "started", "last", "current_weekly", "best_weekly", "last_week", "held")


def walk(days, consumed) -> dict:
    """The naive worker: the rule of docs/gamification.md ("Streaks"), one learner's days at a time.

    Computes every column the set-based job writes: the daily streak (frozen days bridge without counting),
    its first day and last day, the weekly streak (Monday-weeks) and the freezes still held.
    """
    frozen = {day for day in consumed if day is not None}
    streak = best = weekly = best_weekly = 0
    last = started = last_week = None
    for day in days:
        if last is not None and all(last + timedelta(days=k) in frozen for k in range(1, (day - last).days)):
            streak += 1  # the next day, or every missed day was covered by a freeze
        else:
            streak, started = 1, day
        best, last = max(best, streak), day
        week = day - timedelta(days=day.weekday())
        if last_week is None or (week - last_week).days > 7:
            weekly = 1
        elif week != last_week:
            weekly += 1
        best_weekly, last_week = max(best_weekly, weekly), week
    return {"current": streak, "best": best, "started": started, "last": last, "current_weekly": weekly,
            "best_weekly": best_weekly, "last_week": last_week, "held": sum(day is None for day in consumed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k learners x 90 days")
    parser.add_argument("--sample", type=int, default=2000, help="learners the per-user loop walks per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of loop, set-based, set-based again")
    args = parser.parse_args()
    if args.rounds < 1 or args.sample < 1:
        parser.error("--rounds and --sample must be at least 1")
    users, days = max(100, int(100_000 * args.scale)), 90
    # Durable, as production is (each commit of the loop waits for its WAL flush), with shared_buffers that hold
    # the activity days and their indexes (~700 MB at 100k learners), prewarmed for both contestants alike.
    with scratch_server(settings={"shared_buffers": "1GB"}) as server:
        with connection.connect(migrated_database(server)) as conn:
            run(conn, users, days, min(args.sample, users // args.rounds), args.rounds)


def timed_recompute(conn) -> tuple[float, int]:
    """The set-based job over the queue in one transaction: seconds taken and profiles changed."""
    started = time.perf_counter()
    with conn.transaction():
        changed = conn.execute("select private.recompute_streaks() as n").fetchone()["n"]
    return time.perf_counter() - started, changed


def run(conn, users: int, days: int, sample: int, rounds: int) -> None:
    print(f"streaks bench: {users:,} learners x {days} days, {rounds} rounds", flush=True)
    conn.execute(CREATE_USERS, {"users": users})
    conn.execute(CREATE_DAYS, {"days": days})
    conn.execute(CREATE_FREEZES)
    conn.execute(CREATE_HELD_FREEZES)
    rows = conn.execute("select count(*) as n from public.xp_activity_days").fetchone()["n"]
    samples = [row["id"] for row in conn.execute(SAMPLE, {"sample": sample * rounds})]
    loop_ms, set_based_s, steady_s, agree = [], [], [], 0
    for round_number in range(rounds):
        if round_number:  # every profile stale again, as on the first round (not timed)
            conn.execute(FORGET_STREAKS)
        conn.execute("vacuum analyze")
        conn.execute("checkpoint")  # dirty pages written now, not during the timed runs
        prewarm(conn)
        conn.execute(QUEUE_ALL)
        ids = samples[round_number::rounds]  # each round's loop walks different learners

        started = time.perf_counter()
        walked = {}
        for user_id in ids:
            user_days = [row["local_day"] for row in conn.execute(USER_DAYS, {"user_id": user_id})]
            consumed = [row["consumed_on"] for row in conn.execute(USER_FREEZES, {"user_id": user_id})]
            walked[user_id] = walk(user_days, consumed)
            with conn.transaction():  # the learner's streaks and leaving the queue, together (a kill loses nothing)
                conn.execute(WRITE_STREAK, {"user_id": user_id, **walked[user_id]})
                conn.execute(DEQUEUE, {"user_id": user_id})
        loop_ms.append((time.perf_counter() - started) / len(ids) * 1000)

        conn.execute(QUEUE_ALL)  # the loop took its sample off the queue: the set-based run gets every learner
        seconds, changed = timed_recompute(conn)
        set_based_s.append(seconds)
        conn.execute(QUEUE_ALL)  # everyone again: now every profile already agrees, so nothing is written
        seconds, rewritten = timed_recompute(conn)
        steady_s.append(seconds)

        recomputed = {row["user_id"]: {column: row[column] for column in STREAK_COLUMNS}
                      for row in conn.execute(STREAKS_OF, {"ids": ids})}
        agree += sum(walked[user_id] == recomputed[user_id] for user_id in ids)
        print(f"  round {round_number + 1}: per-user loop {loop_ms[-1]:.3f} ms/learner ({len(ids):,} learners); "
              f"set-based {set_based_s[-1]:.3f} s ({changed:,} profiles changed), "
              f"again {steady_s[-1]:.3f} s ({rewritten:,} changed)", flush=True)

    loop, set_based, steady = median(loop_ms) / 1000, median(set_based_s), median(steady_s)
    print(f"  per-user loop: {loop * 1000:.3f} ms/learner (all {users:,}: about {loop * users:.1f} s)")
    print(f"  set-based recompute: {users:,} learners, {rows:,} activity rows in {set_based:.3f} s = "
          f"{rows / set_based:,.0f} activity rows/s")
    print(f"  set-based again (profiles already agree, nothing written): {steady:.3f} s = "
          f"{rows / steady:,.0f} activity rows/s")
    print(f"  agreement with the loop, all {len(STREAK_COLUMNS)} streak columns: {agree}/{len(samples)} learners")
    print(f"speed-up (medians of {rounds} rounds): {loop * users / set_based:.1f}x (target >= 50x); "
          f"{rows / set_based:,.0f} activity rows/s (target >= 1M)")


if __name__ == "__main__":
    main()
