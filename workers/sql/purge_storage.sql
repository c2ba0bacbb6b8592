-- SQL of workers.purge_storage: the Storage objects queued for deletion (private.storage_purge_queue).

-- name: has_storage_api
-- Supabase's Storage service keeps its schema version in storage.migrations; learnkit's local emulation of
-- the storage schema (cli/sql/emulation.sql) has only buckets and objects, and no service in front of them.
select pg_catalog.to_regclass('storage.migrations') is not null as has_storage_api;

-- name: queued
-- The next batch, oldest first; `skip locked` lets two purges (pg_cron and a hand run) never fight over a row.
select bucket_id, object_name
from private.storage_purge_queue
order by queued_at, bucket_id, object_name
limit %(batch_size)s
for update skip locked;

-- name: count_queued
select count(*) as queued from private.storage_purge_queue;

-- name: purge_local
-- The local emulation: the object rows are the objects. Deleted with their queue rows in one statement.
with purged as (
  delete from private.storage_purge_queue q
  where (q.bucket_id, q.object_name) in (
    select bucket_id, object_name from private.storage_purge_queue
    order by queued_at, bucket_id, object_name
    limit %(batch_size)s
    for update skip locked)
  returning q.bucket_id, q.object_name
),
objects as (
  delete from storage.objects o using purged p
  where o.bucket_id = p.bucket_id and o.name = p.object_name
  returning 1
)
select (select count(*) from purged) as purged, (select count(*) from objects) as objects;

-- name: dequeue
-- Only objects whose deletion the Storage API confirmed (deleted now, or already gone).
delete from private.storage_purge_queue q
using unnest(%(buckets)s::text[], %(names)s::text[]) as gone (bucket_id, object_name)
where q.bucket_id = gone.bucket_id and q.object_name = gone.object_name;
