"""Benchmark: live leaderboards in PostgreSQL vs Redis sorted sets, same data, same run.

Loads USERS (default 1,000,000) students of one organization with an XP history (two ledger rows each; half
with an avatar, one in 20 opted out of being named), bulk-built the way the triggers would leave them
(xp_profiles, leaderboard entries with their mirrored names, the rank count tree spread over its 4 shards),
and the same scores into a Redis sorted set (Debian's redis-server on loopback, started here). Then, for
SAMPLES random students: award XP (private.increment_xp, and ZINCRBY for Redis; not timed; every 50th
sample the student also changes nickname and flips the opt-out), and time

  top-100      public.get_leaderboard(org, top_n => 100)       vs ZREVRANGE key 0 99 WITHSCORES
  my-rank±5    public.get_leaderboard_around_me(org, k => 5)   vs ZREVRANK + ZREVRANGE rank-5 rank+5

as the awarded student (role authenticated, JWT claims; RLS and membership checks included), checking
each PostgreSQL answer already shows the award just made, that the top 100 shows exactly the nicknames,
avatars and scores of profiles and xp_profiles (opted-out others anonymised), and that my row names me.
Prints p50/p95 and ratios; asserts nothing.

  .venv/bin/python bench/leaderboard.py
  .venv/bin/python bench/leaderboard.py --users 100000 --samples 500
"""

import argparse
import json
import random
import time
import uuid

import redis

from common import connection, migrated_database, percentile, prewarm, redis_server, scratch_server, testing

LOAD = [
    "set session_replication_role = replica",  # bulk load: the triggers' work is done set-based below
    """insert into public.organizations (id, name, slug, kind, max_students)
       values (%(org)s, 'Big District', 'big-district', 'school', 10000000)""",
    """insert into auth.users (id, email, raw_user_meta_data)
       select ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'u' || n || '@bench.learnkit.dev',
              '{}'::jsonb
       from generate_series(1, %(users)s) n""",
    # Half the students with an avatar.
    """insert into public.profiles (id, nickname, time_zone, avatar_url)
       select id, 'learner ' || substr(id::text, 25), (array['UTC', 'America/Chicago', 'Europe/Paris'])[1 + abs(hashtext(id::text)) %% 3],
              case when abs(hashtext(id::text || 'a')) %% 2 = 0 then 'https://img.bench.learnkit.dev/' || substr(id::text, 25) || '.png' end
       from auth.users""",
    """insert into public.organization_members (organization_id, user_id, role)
       select %(org)s, id, 'student' from public.profiles""",
    """insert into public.xp_transactions (user_id, organization_id, kind, category, amount, reason, balance_after,
         lifetime_xp_after, level_after, local_day, idempotency_key, created_at)
       select p.id, %(org)s, 'earned', 'learning', a.amount, 'history', a.total, a.total, public.level_for_xp(a.total),
              current_date - a.ago, 'history:' || a.ago, now() - make_interval(days => a.ago)
       from public.profiles p
       cross join lateral (select ago, amount, sum(amount) over (order by ago desc) as total
         from (values (2, 1 + abs(hashtext(p.id::text)) %% 5000), (1, 1 + abs(hashtext(p.id::text || 'x')) %% 3000))
              h (ago, amount)) a""",
    # One in 20 opted out of being named on boards.
    """insert into public.xp_profiles (user_id, xp, lifetime_xp, leaderboard_opt_out)
       select user_id, sum(amount), sum(amount), abs(hashtext(user_id::text || 'o')) %% 20 = 0
       from public.xp_transactions group by user_id""",
    # Boards rank the XP earned in their organization (all of it here): what the award path adds to.
    """insert into public.organization_xp (user_id, organization_id, lifetime_xp)
       select user_id, %(org)s, lifetime_xp from public.xp_profiles""",
    # counted_xp: where the rank counts below hold each entry (process-awards moves it after each award).
    """insert into private.leaderboard_entries (user_id, organization_id, time_zone, lifetime_xp, nickname, avatar_url,
         leaderboard_opt_out, counted_xp)
       select s.user_id, %(org)s, p.time_zone, s.lifetime_xp, p.nickname, p.avatar_url, s.leaderboard_opt_out,
              s.lifetime_xp
       from public.xp_profiles s join public.profiles p on p.id = s.user_id""",
    # Spread over all 4 shards, as many server processes writing over time would leave them: the most rows
    # a rank has to add up.
    """insert into private.leaderboard_xp_counts (organization_id, level, bucket, shard, members)
       select %(org)s, l, lifetime_xp >> (6 * l), abs(hashtext(user_id::text)) %% 4, count(*)
       from private.leaderboard_entries, generate_series(0, 3) l
       group by l, lifetime_xp >> (6 * l), abs(hashtext(user_id::text)) %% 4""",
    "set session_replication_role = origin",
]
TOP = "select * from public.get_leaderboard(%(org)s, 'xp', 'all_time', 'organization', null, 100)"
AROUND = "select * from public.get_leaderboard_around_me(%(org)s, 'xp', 'all_time', 'organization', null, 5)"
CLAIMS = "select set_config('request.jwt.claims', %(claims)s, false)"
# Earned in the board's organization (XP of no organization counts on no board).
AWARD = ("select private.increment_xp(%(user)s, %(amount)s, 'bench', 'bonus', %(key)s, %(org)s) ->> 'lifetime_xp'"
         " as total")
