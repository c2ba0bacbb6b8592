-- stamp streak recompute updates
--
-- recompute-streaks rewrites up to every learner's streak columns in one
-- statement, and xp_profiles' before-update trigger stamped updated_at with one
-- plpgsql call per row: about a tenth of the job at 100k learners
-- (bench/streaks.py). The recompute now stamps updated_at = now() in its own
-- update, and the trigger only runs when an update leaves updated_at as it
-- was, which is every other update (the award path's, a learner's opt-out:
-- authenticated may update no other column). The function body is that of
-- migration 20261122080100 with the one column added.

drop trigger xp_profiles_set_updated_at on public.xp_profiles;
create trigger xp_profiles_set_updated_at before update on public.xp_profiles
  for each row when (new.updated_at is not distinct from old.updated_at)
  execute function private.trigger_set_updated_at();

create or replace function private.recompute_streaks() returns bigint
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
comment on function private.recompute_streaks() is
  'Takes the queued learners and recomputes their xp_profiles streak columns set-based (range_agg gaps and '
  'islands, see migrations 20261122010600, 20261122080100 and 20261122150000); returns how many profiles changed. '
  'Runs in the caller''s transaction.';
revoke execute on function private.recompute_streaks() from public;
