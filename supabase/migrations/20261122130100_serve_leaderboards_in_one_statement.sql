-- serve leaderboards in one statement
--
-- At 1M students a board request spent most of its time around its queries,
-- not in them (bench/leaderboard.py, pg_stat_statements, EXPLAIN ANALYZE):
--   * names: the ranked rows went through jsonb into private.leaderboard_names,
--     two index lookups per row into profiles and xp_profiles; they now come
--     from the entries themselves (mirrored by 20261122130000);
--   * my rank±k was four statements (my score, the rank from the count tree in
--     private.xp_rank, the window, the names); it is now one;
--   * every call planned its statements again: for these parameterised queries
--     PostgreSQL's plan cache kept choosing custom plans (about 0.5 ms of
--     planning per my-rank request). The functions now use the cached generic
--     plan (plan_cache_mode), with JIT off: a generic plan's estimates (any
--     score, any k) look costly enough to JIT-compile, on every call, a query
--     that reads a few dozen rows (about a second each time);
--   * the window read every row tied with me to filter most of them out (the
--     index is score desc, user_id asc): the tied rows and the others are now
--     separate index ranges;
--   * the count tree summed up to 63 buckets (× 4 shards) per level: a level
--     now reads at most 32, from whichever end of the parent bucket is nearer.
-- Same signatures, results, ranks (competition ranks), errors, security and
-- grants; private.leaderboard_names and private.xp_rank are no longer used and
-- are dropped.