# Every RENAME_EVERY samples the sampled student changes nickname and flips the opt-out (not timed).
RENAME_EVERY = 50
RENAME = "update public.profiles set nickname = %(nickname)s where id = %(user)s"
FLIP_OPT_OUT = "update public.xp_profiles set leaderboard_opt_out = not leaderboard_opt_out where user_id = %(user)s"
# What the top 100 must show the viewer, from the source tables (profiles, xp_profiles), not the board's mirror.
EXPECTED_TOP = """
  select case when x.leaderboard_opt_out and p.id <> %(user)s then 'Anonymous learner' else p.nickname end as nickname,
         case when x.leaderboard_opt_out and p.id <> %(user)s then null else p.avatar_url end as avatar_url,
         x.lifetime_xp as score
  from (select user_id, lifetime_xp from private.leaderboard_entries where organization_id = %(org)s
        order by lifetime_xp desc, user_id limit 100) top
  join public.profiles p on p.id = top.user_id
  join public.xp_profiles x on x.user_id = top.user_id
  order by top.lifetime_xp desc, top.user_id"""
MY_NAME = "select nickname, avatar_url from public.profiles where id = %(user)s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    options = parser.parse_args()
    org = uuid.uuid4()
    rng = random.Random(4)

    # Redis holds the whole board in memory; PostgreSQL gets shared_buffers that hold the board's tables and
    # indexes too (~600 MB at 1M students), as a production server of that size would, instead of 128 MB.
    with scratch_server(settings={"shared_buffers": "1GB"}) as server, redis_server() as redis_port:
        url = migrated_database(server)
        began = time.perf_counter()
        with connection.connect(url) as owner:
            for statement in LOAD:
                owner.execute(statement, {"org": org, "users": options.users})
            owner.execute("vacuum analyze")
            prewarm(owner)  # the board's tables and indexes, as a server that has been serving them has them
            users = [r["user_id"] for r in owner.execute("select user_id from private.leaderboard_entries")]
            cache = redis.Redis(port=redis_port)
            board = f"board:{org}"
            pipe = cache.pipeline(transaction=False)
            for row in owner.execute("select user_id, lifetime_xp from private.leaderboard_entries"):
                pipe.zadd(board, {str(row["user_id"]): row["lifetime_xp"]})
                if len(pipe) >= 10000:
                    pipe.execute()
            pipe.execute()
        print(f"loaded {len(users):,} students with XP history into PostgreSQL and Redis in "
              f"{time.perf_counter() - began:.0f} s")

        timings = {name: [] for name in ("pg_top", "redis_top", "pg_around", "redis_around")}
        stale = misnamed = 0
        with connection.connect(url) as owner, connection.connect(url) as api:
            api.execute("set role authenticated")
            for sample in range(options.samples):
                user = rng.choice(users)
                amount = rng.randint(1, 500)
                total = int(owner.execute(AWARD, {"user": user, "amount": amount, "org": org,
                                                  "key": str(uuid.uuid4())}).fetchone()["total"])
                if sample % RENAME_EVERY == 0:
                    owner.execute(RENAME, {"user": user, "nickname": f"renamed {sample}"})
                    owner.execute(FLIP_OPT_OUT, {"user": user})
                cache.zincrby(board, amount, str(user))
                api.execute(CLAIMS, {"claims": json.dumps(testing.claims_for(user))})

                started = time.perf_counter()
                top = api.execute(TOP, {"org": org}).fetchall()
                timings["pg_top"].append(time.perf_counter() - started)
                started = time.perf_counter()
                cache.zrevrange(board, 0, 99, withscores=True)
                timings["redis_top"].append(time.perf_counter() - started)

                started = time.perf_counter()
                rows = api.execute(AROUND, {"org": org}).fetchall()
                timings["pg_around"].append(time.perf_counter() - started)
                started = time.perf_counter()
                rank = cache.zrevrank(board, str(user))
                cache.zrevrange(board, max(rank - 5, 0), rank + 5, withscores=True)
                timings["redis_around"].append(time.perf_counter() - started)
                mine = next(r for r in rows if r["is_me"])
                stale += mine["score"] != total
                expected_top = owner.execute(EXPECTED_TOP, {"org": org, "user": user}).fetchall()
                misnamed += [(r["nickname"], r["avatar_url"], r["score"]) for r in top] != [
                    (r["nickname"], r["avatar_url"], r["score"]) for r in expected_top]
                misnamed += (mine["nickname"], mine["avatar_url"]) != tuple(
                    owner.execute(MY_NAME, {"user": user}).fetchone().values())

        print(f"{options.samples} samples, each right after an award to the sampled student; "
              f"answers missing the award: {stale}; answers with a wrong or stale name: {misnamed}")
        print(f"{'query':<11} {'PG p50 ms':>9} {'PG p95 ms':>9} {'Redis p50':>9} {'Redis p95':>9} {'p95 ratio':>9}")
        for label, pg, rd in (("top-100", "pg_top", "redis_top"), ("my-rank±5", "pg_around", "redis_around")):
            p50, p95 = (percentile(timings[pg], f) * 1000 for f in (0.5, 0.95))
            r50, r95 = (percentile(timings[rd], f) * 1000 for f in (0.5, 0.95))
            print(f"{label:<11} {p50:>9.3f} {p95:>9.3f} {r50:>9.3f} {r95:>9.3f} {p95 / r95:>9.2f}")


if __name__ == "__main__":
    main()
