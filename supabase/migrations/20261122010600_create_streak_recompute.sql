-- create streak recompute
--
-- The batch side of issue 4's streak rule (docs/gamification.md): the
-- recompute-streaks worker recomputes xp_profiles' daily and weekly streak
-- columns set-based (gaps and islands) for the learners whose activity days
-- changed since it last ran. Adds to issue 4's public.xp_activity_days two
-- statement-level triggers that queue those learners (one small insert per
-- statement); the worker takes the queue in its transaction, so each change is
-- recomputed once, and a killed run leaves the queue as it was.
--
-- The rule, as the online private.record_activity_day applies it: activity days
-- (is_activity_day, the learner's local days) and days covered by a consumed
-- freeze (streak_freezes.consumed_on) form runs of consecutive days; a freeze
-- keeps a run going without lengthening it; the current streak is the number of
-- activity days in the run holding the last activity day, the best streak the
-- largest such number. Weekly streaks are runs of consecutive Monday-weeks with
-- an activity day. Unlike the online path, which ignores a day at or before the
-- last one counted, the recompute also counts late (backfilled) activity days.

-- ---------------------------------------------------------------- queue
create table private.streak_recompute_queue (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  queued_at timestamptz not null default now()
);
alter table private.streak_recompute_queue enable row level security;
comment on table private.streak_recompute_queue is
  'Learners whose activity days changed since the last recompute-streaks run (deny-all: workers only).';
revoke all on table private.streak_recompute_queue from public, anon, authenticated, service_role;

create function private.trigger_queue_streak_recompute() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.streak_recompute_queue (user_id)
  select distinct user_id from changed_days where is_activity_day
  on conflict (user_id) do nothing;
  return null;
end
$$;
comment on function private.trigger_queue_streak_recompute() is
  'xp_activity_days: queues the learners of the statement''s activity days for recompute-streaks.';

create trigger xp_activity_days_queue_streak_recompute_on_insert after insert on public.xp_activity_days
  referencing new table as changed_days
  for each statement execute function private.trigger_queue_streak_recompute();
create trigger xp_activity_days_queue_streak_recompute_on_update after update on public.xp_activity_days
  referencing new table as changed_days
  for each statement execute function private.trigger_queue_streak_recompute();

-- ---------------------------------------------------------------- recompute
create function private.recompute_streaks() returns bigint
language plpgsql
set search_path = ''
as $$
declare
  changed bigint;
begin
  drop table if exists pg_temp.streak_learners;
  create temporary table streak_learners on commit drop as
    with taken as (delete from private.streak_recompute_queue returning user_id) select user_id from taken;
  alter table streak_learners add primary key (user_id);
  analyze streak_learners;

  with marks as (
    select d.user_id, d.local_day as day, true as active
    from public.xp_activity_days d join streak_learners l on l.user_id = d.user_id
    where d.is_activity_day
    union all
    select f.user_id, f.consumed_on, false
    from public.streak_freezes f join streak_learners l on l.user_id = f.user_id
    where f.consumed_on is not null and not exists (
      select from public.xp_activity_days d
      where d.user_id = f.user_id and d.local_day = f.consumed_on and d.is_activity_day)
  ), runs as (
    select user_id, day, active, day - (row_number() over (partition by user_id order by day))::integer as run
    from (select distinct on (user_id, day) * from marks order by user_id, day, active desc) as days
  ), run_lengths as (
    select user_id, run, count(*) filter (where active) as length,
           min(day) filter (where active) as first_day, max(day) filter (where active) as last_day
    from runs group by user_id, run
  ), daily as (
    select user_id, max(length)::integer as best,
           (array_agg(length order by last_day desc nulls last))[1]::integer as current,
           (array_agg(first_day order by last_day desc nulls last))[1] as started_on,
           max(last_day) as last_day
    from run_lengths group by user_id
  ), weeks as (
    select distinct d.user_id, d.local_day - (extract(isodow from d.local_day)::integer - 1) as week
    from public.xp_activity_days d join streak_learners l on l.user_id = d.user_id
    where d.is_activity_day
  ), week_runs as (
    select user_id, count(*) as length, max(week) as last_week
    from (select user_id, week, week - 7 * (row_number() over (partition by user_id order by week))::integer as run
          from weeks) as numbered
    group by user_id, run
  ), weekly as (
    select user_id, max(length)::integer as best, (array_agg(length order by last_week desc))[1]::integer as current,
           max(last_week) as last_week
    from week_runs group by user_id
  ), held as (
    select f.user_id, count(*)::smallint as freezes
    from public.streak_freezes f join streak_learners l on l.user_id = f.user_id
    where f.consumed_on is null group by f.user_id
  ), recomputed as (
    select l.user_id, coalesce(d.current, 0) as current_streak, coalesce(d.best, 0) as best_streak,
           d.started_on, d.last_day, coalesce(w.current, 0) as current_weekly, coalesce(w.best, 0) as best_weekly,
           w.last_week, coalesce(h.freezes, 0::smallint) as freezes
    from streak_learners l
    left join daily d on d.user_id = l.user_id
    left join weekly w on w.user_id = l.user_id
    left join held h on h.user_id = l.user_id
  )
  update public.xp_profiles p set
    current_streak = r.current_streak, best_streak = r.best_streak, streak_started_on = r.started_on,
    streak_last_day = r.last_day, current_weekly_streak = r.current_weekly, best_weekly_streak = r.best_weekly,
    weekly_streak_last_week = r.last_week, streak_freezes = r.freezes
  from recomputed r
  where p.user_id = r.user_id
    and (p.current_streak, p.best_streak, p.streak_started_on, p.streak_last_day, p.current_weekly_streak,
         p.best_weekly_streak, p.weekly_streak_last_week, p.streak_freezes)
        is distinct from (r.current_streak, r.best_streak, r.started_on, r.last_day, r.current_weekly,
                          r.best_weekly, r.last_week, r.freezes);
  get diagnostics changed = row_count;
  return changed;
end
$$;
comment on function private.recompute_streaks() is
  'Takes the queued learners and recomputes their xp_profiles streak columns set-based (see the migration '
  'header); returns how many profiles changed. Runs in the caller''s transaction.';
revoke execute on function private.recompute_streaks() from public;
