-- Workers: the run log of scheduled jobs, the streak recompute queue, league week closing and the SQL entry
-- point a scheduler (pg_cron) calls, private.run_worker_job. docs/workers.md describes each job.

-- ======================================================================
-- tables
-- ======================================================================

create table private.worker_runs (
  id bigint generated always as identity primary key,
  job text not null check (job ~ '^[a-z][a-z0-9-]{1,62}$'),
  status text not null default 'running'
    check (status in ('running', 'succeeded', 'failed', 'skipped', 'abandoned')),
  clock timestamptz not null,
  started_at timestamptz not null default clock_timestamp(),
  finished_at timestamptz,
  rows_affected bigint check (rows_affected >= 0),
  error text,
  runner text not null default 'cli' check (runner in ('cli', 'pg_cron')),
  backend_pid integer not null default pg_backend_pid(),
  check ((status = 'running') = (finished_at is null))
);
alter table private.worker_runs enable row level security;
comment on table private.worker_runs is
  'One row per run of a scheduled job. status running = in progress, or killed if no instance holds the '
  'job''s advisory lock (the next run marks it abandoned); skipped = another instance held the lock.';
comment on column private.worker_runs.clock is 'The `now` the job ran for (--now, or the transaction time).';
comment on column private.worker_runs.rows_affected is 'Rows the job inserted, updated or created.';
revoke all on table private.worker_runs from public, anon, authenticated, service_role;
create index worker_runs_job_started_at_idx on private.worker_runs (job, started_at desc);

create table private.streak_recompute_queue (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  queued_at timestamptz not null default now()
);
alter table private.streak_recompute_queue enable row level security;
comment on table private.streak_recompute_queue is
  'Learners whose activity days changed since the last recompute-streaks run (deny-all: workers only).';
revoke all on table private.streak_recompute_queue from public, anon, authenticated, service_role;

-- ======================================================================
-- functions
-- ======================================================================

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

create function private.recompute_streaks() returns bigint
language plpgsql
set search_path = ''
set work_mem = '64MB'
set jit = off
as $$
declare
  changed bigint;
begin
  drop table if exists pg_temp.streak_learners;
  create temporary table streak_learners on commit drop as
    with taken as (delete from private.streak_recompute_queue returning user_id) select user_id from taken;
  -- plpgsql_check (`supabase db lint`) cannot see a table the function creates at run time: this pragma declares it.
  -- A plain string, so a no-op on databases without the extension.
  perform 'PRAGMA:TABLE: streak_learners (user_id uuid)';
  alter table streak_learners add primary key (user_id);
  analyze streak_learners;

  with activity as (
    -- One range per run of consecutive activity days.
    select d.user_id, range_agg(daterange(d.local_day, d.local_day + 1)) as active_days
    from streak_learners l
    join public.xp_activity_days d on d.user_id = l.user_id
    where d.is_activity_day
    group by d.user_id
  ), frozen as (
    -- Days a consumed freeze covered and that have no activity: they bridge runs but do not count.
    select user_id, array_agg(day order by day) as frozen_days, range_agg(daterange(day, day + 1)) as frozen_ranges
    from (
      select distinct f.user_id, f.consumed_on as day
      from streak_learners l
      join public.streak_freezes f on f.user_id = l.user_id
      where f.consumed_on is not null
        and not exists (select from public.xp_activity_days d
                        where d.user_id = f.user_id and d.local_day = f.consumed_on and d.is_activity_day)
    ) as consumed
    group by user_id
  ), learner_runs as (
    select a.user_id, a.active_days, z.frozen_days, upper(a.active_days) - 1 as last_day,
           coalesce(a.active_days + z.frozen_ranges, a.active_days) as runs
    from activity a
    left join frozen z on z.user_id = a.user_id
  ), per_learner as (
    select r.user_id, r.active_days, r.frozen_days, r.last_day, daily.best_streak, daily.current_from,
           weekly.best_weekly, weekly.current_weekly, weekly.last_week
    from learner_runs r
    cross join lateral (
      -- Over the learner's runs: a run's streak is its days minus the frozen ones (width_bucket counts the
      -- frozen days up to a day); the weekly runs are the activity runs widened to the Monday-weeks they
      -- touch, merged (Monday of x: x - ((x - 2000-01-03) mod 7), 2000-01-03 being a Monday).
      select max(upper(run) - lower(run)
                 - coalesce(width_bucket(upper(run) - 1, r.frozen_days) - width_bucket(lower(run) - 1, r.frozen_days), 0)
                ) as best_streak,
             max(lower(run)) filter (where lower(run) <= r.last_day) as current_from,
             range_agg(daterange(lower(active_run) - ((lower(active_run) - date '2000-01-03') % 7 + 7) % 7,
                                 upper(active_run) - 1 - ((upper(active_run) - 1 - date '2000-01-03') % 7 + 7) % 7 + 7)
                      ) filter (where active_run is not null) as weeks
      from unnest(r.runs, r.active_days) as t(run, active_run)  -- side by side; the shorter list pads with nulls
    ) as daily
    cross join lateral (
      select max(upper(week_run) - lower(week_run)) / 7 as best_weekly,
             (upper(daily.weeks) - max(lower(week_run))) / 7 as current_weekly,
             upper(daily.weeks) - 7 as last_week
      from unnest(daily.weeks) as week_run
    ) as weekly
  ), held as (
    select f.user_id, count(*)::smallint as freezes
    from public.streak_freezes f
    join streak_learners l on l.user_id = f.user_id
    where f.consumed_on is null
    group by f.user_id
  ), recomputed as (
    select l.user_id,
           coalesce(s.last_day + 1 - s.current_from
                    - coalesce(width_bucket(s.last_day, s.frozen_days) - width_bucket(s.current_from - 1, s.frozen_days), 0),
                    0) as current_streak,
           coalesce(s.best_streak, 0) as best_streak,
           -- The current run's first activity day (a run only starts on a frozen day if activity was removed).
           case when s.frozen_days is null or s.current_from <> all(s.frozen_days) then s.current_from
                else lower(s.active_days * datemultirange(daterange(s.current_from, null))) end as started_on,
           s.last_day, coalesce(s.current_weekly, 0) as current_weekly, coalesce(s.best_weekly, 0) as best_weekly,
           s.last_week, coalesce(h.freezes, 0::smallint) as freezes
    from streak_learners l
    left join per_learner s on s.user_id = l.user_id
    left join held h on h.user_id = l.user_id
  )
  update public.xp_profiles p set
    current_streak = r.current_streak, best_streak = r.best_streak, streak_started_on = r.started_on,
    streak_last_day = r.last_day, current_weekly_streak = r.current_weekly, best_weekly_streak = r.best_weekly,
    weekly_streak_last_week = r.last_week, streak_freezes = r.freezes, updated_at = now()
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
revoke execute on function private.recompute_streaks() from public;
comment on function private.recompute_streaks() is
  'Takes the queued learners and recomputes their xp_profiles streak columns set-based (range_agg gaps and '
  'islands, see migrations 20261122010600, 20261122080100 and 20261122150000); returns how many profiles changed. '
  'Runs in the caller''s transaction.';
