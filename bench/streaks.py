"""Benchmark: set-based streak recomputation vs a per-user loop (the naive worker).

Builds USERS learners x DAYS days of xp_activity_days (default 100k x 90, about
70 % of days active, a few consumed freezes) in a scratch PostgreSQL, then in
the same run times:

  set-based  private.recompute_streaks() over every learner (one statement)
  baseline   a per-user loop: for each learner, read their days in order, walk
             them and write the result back (what a naive worker does), first, on a sample of learners,
             reported per learner and extrapolated to all of them

and checks both give the same streaks on the sample; then queues everyone again
and times the set-based run once more, when no profile changes (only changed
rows are written). Prints figures only.

  .venv/bin/python bench/streaks.py              # 100k x 90
  .venv/bin/python bench/streaks.py --scale 0.1  # 10k x 90
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

CREATE_USERS = """
insert into auth.users (id, email, raw_user_meta_data)
select gen_random_uuid(), 'bench' || n || '@bench.learnkit.dev',
       jsonb_build_object('nickname', 'learner' || n,
                          'time_zone', (array['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Tokyo'])[1 + n %% 4])
from generate_series(1, %(users)s) as n
"""
# Active on about 70 % of days, in streaks of varying length (deterministic from user and day numbers).
CREATE_DAYS = """
insert into public.xp_activity_days (user_id, local_day, time_zone, earned_xp, learning_xp, first_activity_at)
select u.id, date '2026-08-01' + d, 'UTC', 40, 40, timestamptz '2026-08-01 12:00+00' + d * interval '1 day'
from (select id, row_number() over (order by id) as k from public.profiles) u
cross join generate_series(0, %(days)s - 1) as d
where ((u.k * 7 + d * 13 + (d / (3 + u.k %% 5)) * 11) %% 10) < 7
"""
CREATE_FREEZES = """
insert into public.streak_freezes (user_id, bought_on, consumed_on)
select a.user_id, a.local_day - 3, a.local_day + 1
from public.xp_activity_days a
where a.local_day = date '2026-08-20'
  and not exists (select from public.xp_activity_days b where b.user_id = a.user_id and b.local_day = a.local_day + 1)
  and exists (select from public.xp_activity_days c where c.user_id = a.user_id and c.local_day = a.local_day + 2)
"""
QUEUE_ALL = "insert into private.streak_recompute_queue (user_id) select id from public.profiles on conflict do nothing"
SAMPLE = "select id from public.profiles order by id limit %(sample)s"
USER_DAYS = ("select local_day from public.xp_activity_days where user_id = %(user_id)s and is_activity_day "
             "order by local_day")
USER_FROZEN = ("select consumed_on from public.streak_freezes where user_id = %(user_id)s "
               "and consumed_on is not null")
WRITE_STREAK = ("update public.xp_profiles set current_streak = %(current)s, best_streak = %(best)s "
                "where user_id = %(user_id)s")
STREAKS_OF = ("select user_id, current_streak, best_streak, streak_last_day from public.xp_profiles "
              "where user_id = any(%(ids)s) order by user_id")


def walk(days, frozen) -> tuple[int, int]:
    """The naive worker: walk a learner's days in order; frozen days bridge without counting."""
    current = best = 0
    previous = None
    for day in days:
        if previous is not None:
            gap = previous
            bridged = True
            while (gap := gap.fromordinal(gap.toordinal() + 1)) < day:
                if gap not in frozen:
                    bridged = False
                    break
            current = current + 1 if bridged else 1
        else:
            current = 1
        best = max(best, current)
        previous = day
    return current, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k learners x 90 days")
    parser.add_argument("--sample", type=int, default=2000, help="learners the per-user loop walks")
    args = parser.parse_args()
    users, days = max(100, int(100_000 * args.scale)), 90
    with tempfile.TemporaryDirectory(prefix="learnkit-bench-") as scratch:
        server = LocalServer(Path(scratch) / "pg", ServerConfig(kind="system", port=free_port()), fast=True)
        server.start()
        try:
            url = server.url("bench")
            database.reset(url, Settings(project_dir=REPO_ROOT), seed=False)
            with connection.connect(url) as conn:
                run(conn, users, days, min(args.sample, users))
        finally:
            server.destroy()


def run(conn, users: int, days: int, sample: int) -> None:
    print(f"streaks bench: {users:,} learners x {days} days", flush=True)
    conn.execute(CREATE_USERS, {"users": users})
    conn.execute(CREATE_DAYS, {"days": days})
    conn.execute(CREATE_FREEZES)
    conn.execute("vacuum analyze")
    rows = conn.execute("select count(*) as n from public.xp_activity_days").fetchone()["n"]
    conn.execute(QUEUE_ALL)

    ids = [row["id"] for row in conn.execute(SAMPLE, {"sample": sample})]
    started = time.perf_counter()
    walked = {}
    for user_id in ids:
        user_days = [row["local_day"] for row in conn.execute(USER_DAYS, {"user_id": user_id})]
        frozen = {row["consumed_on"] for row in conn.execute(USER_FROZEN, {"user_id": user_id})}
        walked[user_id] = walk(user_days, frozen)
        with conn.transaction():  # the naive worker writes each learner back, as the set-based one does
            conn.execute(WRITE_STREAK, {"user_id": user_id, "current": walked[user_id][0], "best": walked[user_id][1]})
    loop = time.perf_counter() - started
    per_user_loop = loop / len(ids)
    print(f"  per-user loop: {len(ids):,} learners in {loop:.3f} s = {per_user_loop * 1000:.3f} ms/learner "
          f"(all {users:,}: about {per_user_loop * users:.1f} s)")
    started = time.perf_counter()
    with conn.transaction():
        changed = conn.execute("select private.recompute_streaks() as n").fetchone()["n"]
    set_based = time.perf_counter() - started
    print(f"  set-based recompute: {users:,} learners, {rows:,} activity rows, {changed:,} changed in "
          f"{set_based:.3f} s = {rows / set_based:,.0f} activity rows/s", flush=True)

    conn.execute(QUEUE_ALL)  # everyone again: now every profile already agrees, so nothing is written
    started = time.perf_counter()
    with conn.transaction():
        rewritten = conn.execute("select private.recompute_streaks() as n").fetchone()["n"]
    steady = time.perf_counter() - started
    print(f"  set-based again (profiles already agree): {rewritten:,} changed in {steady:.3f} s = "
          f"{rows / steady:,.0f} activity rows/s (the update writes only changed profiles)", flush=True)

    per_user_set = set_based / users
    recomputed = {row["user_id"]: (row["current_streak"], row["best_streak"])
                  for row in conn.execute(STREAKS_OF, {"ids": ids})}
    agree = sum(walked[user_id] == recomputed[user_id] for user_id in ids)
    print(f"  agreement on the sample: {agree}/{len(ids)}")
    print(f"speed-up: {per_user_loop / per_user_set:.1f}x per learner (target >= 50x); "
          f"{rows / set_based:,.0f} activity rows/s (target >= 1M)")


if __name__ == "__main__":
    main()
