-- add account deletion cleanup
--
-- Deleting an auth user cascades through profiles to every personal table.
-- Storage objects are not rows learnkit owns: their `owner` is cleared and the
-- object queued in private.storage_purge_queue for a worker to delete through
-- the Storage API (deleting storage.objects rows directly would orphan the files).

create table private.storage_purge_queue (
  bucket_id text not null,
  object_name text not null,
  queued_at timestamptz not null default now(),
  primary key (bucket_id, object_name)
);
comment on table private.storage_purge_queue is
  'Storage objects of deleted users, to be removed through the Storage API by a worker.';
grant all on table private.storage_purge_queue to service_role;

create function private.trigger_release_storage_objects() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.storage_purge_queue (bucket_id, object_name)
  select bucket_id, name from storage.objects where owner = old.id
  on conflict do nothing;
  update storage.objects set owner = null where owner = old.id;
  return old;
end
$$;
comment on function private.trigger_release_storage_objects() is
  'On account deletion: queues the user''s Storage objects for purge and clears their owner.';

create trigger profiles_release_storage_objects after delete on public.profiles
  for each row execute function private.trigger_release_storage_objects();
