-- shard leaderboard counters
--
-- The all-time XP board's count tree (private.leaderboard_xp_counts) had one
-- row per organization, level and bucket, so every award to a student of an
-- organization updated the same few rows: everyone climbs through the same
-- exact scores (10, 20, 30 …) and the same coarse buckets, and concurrent awards
-- queued on those row locks until each commit (bench/xp_award.py: 133 awards/s
-- at 8 clients). Counters are now split into 4 shards by server process
-- (pg_backend_pid() % 4): a process only ever writes its own shard's rows, so
-- concurrent awards from different connections rarely wait on each other. A
-- count is the sum over shards; a rank reads up to 4 times as many small rows
-- (with 16, summing the counts for one rank at 1M students took 1.4 ms:
-- bench/leaderboard.py).

alter table private.leaderboard_xp_counts add column shard smallint not null default 0 check (shard between 0 and 3);
alter table private.leaderboard_xp_counts drop constraint leaderboard_xp_counts_pkey;
alter table private.leaderboard_xp_counts add primary key (organization_id, level, bucket, shard);
comment on table private.leaderboard_xp_counts is
  'How many students of an organization have lifetime XP in each bucket (level l: lifetime_xp >> 6·l), split '
  'into 4 shards written by different server processes; a count is the sum over shards (members of one shard '
  'may be negative).';
comment on column private.leaderboard_xp_counts.shard is
  'pg_backend_pid() % 4 of the processes that wrote this part of the count: writers in different shards never '
  'wait on each other.';

-- Counters change in key order (level, then bucket) within a shard, so
-- concurrent awards never deadlock on them. An award moves a student up
-- within most buckets: only the levels whose bucket changed are written.
create or replace function private.trigger_count_leaderboard_xp() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  writer_shard constant smallint := pg_backend_pid() % 4;
  counted_level smallint;
  old_bucket bigint;
  new_bucket bigint;
begin
  if tg_op = 'UPDATE' and old.organization_id = new.organization_id then
    for counted_level in 0..3 loop
      old_bucket := old.lifetime_xp >> (6 * counted_level);
      new_bucket := new.lifetime_xp >> (6 * counted_level);
      exit when old_bucket = new_bucket;  -- then every coarser level is unchanged too
      insert into private.leaderboard_xp_counts as counts (organization_id, level, bucket, shard, members)
      values (new.organization_id, counted_level, least(old_bucket, new_bucket), writer_shard,
              case when old_bucket < new_bucket then -1 else 1 end),
             (new.organization_id, counted_level, greatest(old_bucket, new_bucket), writer_shard,
              case when old_bucket < new_bucket then 1 else -1 end)
      on conflict (organization_id, level, bucket, shard) do update set members = counts.members + excluded.members;
    end loop;
    return null;
  end if;
  -- A student joining or leaving a board (or, rarely, moving between organizations).
  insert into private.leaderboard_xp_counts as counts (organization_id, level, bucket, shard, members)
  select change.organization_id, change.level, change.bucket, writer_shard, sum(change.members)
  from (
    select old.organization_id, l::smallint as level, old.lifetime_xp >> (6 * l) as bucket, -1 as members
    from generate_series(0, 3) l where tg_op <> 'INSERT'
    union all
    select new.organization_id, l::smallint, new.lifetime_xp >> (6 * l), 1
    from generate_series(0, 3) l where tg_op <> 'DELETE'
  ) change
  where exists (select from public.organizations o where o.id = change.organization_id)
  group by change.organization_id, change.level, change.bucket
  having sum(change.members) <> 0
  order by change.organization_id, change.level, change.bucket
  on conflict (organization_id, level, bucket, shard) do update set members = counts.members + excluded.members;
  return null;
end
$$;

-- The exact-score counts of the window now sum their shards.
create or replace function private.leaderboard_around_me(
  org uuid, metric text, period text, scope text, scope_id text, neighbours integer
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  me uuid := auth.uid();
  my_score bigint;
  my_rank bigint;
  ranked jsonb;
begin
  perform private.check_leaderboard_request(org, metric, period, scope, neighbours, 25);
  if metric = 'xp' and period = 'all_time' and scope = 'organization' then
    select e.lifetime_xp into my_score from private.leaderboard_entries e
    where e.organization_id = org and e.user_id = me;
    if not found then
      return;
    end if;
    my_rank := private.xp_rank(org, my_score);
    with above as (
      select e.user_id, e.lifetime_xp as score from private.leaderboard_entries e
      where e.organization_id = org and e.lifetime_xp >= my_score
        and (e.lifetime_xp > my_score or e.user_id < me)
      order by e.lifetime_xp, e.user_id desc
      limit neighbours
    ), below as (
      select e.user_id, e.lifetime_xp as score from private.leaderboard_entries e
      where e.organization_id = org and e.lifetime_xp <= my_score
        and (e.lifetime_xp < my_score or e.user_id > me)
      order by e.lifetime_xp desc, e.user_id
      limit neighbours
    ), exact as (
      select c.bucket as score, sum(c.members) as members from private.leaderboard_xp_counts c
      where c.organization_id = org and c.level = 0
        and c.bucket in (select score from above union select my_score)
      group by c.bucket
    ), window_rows as (
      select a.user_id, a.score,
             my_rank - (select e.members from exact e where e.score = a.score)
               - (select count(*) from above x where x.score > my_score and x.score < a.score) as rank
      from above a where a.score > my_score
      union all
      select a.user_id, a.score, my_rank from above a where a.score = my_score
      union all
      select me, my_score, my_rank
      union all
      select b.user_id, b.score, my_rank from below b where b.score = my_score
      union all
      select b.user_id, b.score,
             my_rank + (select e.members from exact e where e.score = my_score)
               + (select count(*) from below x where x.score < my_score and x.score > b.score)
      from below b where b.score < my_score
    )
    select jsonb_agg(jsonb_build_object('user_id', w.user_id, 'score', w.score, 'rank', w.rank)
                     order by w.score desc, w.user_id)
    into ranked from window_rows w;
  else
    with board as (
      select s.user_id, s.score, rank() over (order by s.score desc) as rank,
             row_number() over (order by s.score desc, s.user_id) as position
      from private.leaderboard_scores(org, metric, period, scope, scope_id) s
    ), mine as (select position from board where user_id = me)
    select jsonb_agg(jsonb_build_object('user_id', b.user_id, 'score', b.score, 'rank', b.rank) order by b.position)
    into ranked
    from board b, mine
    where b.position between mine.position - neighbours and mine.position + neighbours;
  end if;
  return query select * from private.leaderboard_names(coalesce(ranked, '[]'));
end
$$;
