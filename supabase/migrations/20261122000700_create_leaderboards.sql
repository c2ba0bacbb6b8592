-- create leaderboards
--
-- Live leaderboards, no cache: an award shows in the very next query. The
-- students of each organization are mirrored (by triggers) into
-- private.leaderboard_entries with the scores boards rank by; the all-time XP
-- board also keeps private.leaderboard_xp_counts, a four-level count tree of
-- lifetime XP (exact scores, then buckets of 64, 4096 and 262144), so "my rank"
-- sums at most ~200 counters instead of counting everyone above (O(log n) like
-- a Redis sorted set). Boards: metric xp / level / streak / achievements; period
-- all_time / week / today (the viewer's local week and day; xp only); scope
-- organization / grade / course. Students see only their organization's boards,
-- by nickname and avatar; those who opted out appear as "Anonymous learner".

-- ---------------------------------------------------------------- entries
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
  primary key (user_id, organization_id)
);
create index leaderboard_entries_xp_idx on private.leaderboard_entries (organization_id, lifetime_xp desc, user_id);

alter table private.leaderboard_entries enable row level security;
comment on table private.leaderboard_entries is
  'The students of each organization with their scores, mirrored by triggers from xp_profiles, profiles and '
  'organization_members. Internal (not exposed; no policies): boards are read through the leaderboard functions.';

create table private.leaderboard_xp_counts (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  level smallint not null check (level between 0 and 3),
  bucket bigint not null,
  members integer not null,
  primary key (organization_id, level, bucket)
);

alter table private.leaderboard_xp_counts enable row level security;
comment on table private.leaderboard_xp_counts is
  'How many students of an organization have lifetime XP in each bucket (level l: lifetime_xp >> 6·l).';

-- Counters change in key order, so concurrent awards never deadlock on them.
create function private.trigger_count_leaderboard_xp() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into private.leaderboard_xp_counts as counts (organization_id, level, bucket, members)
  select change.organization_id, change.level, change.bucket, sum(change.members)
  from (
    select old.organization_id, l::smallint as level, old.lifetime_xp >> (6 * l) as bucket, -1 as members
    from generate_series(0, 3) l where tg_op <> 'INSERT'
    union all
    select new.organization_id, l::smallint, new.lifetime_xp >> (6 * l), 1
    from generate_series(0, 3) l where tg_op <> 'DELETE'
  ) change
  group by change.organization_id, change.level, change.bucket
  having sum(change.members) <> 0
  order by change.organization_id, change.level, change.bucket
  on conflict (organization_id, level, bucket) do update set members = counts.members + excluded.members;
  return null;
end
$$;
create trigger leaderboard_entries_count_xp after insert or delete on private.leaderboard_entries
  for each row execute function private.trigger_count_leaderboard_xp();
create trigger leaderboard_entries_recount_xp after update of lifetime_xp on private.leaderboard_entries
  for each row when (old.lifetime_xp <> new.lifetime_xp) execute function private.trigger_count_leaderboard_xp();

-- ---------------------------------------------------------------- mirroring
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
      today_xp, week_start, week_xp, current_streak, streak_last_day, achievements_unlocked)
    select p.id, new.organization_id, p.grade_level, p.time_zone, s.lifetime_xp, s.today, s.today_xp,
           s.week_start, s.week_xp, s.current_streak, s.streak_last_day, s.achievements_unlocked
    from public.profiles p join public.xp_profiles s on s.user_id = p.id
    where p.id = new.user_id
    on conflict do nothing;
  end if;
  return null;
end
$$;
create trigger organization_members_mirror_leaderboard after insert or update of role, organization_id or delete
  on public.organization_members
  for each row execute function private.trigger_mirror_membership();

create function private.trigger_mirror_xp_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries set
    lifetime_xp = new.lifetime_xp, today = new.today, today_xp = new.today_xp, week_start = new.week_start,
    week_xp = new.week_xp, current_streak = new.current_streak, streak_last_day = new.streak_last_day,
    achievements_unlocked = new.achievements_unlocked
  where user_id = new.user_id;
  return null;
end
$$;
create trigger xp_profiles_mirror_leaderboard after update on public.xp_profiles
  for each row
  when ((old.lifetime_xp, old.today, old.today_xp, old.week_start, old.week_xp, old.current_streak,
         old.streak_last_day, old.achievements_unlocked)
        is distinct from
        (new.lifetime_xp, new.today, new.today_xp, new.week_start, new.week_xp, new.current_streak,
         new.streak_last_day, new.achievements_unlocked))
  execute function private.trigger_mirror_xp_profile();

create function private.trigger_mirror_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries set grade_level = new.grade_level, time_zone = new.time_zone
  where user_id = new.id;
  return null;
end
$$;
create trigger profiles_mirror_leaderboard after update of grade_level, time_zone on public.profiles
  for each row
  when ((old.grade_level, old.time_zone) is distinct from (new.grade_level, new.time_zone))
  execute function private.trigger_mirror_profile();

insert into private.leaderboard_entries (user_id, organization_id, grade_level, time_zone, lifetime_xp, today,
  today_xp, week_start, week_xp, current_streak, streak_last_day, achievements_unlocked)
select p.id, m.organization_id, p.grade_level, p.time_zone, s.lifetime_xp, s.today, s.today_xp, s.week_start,
       s.week_xp, s.current_streak, s.streak_last_day, s.achievements_unlocked
