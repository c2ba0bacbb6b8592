-- SQL of workers.schedule: pg_cron entries.

-- name: pg_cron_status
select
  pg_catalog.to_regprocedure('cron.schedule(text,text,text)') is not null as has_cron_schedule,
  exists (select from pg_catalog.pg_available_extensions where name = 'pg_cron') as pg_cron_available,
  pg_catalog.to_regprocedure('private.run_worker_job(text)') is not null as has_worker_entry;

-- name: schedule_job
-- pg_cron >= 1.3: scheduling an existing job name updates it in place, so this is idempotent.
select cron.schedule(%(job_name)s, %(schedule)s, %(command)s) as cron_job_id;
