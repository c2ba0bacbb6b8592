-- create lifecycle entrypoint
--
-- private.run_lifecycle_job(job): what pg_cron runs for the lifecycle jobs
-- that live entirely in the database (strip-session-details,
-- expire-chat-sessions, send-reengagement-nudges). Same advisory lock as the
-- Python runner and private.run_worker_job (so a cron run and a `learnkit
-- worker run` never overlap), recorded in private.worker_runs; the work runs in
-- a subtransaction, so a failure is rolled back and recorded as a failed run.
-- The jobs that write files (archives, snapshots, PDFs) need the Python
-- runner: schedule them with `learnkit worker schedule --crontab`.

create function private.run_lifecycle_job(job text) returns bigint
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
      when 'strip-session-details' then written := private.strip_session_details(clock);
      when 'expire-chat-sessions' then written := private.expire_chat_sessions(clock);
      when 'send-reengagement-nudges' then written := private.send_reengagement_nudges(clock);
      else
        raise exception using errcode = '22023', message = format('unknown lifecycle job %L', job);
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
comment on function private.run_lifecycle_job(text) is
  'pg_cron''s entry for the in-database lifecycle jobs (strip-session-details, expire-chat-sessions, '
  'send-reengagement-nudges): runs one under its advisory lock and records it in private.worker_runs.';
revoke execute on function private.run_lifecycle_job(text) from public;