from public.organization_members as m
join public.profiles as p on p.id = m.user_id
join public.xp_profiles as s on s.user_id = p.id
where m.role = 'student'
on conflict do nothing;

-- ---------------------------------------------------------------- ranking
-- 1 + how many students of the organization have more lifetime XP than score.
create function private.xp_rank(org uuid, score bigint) returns bigint
language sql stable
set search_path = ''
as $$
  select 1
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 3 and bucket > score >> 18), 0)
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 2
                  and bucket > score >> 12 and bucket < ((score >> 18) + 1) << 6), 0)
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 1
                  and bucket > score >> 6 and bucket < ((score >> 12) + 1) << 6), 0)
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 0
                  and bucket > score and bucket < ((score >> 6) + 1) << 6), 0)
$$;
comment on function private.xp_rank(uuid, bigint) is
  'Competition rank of a lifetime XP score on an organization''s all-time XP board, from the count tree.';

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

-- Everyone on one board with their score: the general (scan) path.
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

-- Names as the board shows them: nickname and avatar, or anonymous.
create function private.leaderboard_names(ranked jsonb)
returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language sql stable
security definer
set search_path = ''
as $$
  select (r ->> 'rank')::bigint,
         case when x.leaderboard_opt_out and p.id <> (select auth.uid()) then 'Anonymous learner' else p.nickname end,
         case when x.leaderboard_opt_out and p.id <> (select auth.uid()) then null else p.avatar_url end,
         (r ->> 'score')::bigint,
         p.id = (select auth.uid())
  from jsonb_array_elements(ranked) with ordinality as rows (r, position)
  join public.profiles p on p.id = (r ->> 'user_id')::uuid
  join public.xp_profiles x on x.user_id = p.id
  order by position
$$;

create function private.leaderboard_top(
  org uuid, metric text, period text, scope text, scope_id text, top_n integer
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  ranked jsonb;
begin
  perform private.check_leaderboard_request(org, metric, period, scope, top_n, 100);
  if metric in ('xp', 'level') and period = 'all_time' and scope = 'organization' then
    select jsonb_agg(jsonb_build_object('user_id', t.user_id, 'score', t.score, 'rank', t.rank) order by t.position)
    into ranked
    from (
      select e.user_id, e.score, rank() over (order by e.score desc) as rank,
             row_number() over (order by e.lifetime_xp desc, e.user_id) as position
      from (select e.user_id, e.lifetime_xp,
                   case when metric = 'level' then public.level_for_xp(e.lifetime_xp) else e.lifetime_xp end as score
            from private.leaderboard_entries e
            where e.organization_id = org order by e.lifetime_xp desc, e.user_id limit top_n) e
    ) t;
  else
    select jsonb_agg(jsonb_build_object('user_id', t.user_id, 'score', t.score, 'rank', t.rank) order by t.position)
    into ranked
    from (
      select s.user_id, s.score, rank() over (order by s.score desc) as rank,
             row_number() over (order by s.score desc, s.user_id) as position
      from private.leaderboard_scores(org, metric, period, scope, scope_id) s
      order by s.score desc, s.user_id
      limit top_n
    ) t;
  end if;
  return query select * from private.leaderboard_names(coalesce(ranked, '[]'));
end
$$;
comment on function private.leaderboard_top(uuid, text, text, text, text, integer) is
  'The top N (≤ 100) of a board, live. Competition ranks (ties share a rank).';

create function private.leaderboard_around_me(
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
      select c.bucket as score, c.members from private.leaderboard_xp_counts c
      where c.organization_id = org and c.level = 0
        and c.bucket in (select score from above union select my_score)
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
comment on function private.leaderboard_around_me(uuid, text, text, text, text, integer) is
  'The signed-in student''s row on a board with k (≤ 25) neighbours above and below, live; empty if not on it.';

create function public.get_leaderboard(
  organization_id uuid, metric text default 'xp', period text default 'all_time', scope text default 'organization',
  scope_id text default null, top_n integer default 10
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.leaderboard_top(organization_id, metric, period, scope, scope_id, top_n)
$$;
comment on function public.get_leaderboard(uuid, text, text, text, text, integer) is
  'Top N of one of your organization''s boards: metric xp|level|streak|achievements, period all_time|week|today '
  '(xp only), scope organization|grade|course (scope_id: grade level or course id). 42501 outside your '
  'organizations, 22023 for a bad argument.';

create function public.get_leaderboard_around_me(
  organization_id uuid, metric text default 'xp', period text default 'all_time', scope text default 'organization',
  scope_id text default null, neighbours integer default 5
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.leaderboard_around_me(organization_id, metric, period, scope, scope_id, neighbours)
$$;
comment on function public.get_leaderboard_around_me(uuid, text, text, text, text, integer) is
  'Your rank on a board with k neighbours above and below (same arguments as get_leaderboard).';

revoke execute on all functions in schema private from public;
grant execute on function
  private.leaderboard_top(uuid, text, text, text, text, integer),
  private.leaderboard_around_me(uuid, text, text, text, text, integer)
  to authenticated, service_role;
grant execute on function
  public.get_leaderboard(uuid, text, text, text, text, integer),
  public.get_leaderboard_around_me(uuid, text, text, text, text, integer)
  to authenticated, service_role;