revoke execute on function private.recompute_streaks() from public;

create function private.close_due_league_weeks(clock timestamptz) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  due record;
  closed bigint := 0;
begin
  for due in
    select distinct g.organization_id, g.week_start
    from public.league_groups g
    where g.closed_at is null
      and ((g.week_start + 7)::timestamp at time zone 'UTC') + interval '14 hours' <= clock
    order by g.week_start, g.organization_id
  loop
    perform private.close_league_week_v1(due.organization_id, due.week_start);
    closed := closed + 1;
  end loop;
  return closed;
end
$$;
comment on function private.close_due_league_weeks(timestamptz) is
  'Closes every open league week that ended everywhere before `clock` (close_league_week_v1 per organization '
  'and week); returns how many organization-weeks it closed.';
revoke execute on function private.close_due_league_weeks(timestamptz) from public;

create function private.run_worker_job(job text) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  clock timestamptz := now();
  written bigint := 0;
  started timestamptz := clock_timestamp();
  failure text;
begin
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('learnkit.workers'), pg_catalog.hashtext(job)) then
    insert into private.worker_runs (job, clock, status, finished_at, error, runner)
    values (job, clock, 'skipped', clock_timestamp(), 'another instance holds the job''s lock', 'pg_cron');
    return 0;
  end if;
  begin
    case job
      when 'maintain-partitions' then
        written := private.create_monthly_partitions('public.analytics_events',
                     ((clock at time zone 'UTC') - interval '1 month')::date, 5)
                 + private.create_monthly_partitions('public.learning_events',
                     ((clock at time zone 'UTC') - interval '1 month')::date, 5);
      when 'refresh-rollups' then
        written := analytics.refresh_rollups(false);
      when 'recompute-streaks' then
        written := private.recompute_streaks();
      when 'close-league-weeks' then
        written := private.close_due_league_weeks(clock);
      when 'process-awards' then
        -- At most 50,000 rows a run: a backlog goes in bounded transactions.
        written := private.drain_awards(50000);
      else
        raise exception using errcode = '22023', message = format('unknown worker job %L', job);
    end case;
  exception when others then
    failure := format('%s (SQLSTATE %s)', sqlerrm, sqlstate);
  end;
  insert into private.worker_runs (job, clock, status, started_at, finished_at, rows_affected, error, runner)
  values (job, clock, case when failure is null then 'succeeded' else 'failed' end, started, clock_timestamp(),
          case when failure is null then written end, failure, 'pg_cron');
  return written;
end
$$;
comment on function private.run_worker_job(text) is
  'pg_cron''s entry: runs a learnkit worker job (maintain-partitions, refresh-rollups, recompute-streaks, '
  'close-league-weeks, process-awards) under its advisory lock and records it in private.worker_runs (runner pg_cron).';
revoke execute on function private.run_worker_job(text) from public;

-- ======================================================================
-- triggers
-- ======================================================================

create trigger xp_activity_days_queue_streak_recompute_on_insert after insert on public.xp_activity_days
  referencing new table as changed_days
  for each statement execute function private.trigger_queue_streak_recompute();

create trigger xp_activity_days_queue_streak_recompute_on_update after update on public.xp_activity_days
  referencing new table as changed_days
  for each statement execute function private.trigger_queue_streak_recompute();
