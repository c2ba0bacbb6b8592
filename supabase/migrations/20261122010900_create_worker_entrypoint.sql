-- create worker entrypoint
--
-- private.run_worker_job(job): what pg_cron runs (`learnkit worker schedule
-- --pg-cron`). The same SQL functions the Python workers call, under the same
-- advisory lock (so a cron run and a `learnkit worker run` never overlap), and
-- recorded in private.worker_runs. The work runs in a subtransaction: a failure
-- rolls it back and is recorded as a failed run instead of being lost.

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
  'close-league-weeks) under its advisory lock and records it in private.worker_runs (runner pg_cron).';
revoke execute on function private.run_worker_job(text) from public;