-- ---------------------------------------------------------------- top N
create or replace function private.leaderboard_top(
  org uuid, metric text, period text, scope text, scope_id text, top_n integer
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
set jit = off
as $$
#variable_conflict use_column
declare
  me constant uuid := auth.uid();
begin
  perform private.check_leaderboard_request(org, metric, period, scope, top_n, 100);
  if metric in ('xp', 'level') and period = 'all_time' and scope = 'organization' then
    return query
    select rank() over (order by t.score desc),
           case when t.leaderboard_opt_out and t.user_id <> me then 'Anonymous learner' else t.nickname end,
           case when t.leaderboard_opt_out and t.user_id <> me then null else t.avatar_url end,
           t.score, t.user_id = me
    from (select e.user_id, e.lifetime_xp, e.nickname, e.avatar_url, e.leaderboard_opt_out,
                 case when metric = 'level' then public.level_for_xp(e.lifetime_xp)::bigint else e.lifetime_xp end as score
          from private.leaderboard_entries e
          where e.organization_id = org
          order by e.lifetime_xp desc, e.user_id
          limit top_n) t
    order by t.lifetime_xp desc, t.user_id;
  else
    return query
    select t.rank,
           case when e.leaderboard_opt_out and e.user_id <> me then 'Anonymous learner' else e.nickname end,
           case when e.leaderboard_opt_out and e.user_id <> me then null else e.avatar_url end,
           t.score, e.user_id = me
    from (select s.user_id, s.score, rank() over (order by s.score desc) as rank
          from private.leaderboard_scores(org, metric, period, scope, scope_id) s
          order by s.score desc, s.user_id
          limit top_n) t
    join private.leaderboard_entries e on e.organization_id = org and e.user_id = t.user_id
    order by t.score desc, t.user_id;
  end if;
end
$$;
comment on function private.leaderboard_top(uuid, text, text, text, text, integer) is
  'The top N (≤ 100) of a board, live. Competition ranks (ties share a rank). Nickname and avatar, or '
  '"Anonymous learner" for others who opted out.';

-- ---------------------------------------------------------------- my rank ± k
create or replace function private.leaderboard_around_me(
  org uuid, metric text, period text, scope text, scope_id text, neighbours integer
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
set jit = off
as $$
#variable_conflict use_column
declare
  me constant uuid := auth.uid();
begin
  perform private.check_leaderboard_request(org, metric, period, scope, neighbours, 25);
  if metric = 'xp' and period = 'all_time' and scope = 'organization' then
    return query
    with mine as (
      -- My rank: 1 + how many have more XP, from the count tree. At each level, the buckets above mine
      -- within my parent bucket; when mine is in the lower half of its parent, the parent's count less
      -- the buckets up to mine instead, so a level reads at most 32 buckets (of 4 shards each).
      select e.lifetime_xp as score, e.nickname, e.avatar_url, e.leaderboard_opt_out,
             1 + coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                           where c.organization_id = org and c.level = 3 and c.bucket > e.lifetime_xp >> 18), 0)
               + case when (e.lifetime_xp >> 12) & 63 >= 32
                   then coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                  where c.organization_id = org and c.level = 2 and c.bucket > e.lifetime_xp >> 12
                                    and c.bucket < ((e.lifetime_xp >> 18) + 1) << 6), 0)
                   else coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                  where c.organization_id = org and c.level = 3
                                    and c.bucket = e.lifetime_xp >> 18), 0)
                        - coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                    where c.organization_id = org and c.level = 2
                                      and c.bucket >= (e.lifetime_xp >> 18) << 6 and c.bucket <= e.lifetime_xp >> 12), 0)
                 end
               + case when (e.lifetime_xp >> 6) & 63 >= 32
                   then coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                  where c.organization_id = org and c.level = 1 and c.bucket > e.lifetime_xp >> 6
                                    and c.bucket < ((e.lifetime_xp >> 12) + 1) << 6), 0)
                   else coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                  where c.organization_id = org and c.level = 2
                                    and c.bucket = e.lifetime_xp >> 12), 0)
                        - coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                    where c.organization_id = org and c.level = 1
                                      and c.bucket >= (e.lifetime_xp >> 12) << 6 and c.bucket <= e.lifetime_xp >> 6), 0)
                 end
               + case when (e.lifetime_xp) & 63 >= 32
                   then coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                  where c.organization_id = org and c.level = 0 and c.bucket > e.lifetime_xp
                                    and c.bucket < ((e.lifetime_xp >> 6) + 1) << 6), 0)
                   else coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                  where c.organization_id = org and c.level = 1
                                    and c.bucket = e.lifetime_xp >> 6), 0)
                        - coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                    where c.organization_id = org and c.level = 0
                                      and c.bucket >= (e.lifetime_xp >> 6) << 6 and c.bucket <= e.lifetime_xp), 0)
                 end as rank,
             coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                       where c.organization_id = org and c.level = 0 and c.bucket = e.lifetime_xp), 0) as ties
      from private.leaderboard_entries e
      where e.organization_id = org and e.user_id = me
    ), above as (
      -- The k rows just above mine in board order (score desc, user_id): first those tied with me (smaller
      -- ids), then higher scores; each part an index range, so only rows shown are read.
      select w.user_id, w.score, w.nickname, w.avatar_url, w.leaderboard_opt_out
      from mine m, lateral (
        (select e.user_id, e.lifetime_xp as score, e.nickname, e.avatar_url, e.leaderboard_opt_out
         from private.leaderboard_entries e
         where e.organization_id = org and e.lifetime_xp = m.score and e.user_id < me
         order by e.lifetime_xp, e.user_id desc
         limit neighbours)
        union all
        (select e.user_id, e.lifetime_xp, e.nickname, e.avatar_url, e.leaderboard_opt_out
         from private.leaderboard_entries e
         where e.organization_id = org and e.lifetime_xp > m.score
         order by e.lifetime_xp, e.user_id desc
         limit neighbours)
        order by score, user_id desc
        limit neighbours) w
    ), below as (
      select w.user_id, w.score, w.nickname, w.avatar_url, w.leaderboard_opt_out
      from mine m, lateral (
        (select e.user_id, e.lifetime_xp as score, e.nickname, e.avatar_url, e.leaderboard_opt_out
         from private.leaderboard_entries e
         where e.organization_id = org and e.lifetime_xp = m.score and e.user_id > me
         order by e.lifetime_xp desc, e.user_id
         limit neighbours)
        union all
        (select e.user_id, e.lifetime_xp, e.nickname, e.avatar_url, e.leaderboard_opt_out
         from private.leaderboard_entries e
         where e.organization_id = org and e.lifetime_xp < m.score
         order by e.lifetime_xp desc, e.user_id
         limit neighbours)
        order by score desc, user_id
        limit neighbours) w
    ), window_rows as (
      -- Above me: my rank, less those with the row's score (from the tree: they may go on beyond the
      -- window) and those between it and me (all in the window).
      select a.user_id, a.score, a.nickname, a.avatar_url, a.leaderboard_opt_out,
             m.rank - (select sum(c.members) from private.leaderboard_xp_counts c
                       where c.organization_id = org and c.level = 0 and c.bucket = a.score)
                    - (select count(*) from above x where x.score > m.score and x.score < a.score) as rank
      from above a, mine m where a.score > m.score
      union all
      select a.user_id, a.score, a.nickname, a.avatar_url, a.leaderboard_opt_out, m.rank
      from above a, mine m where a.score = m.score
      union all
      select me, m.score, m.nickname, m.avatar_url, m.leaderboard_opt_out, m.rank
      from mine m
      union all
      select b.user_id, b.score, b.nickname, b.avatar_url, b.leaderboard_opt_out, m.rank
      from below b, mine m where b.score = m.score
      union all
      -- Below me: my rank, plus everyone with my score and those between me and the row (in the window).
      select b.user_id, b.score, b.nickname, b.avatar_url, b.leaderboard_opt_out,
             m.rank + m.ties + (select count(*) from below x where x.score < m.score and x.score > b.score)
      from below b, mine m where b.score < m.score
    )
    select w.rank,
           case when w.leaderboard_opt_out and w.user_id <> me then 'Anonymous learner' else w.nickname end,
           case when w.leaderboard_opt_out and w.user_id <> me then null else w.avatar_url end,
           w.score, w.user_id = me
    from window_rows w
    order by w.score desc, w.user_id;
  else
    return query
    with board as (
      select s.user_id, s.score, rank() over (order by s.score desc) as rank,
             row_number() over (order by s.score desc, s.user_id) as position
      from private.leaderboard_scores(org, metric, period, scope, scope_id) s
    ), mine as (select position from board where user_id = me)
    select b.rank,
           case when e.leaderboard_opt_out and e.user_id <> me then 'Anonymous learner' else e.nickname end,
           case when e.leaderboard_opt_out and e.user_id <> me then null else e.avatar_url end,
           b.score, b.user_id = me
    from board b
    cross join mine
    join private.leaderboard_entries e on e.organization_id = org and e.user_id = b.user_id
    where b.position between mine.position - neighbours and mine.position + neighbours
    order by b.position;
  end if;
end
$$;
comment on function private.leaderboard_around_me(uuid, text, text, text, text, integer) is
  'The signed-in student''s row on a board with k (≤ 25) neighbours above and below, live; empty if not on it.';

-- ---------------------------------------------------------------- unused helpers
drop function private.leaderboard_names(jsonb);
drop function private.xp_rank(uuid, bigint);

revoke execute on function
  private.leaderboard_top(uuid, text, text, text, text, integer),
  private.leaderboard_around_me(uuid, text, text, text, text, integer)
  from public;
grant execute on function
  private.leaderboard_top(uuid, text, text, text, text, integer),
  private.leaderboard_around_me(uuid, text, text, text, text, integer)
  to authenticated, service_role;
