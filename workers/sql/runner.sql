-- SQL of workers.runner: the per-job advisory lock and private.worker_runs.

-- name: session_settings
-- A killed runner's backend notices the closed socket within 2 s even while it
-- waits on a lock, so its transaction rolls back and its lock is released promptly.
select pg_catalog.set_config('client_connection_check_interval', '2s', false)
where pg_catalog.current_setting('server_version_num')::integer >= 140000;

-- name: try_lock
-- Two-key advisory lock: (learnkit workers, job). Session level, so it is held
-- across the run's several transactions and released when the connection ends.
select pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('learnkit.workers'), pg_catalog.hashtext(%(job)s))
  as locked;

-- name: unlock
select pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('learnkit.workers'), pg_catalog.hashtext(%(job)s))
  as unlocked;

-- name: lock_holder
select l.pid
from pg_catalog.pg_locks l
where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_catalog.pg_database
                                                               where datname = current_database())
  and l.classid = pg_catalog.hashtext('learnkit.workers')::oid
  and l.objid = pg_catalog.hashtext(%(job)s)::oid
  and l.objsubid = 2;

-- name: database_now
select now() as now;

-- name: abandon_stale_runs
-- Called while holding the job's lock: any run still marked running was killed.
update private.worker_runs
set status = 'abandoned', finished_at = clock_timestamp(),
    error = 'the runner died before finishing; its transaction was rolled back'
where job = %(job)s and status = 'running';

-- name: start_run
insert into private.worker_runs (job, clock) values (%(job)s, %(clock)s) returning id;

-- name: finish_run
update private.worker_runs
set status = %(status)s, finished_at = clock_timestamp(), rows_affected = %(rows)s, error = %(error)s
where id = %(run_id)s;

-- name: record_skipped_run
insert into private.worker_runs (job, clock, status, finished_at, error)
values (%(job)s, %(clock)s, 'skipped', clock_timestamp(), %(error)s)
returning id;

-- name: last_runs
select distinct on (job) job, status, started_at, finished_at, rows_affected, error
from private.worker_runs
order by job, started_at desc;
