-- Leaderboards and leagues: each organization's board is a private mirror (leaderboard_entries) kept by
-- triggers, with sharded per-bucket counts for "my rank"; weekly leagues group learners of similar XP.
-- Boards are read only through the get_leaderboard* functions. Policies: league_groups.sql, league_members.sql.

-- ======================================================================
-- types
-- ======================================================================

create type public.league_tier as enum (
  'bronze', 'silver', 'gold', 'sapphire', 'ruby', 'emerald', 'amethyst', 'pearl', 'obsidian', 'diamond'
);

-- ======================================================================
-- tables
-- ======================================================================

create table private.leaderboard_entries (
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  grade_level public.grade_level,
  time_zone text not null default 'UTC',
  lifetime_xp bigint not null default 0,
  today date,
  today_xp integer not null default 0,
  week_start date,
  week_xp integer not null default 0,
  current_streak integer not null default 0,
  streak_last_day date,
  achievements_unlocked integer not null default 0,
  nickname text not null,
  avatar_url text,
  leaderboard_opt_out boolean not null default false,
  counted_xp bigint not null default 0,
  primary key (user_id, organization_id)
);
alter table private.leaderboard_entries enable row level security;
comment on column private.leaderboard_entries.nickname is
  'Mirror of profiles.nickname (trigger), the name boards show; never the email.';
comment on column private.leaderboard_entries.avatar_url is 'Mirror of profiles.avatar_url (trigger).';
comment on column private.leaderboard_entries.leaderboard_opt_out is
  'Mirror of xp_profiles.leaderboard_opt_out (trigger): shown to others as "Anonymous learner", without avatar.';
comment on table private.leaderboard_entries is
  'The students of each organization with their scores and what boards show of them (nickname, avatar, opt-out), '
  'mirrored by triggers from xp_profiles, profiles and organization_members. Internal (not exposed; no '
  'privileges for API roles, no policies): boards are read through the leaderboard functions.';
revoke all on table private.leaderboard_entries from public, anon, authenticated;
create index leaderboard_entries_xp_idx on private.leaderboard_entries (organization_id, lifetime_xp desc, user_id);
comment on column private.leaderboard_entries.counted_xp is
  'The lifetime_xp private.leaderboard_xp_counts counts this entry at: set when the entry is made, then moved '
  'to lifetime_xp by private.process_awards (private.count_board_ranks), so "my rank" is at most one run behind '
  'while answers never wait on the shared counts.';
create index leaderboard_entries_uncounted_idx on private.leaderboard_entries (organization_id)
  where counted_xp <> lifetime_xp;

create table private.leaderboard_xp_counts (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  level smallint not null check (level between 0 and 3),
  bucket bigint not null,
  members integer not null,
  shard smallint not null default 0 check (shard between 0 and 3),
  primary key (organization_id, level, bucket, shard)
);
alter table private.leaderboard_xp_counts enable row level security;
comment on table private.leaderboard_xp_counts is
  'How many students of an organization have lifetime XP in each bucket (level l: lifetime_xp >> 6·l), split '
  'into 4 shards written by different server processes; a count is the sum over shards (members of one shard '
  'may be negative).';
comment on column private.leaderboard_xp_counts.shard is
  'pg_backend_pid() % 4 of the processes that wrote this part of the count: writers in different shards never '
  'wait on each other.';

create table public.league_groups (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  week_start date not null check (extract(isodow from week_start) = 1),
  tier public.league_tier not null,
  closed_at timestamptz,
  created_at timestamptz not null default now()
);
alter table public.league_groups enable row level security;
comment on table public.league_groups is
  'A league group: about 30 students of one organization and tier competing for one week (Monday start). '
  'Server-owned: formed and closed by private.close_league_week_v1.';
revoke all on table public.league_groups from anon, authenticated;
grant select on table public.league_groups to authenticated;
grant all on table public.league_groups to service_role;
create index league_groups_organization_week_idx on public.league_groups (organization_id, week_start);

