-- create worker runs
--
-- private.worker_runs records every run of a scheduled job (workers/, `learnkit
-- worker run`, pg_cron): job, clock, start, finish, status, rows and error.
-- It lives in `private`, which the Data API does not expose; RLS is on with no
-- policy (deny-all): only the workers' owner role reads and writes it.

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
create index worker_runs_job_started_at_idx on private.worker_runs (job, started_at desc);

alter table private.worker_runs enable row level security;
comment on table private.worker_runs is
  'One row per run of a scheduled job. status running = in progress, or killed if no instance holds the '
  'job''s advisory lock (the next run marks it abandoned); skipped = another instance held the lock.';
comment on column private.worker_runs.clock is 'The `now` the job ran for (--now, or the transaction time).';
comment on column private.worker_runs.rows_affected is 'Rows the job inserted, updated or created.';

revoke all on table private.worker_runs from public, anon, authenticated, service_role;
