-- SQL of cli/demo_ingestion.py: learning-event ingestion and the Storage purge, shown in `learnkit demo`.

-- name: create_learner
-- A sign-up as Supabase Auth makes it (the trigger creates the profile and settings).
insert into auth.users (id, email, raw_user_meta_data)
values (%(id)s, %(email)s, jsonb_build_object('nickname', %(nickname)s::text, 'time_zone', 'UTC'));

-- name: record
-- What PostgREST runs for POST /rpc/record_learning_events, as the learner.
select recorded, duplicates from public.record_learning_events(%(events)s::jsonb);

-- name: stored_events
select e.event_type, e.mode, e.is_correct, e.tableoid::regclass::text as partition_name
from public.learning_events e
where e.user_id = %(user_id)s
order by e.occurred_at, e.id;

-- name: recordings_bucket
insert into storage.buckets (id, name) values ('recordings', 'recordings') on conflict do nothing;

-- name: upload_object
-- A recording the learner uploaded (Storage keeps its owner).
insert into storage.objects (bucket_id, name, owner) values ('recordings', %(name)s, %(owner)s);

-- name: delete_account
delete from auth.users where id = %(id)s;

-- name: purge_queue
select bucket_id, object_name from private.storage_purge_queue order by queued_at, bucket_id, object_name;

-- name: object_exists
select exists (select from storage.objects where bucket_id = 'recordings' and name = %(name)s) as present;