create table public.league_members (
  group_id uuid not null references public.league_groups (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  week_start date not null,
  tier public.league_tier not null,
  final_xp integer,
  final_rank integer,
  outcome text check (outcome in ('promoted', 'stayed', 'demoted')),
  primary key (group_id, user_id),
  constraint league_members_one_group_a_week unique (organization_id, week_start, user_id)
);
alter table public.league_members enable row level security;
comment on table public.league_members is
  'A student''s place in a weekly league group, and at the week''s close their XP, rank and outcome. Server-owned.';
revoke all on table public.league_members from anon, authenticated;
grant select on table public.league_members to authenticated;
grant all on table public.league_members to service_role;
create index league_members_user_id_idx on public.league_members (user_id, week_start desc);

-- ======================================================================
-- functions
-- ======================================================================

create function private.trigger_count_leaderboard_xp() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  writer_shard constant smallint := pg_backend_pid() % 4;
begin
  -- A student joining or leaving a board (or, rarely, moving between organizations), at their counted XP.
  -- Changes of XP are counted by private.count_board_ranks, set-based, after the answers that made them.
  insert into private.leaderboard_xp_counts as counts (organization_id, level, bucket, shard, members)
  select change.organization_id, change.level, change.bucket, writer_shard, sum(change.members)
  from (
    select old.organization_id, l::smallint as level, old.counted_xp >> (6 * l) as bucket, -1 as members
    from generate_series(0, 3) l where tg_op <> 'INSERT'
    union all
    select new.organization_id, l::smallint, new.counted_xp >> (6 * l), 1
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
comment on function private.trigger_count_leaderboard_xp() is
  'leaderboard_entries: counts an entry made or removed in the rank counts, at its counted_xp.';

create function private.trigger_mirror_membership() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.role = 'student' then
    delete from private.leaderboard_entries where user_id = old.user_id and organization_id = old.organization_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.role = 'student' then
    insert into private.leaderboard_entries (user_id, organization_id, grade_level, time_zone, lifetime_xp, today,
      today_xp, week_start, week_xp, current_streak, streak_last_day, achievements_unlocked, nickname, avatar_url,
      leaderboard_opt_out, counted_xp)
    select p.id, new.organization_id, p.grade_level, p.time_zone, coalesce(o.lifetime_xp, 0), o.today,
           coalesce(o.today_xp, 0), o.week_start, coalesce(o.week_xp, 0), s.current_streak, s.streak_last_day,
           coalesce(o.achievements_unlocked, 0), p.nickname, p.avatar_url, s.leaderboard_opt_out,
           coalesce(o.lifetime_xp, 0)
    from public.profiles p
    join public.xp_profiles s on s.user_id = p.id
    left join public.organization_xp o on o.user_id = p.id and o.organization_id = new.organization_id
    where p.id = new.user_id
    on conflict do nothing;
  end if;
  return null;
end
$$;

create function private.trigger_mirror_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries
  set grade_level = new.grade_level, time_zone = new.time_zone, nickname = new.nickname, avatar_url = new.avatar_url
  where user_id = new.id;
  return null;
end
$$;
comment on function private.trigger_mirror_profile() is
  'profiles: copies grade, time zone, nickname and avatar into the learner''s leaderboard entries.';

create function private.check_leaderboard_request(
  org uuid, metric text, period text, scope text, size integer, size_limit integer
) returns void
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if org is null then
    raise exception using errcode = '22023', message = 'organization_id is required';
  end if;
  if coalesce(auth.role(), '') <> 'service_role' and not private.is_org_member(org) then
    raise exception using errcode = '42501', message = 'you can only see the leaderboards of your organizations';
  end if;
  if metric is null or metric not in ('xp', 'level', 'streak', 'achievements') then
    raise exception using errcode = '22023', message = format('unknown leaderboard metric %L', metric),
      hint = 'Use xp, level, streak or achievements.';
  end if;
  if period is null or period not in ('all_time', 'week', 'today') then
    raise exception using errcode = '22023', message = format('unknown leaderboard period %L', period),
      hint = 'Use all_time, week or today.';
  end if;
  if period <> 'all_time' and metric <> 'xp' then
    raise exception using errcode = '22023', message = format('the %s leaderboard has no %s period', metric, period),
      hint = 'Only the xp metric has week and today periods.';
  end if;
  if scope is null or scope not in ('organization', 'grade', 'course') then
    raise exception using errcode = '22023', message = format('unknown leaderboard scope %L', scope),
      hint = 'Use organization, grade or course.';
  end if;
  if size is null or size < 0 or size > size_limit then
    raise exception using errcode = '22023', message = format('size must be between 0 and %s', size_limit);
  end if;
end
$$;

create function private.leaderboard_scores(org uuid, metric text, period text, scope text, scope_id text)
returns table (user_id uuid, score bigint)
language plpgsql stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  viewer_today date := (now() at time zone coalesce(
    (select time_zone from public.profiles where id = auth.uid()), 'UTC'))::date;
  grade public.grade_level;
  course uuid;
begin
  if scope = 'grade' then
    begin
      grade := coalesce(scope_id, (select grade_level::text from public.profiles where id = auth.uid()))::public.grade_level;
    exception when invalid_text_representation then
      raise exception using errcode = '22023', message = format('unknown grade level %L', scope_id);
    end;
    if grade is null then
      raise exception using errcode = '22023', message = 'the grade scope needs a grade level (scope_id)';
    end if;
  elsif scope = 'course' then
    begin
      course := scope_id::uuid;
    exception when invalid_text_representation then
      raise exception using errcode = '22023', message = format('scope_id %L is not a course id', scope_id);
    end;
    if course is null then
      raise exception using errcode = '22023', message = 'the course scope needs a course id (scope_id)';
    end if;
  end if;
  return query
  select e.user_id,
    case
      when metric = 'xp' and period = 'all_time' then e.lifetime_xp
      when metric = 'xp' and period = 'week' then
        case when e.week_start = viewer_today - (extract(isodow from viewer_today)::integer - 1)
          then e.week_xp else 0 end::bigint
      when metric = 'xp' and period = 'today' then
        case when e.today = viewer_today then e.today_xp else 0 end::bigint
      when metric = 'level' then public.level_for_xp(e.lifetime_xp)::bigint
      when metric = 'achievements' then e.achievements_unlocked::bigint
      else case
        when e.streak_last_day >= (now() at time zone e.time_zone)::date - 1 then e.current_streak
        when e.streak_last_day >= (now() at time zone e.time_zone)::date - 3
             and private.streak_is_alive(e.user_id, e.streak_last_day, (now() at time zone e.time_zone)::date)
          then e.current_streak
        else 0 end::bigint
    end
  from private.leaderboard_entries e
  where e.organization_id = org
    and (scope <> 'grade' or e.grade_level = grade)
    and (scope <> 'course' or e.user_id in (select en.user_id from public.enrollments en where en.course_id = course));
end
$$;

create function private.leaderboard_top(
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
grant execute on function private.leaderboard_top(uuid, text, text, text, text, integer) to authenticated, service_role;
comment on function private.leaderboard_top(uuid, text, text, text, text, integer) is
  'The top N (≤ 100) of a board, live. Competition ranks (ties share a rank). Nickname and avatar, or '
  '"Anonymous learner" for others who opted out.';
revoke execute on function private.leaderboard_top(uuid, text, text, text, text, integer) from public;
grant execute on function private.leaderboard_top(uuid, text, text, text, text, integer) to authenticated, service_role;

create function private.leaderboard_around_me(
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
             m.rank - coalesce((select sum(c.members) from private.leaderboard_xp_counts c
                                where c.organization_id = org and c.level = 0 and c.bucket = a.score), 0)
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
grant execute on function
  private.leaderboard_around_me(uuid, text, text, text, text, integer)
  to authenticated, service_role;
comment on function private.leaderboard_around_me(uuid, text, text, text, text, integer) is
  'The signed-in student''s row on a board with k (≤ 25) neighbours above and below, live; empty if not on it.';
revoke execute on function private.leaderboard_around_me(uuid, text, text, text, text, integer) from public;
grant execute on function
  private.leaderboard_around_me(uuid, text, text, text, text, integer)
  to authenticated, service_role;

create function public.get_leaderboard(
  organization_id uuid, metric text default 'xp', period text default 'all_time', scope text default 'organization',
  scope_id text default null, top_n integer default 10
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  perform private.check_argument_length('scope_id', scope_id, 100);
  return query select * from private.leaderboard_top(organization_id, metric, period, scope, scope_id, top_n);
end
$$;
comment on function public.get_leaderboard(uuid, text, text, text, text, integer) is
  'Top N of one of your organization''s boards: metric xp|level|streak|achievements, period all_time|week|today '
  '(xp only), scope organization|grade|course (scope_id: grade level or course id). 42501 outside your '
  'organizations, 22023 for a bad argument.';
grant execute on function public.get_leaderboard(uuid, text, text, text, text, integer) to authenticated, service_role;

create function public.get_leaderboard_around_me(
  organization_id uuid, metric text default 'xp', period text default 'all_time', scope text default 'organization',
  scope_id text default null, neighbours integer default 5
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  perform private.check_argument_length('scope_id', scope_id, 100);
  return query
  select * from private.leaderboard_around_me(organization_id, metric, period, scope, scope_id, neighbours);
end
$$;
comment on function public.get_leaderboard_around_me(uuid, text, text, text, text, integer) is
  'Your rank on a board with k neighbours above and below (same arguments as get_leaderboard).';
grant execute on function
  public.get_leaderboard_around_me(uuid, text, text, text, text, integer)
  to authenticated, service_role;

create function private.my_league_group_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select group_id from public.league_members where user_id = (select auth.uid())
$$;
comment on function private.my_league_group_ids() is 'League groups the current user is in.';
grant execute on function private.my_league_group_ids() to authenticated, service_role;

create function private.weekly_xp(learner uuid, week_start date) returns integer
language sql stable
security definer
set search_path = ''
as $$
  select coalesce(sum(earned_xp), 0)::integer from public.xp_activity_days
  where user_id = learner and local_day between week_start and week_start + 6
$$;
comment on function private.weekly_xp(uuid, date) is 'XP a learner earned on the local days of a week.';
grant execute on function private.weekly_xp(uuid, date) to service_role;

create function private.form_league_week_v1(organization_id uuid, week_start date) returns integer
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  org uuid := form_league_week_v1.organization_id;
  week date := form_league_week_v1.week_start;
  size integer := (private.gamification_rules(org)).league_group_size;
  formed integer;
begin
  if extract(isodow from week) <> 1 then
    raise exception using errcode = '22023', message = format('week_start %s is not a Monday', week);
  end if;
  if exists (select from public.league_groups where organization_id = org and week_start = week) then
    return 0;
  end if;
  -- One statement: the seating (materialized once, as a CTE read twice) places the groups and then their members.
  with seating as (
    select placed.user_id, placed.tier,
           row_number() over (partition by placed.tier order by md5(placed.user_id::text || week::text)) - 1 as seat,
           ceil(count(*) over (partition by placed.tier)::numeric / size)::integer as group_count
    from (
      select m.user_id,
        coalesce((
          select case last.outcome
            when 'promoted' then (enum_range(last.tier, null))[least(2, cardinality(enum_range(last.tier, null)))]
            when 'demoted' then (enum_range(null, last.tier))[greatest(1, cardinality(enum_range(null, last.tier)) - 1)]
            else last.tier end
          from public.league_members last
          where last.user_id = m.user_id and last.organization_id = org and last.week_start < week
          order by last.week_start desc limit 1), 'bronze') as tier
      from public.organization_members m
      where m.organization_id = org and m.role = 'student'
    ) placed
  ), groups as (
    insert into public.league_groups (organization_id, week_start, tier)
    select org, week, seats.tier from seating seats, generate_series(1, seats.group_count) n
    where seats.seat = 0
    returning id, tier
  ), numbered as (
    select id, tier, row_number() over (partition by tier order by id) - 1 as group_index from groups
  )
  insert into public.league_members (group_id, user_id, organization_id, week_start, tier)
  select numbered.id, seats.user_id, org, week, seats.tier
  from seating seats
  join numbered on numbered.tier = seats.tier and numbered.group_index = seats.seat % seats.group_count;
  get diagnostics formed = row_count;
  return formed;
end
$$;
comment on function private.form_league_week_v1(uuid, date) is
  'Puts an organization''s students into league groups for a week by tier (idempotent). Returns members placed.';
grant execute on function private.form_league_week_v1(uuid, date) to service_role;

create function private.close_league_week_v1(organization_id uuid, week_start date) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  org uuid := close_league_week_v1.organization_id;
  week date := close_league_week_v1.week_start;
  rules public.gamification_settings := private.gamification_rules(org);
  closed integer;
  promoted integer;
  demoted integer;
  next_placed integer;
begin
  if org is null or week is null or extract(isodow from week) <> 1 then
    raise exception using errcode = '22023', message = 'close_league_week_v1 needs an organization and a Monday';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('league:' || org::text || ':' || week::text, 0));

  with standings as (
    select m.group_id, m.user_id, private.organization_weekly_xp(m.user_id, org, week) as xp
    from public.league_members m
    join public.league_groups g on g.id = m.group_id
    where g.organization_id = org and g.week_start = week and g.closed_at is null
  ), ranked as (
    select s.*, row_number() over (partition by s.group_id order by s.xp desc, s.user_id) as place,
           count(*) over (partition by s.group_id) as group_size
    from standings s
  )
  update public.league_members m set
    final_xp = r.xp, final_rank = r.place,
    outcome = case
      when r.place <= rules.league_promote_count and r.xp > 0 and m.tier <> 'diamond' then 'promoted'
      when r.place > r.group_size - rules.league_demote_count and r.place > rules.league_promote_count
           and m.tier <> 'bronze' then 'demoted'
      else 'stayed' end
  from ranked r
  where m.group_id = r.group_id and m.user_id = r.user_id;

  update public.league_groups set closed_at = now()
  where organization_id = org and week_start = week and closed_at is null;
  get diagnostics closed = row_count;

  select count(*) filter (where outcome = 'promoted'), count(*) filter (where outcome = 'demoted')
  into promoted, demoted
  from public.league_members where organization_id = org and week_start = week;

  next_placed := private.form_league_week_v1(org, week + 7);
  return jsonb_build_object('organization_id', org, 'week_start', week, 'groups_closed', closed,
    'promoted', promoted, 'demoted', demoted, 'next_week_start', week + 7, 'next_week_members', next_placed);
end
$$;
comment on function private.close_league_week_v1(uuid, date) is
  'Worker API v1: closes an organization''s league week (final XP, rank, promoted/stayed/demoted) and forms the '
  'next week''s groups. Idempotent; run it after the week ended in every time zone (Monday 14:00 UTC or later).';
grant execute on function private.close_league_week_v1(uuid, date) to service_role;

create function private.my_league(organization uuid) returns table (
  rank bigint, nickname text, avatar_url text, weekly_xp integer, tier public.league_tier, zone text, is_me boolean
)
language sql stable
security definer
set search_path = ''
as $$
  with mine as (
    select m.group_id, m.week_start, m.tier from public.league_members m
    where m.user_id = (select auth.uid()) and m.organization_id = organization
    order by m.week_start desc limit 1
  ), standings as (
    select m.user_id, private.organization_weekly_xp(m.user_id, organization, mine.week_start) as xp, mine.tier
    from public.league_members m join mine on mine.group_id = m.group_id
  ), ranked as (
    select s.*, rank() over (order by s.xp desc) as place, row_number() over (order by s.xp desc, s.user_id) as seat,
           count(*) over () as group_size
    from standings s
  )
  select r.place,
    case when x.leaderboard_opt_out and r.user_id <> (select auth.uid()) then 'Anonymous learner' else p.nickname end,
    case when x.leaderboard_opt_out and r.user_id <> (select auth.uid()) then null else p.avatar_url end,
    r.xp, r.tier,
    case when r.seat <= rules.league_promote_count then 'promotion'
         when r.seat > r.group_size - rules.league_demote_count then 'demotion' end,
    r.user_id = (select auth.uid())
  from ranked r
  join public.profiles p on p.id = r.user_id
  join public.xp_profiles x on x.user_id = r.user_id
  cross join lateral (select (private.gamification_rules(organization)).*) rules
  order by r.seat
$$;
grant execute on function private.my_league(uuid) to authenticated, service_role;

create function public.get_my_league(organization_id uuid) returns table (
  rank bigint, nickname text, avatar_url text, weekly_xp integer, tier public.league_tier, zone text, is_me boolean
)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.my_league(organization_id)
$$;
comment on function public.get_my_league(uuid) is
  'Your current league group in an organization, ranked by this week''s XP, with promotion/demotion zones.';
grant execute on function public.get_my_league(uuid) to authenticated, service_role;

create function private.trigger_mirror_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    current_streak = new.current_streak, streak_last_day = new.streak_last_day,
    leaderboard_opt_out = new.leaderboard_opt_out
  where e.user_id = new.user_id;
  return null;
end
$$;
revoke execute on function private.trigger_mirror_xp_profiles() from public;
comment on function private.trigger_mirror_xp_profiles() is
  'xp_profiles: copies a changed streak or opt-out into private.leaderboard_entries (XP and achievements come '
  'from the answer path and organization_xp). A row trigger on those columns only, so XP awards never fire it.';

create function private.trigger_mirror_inserted_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    current_streak = added.current_streak, streak_last_day = added.streak_last_day,
    leaderboard_opt_out = added.leaderboard_opt_out
  from added_profiles added
  where e.user_id = added.user_id;
  return null;
end
$$;
revoke execute on function private.trigger_mirror_inserted_xp_profiles() from public;
comment on function private.trigger_mirror_inserted_xp_profiles() is
  'xp_profiles: an XP profile inserted under existing leaderboard entries (a snapshot restore) is mirrored into '
  'them (streaks, opt-out), once per statement.';

-- ======================================================================
-- triggers
-- ======================================================================

create trigger leaderboard_entries_count_xp after insert or delete on private.leaderboard_entries
  for each row execute function private.trigger_count_leaderboard_xp();

create trigger organization_members_mirror_leaderboard after insert or update of role, organization_id or delete
  on public.organization_members
  for each row execute function private.trigger_mirror_membership();

create trigger xp_profiles_mirror_leaderboard
  after update of current_streak, streak_last_day, leaderboard_opt_out on public.xp_profiles
  for each row
  when ((old.current_streak, old.streak_last_day, old.leaderboard_opt_out)
        is distinct from (new.current_streak, new.streak_last_day, new.leaderboard_opt_out))
  execute function private.trigger_mirror_xp_profiles();

create trigger profiles_mirror_leaderboard
  after update of grade_level, time_zone, nickname, avatar_url on public.profiles
  for each row
  when ((old.grade_level, old.time_zone, old.nickname, old.avatar_url)
        is distinct from (new.grade_level, new.time_zone, new.nickname, new.avatar_url))
  execute function private.trigger_mirror_profile();

create trigger xp_profiles_mirror_leaderboard_on_insert after insert on public.xp_profiles
  referencing new table as added_profiles
  for each statement execute function private.trigger_mirror_inserted_xp_profiles();
