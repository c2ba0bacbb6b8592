-- SQL for migration history, as the Supabase CLI reads and writes it
-- (pkg/migration/history.go), so either tool sees the other's work.

-- name: create_history_table
set lock_timeout = '4s';
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;

-- name: create_seed_table
set lock_timeout = '4s';
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);

-- name: history_exists
select to_regclass('supabase_migrations.schema_migrations') is not null as exists;

-- name: seed_table_exists
select to_regclass('supabase_migrations.seed_files') is not null as exists;

-- name: list_history
select version, coalesce(name, '') as name, statements
from supabase_migrations.schema_migrations
order by version;

-- name: insert_history
insert into supabase_migrations.schema_migrations (version, name, statements)
values (%(version)s, %(name)s, %(statements)s);

-- name: list_seeds
select path, hash from supabase_migrations.seed_files;

-- name: upsert_seed
insert into supabase_migrations.seed_files (path, hash)
values (%(path)s, %(hash)s)
on conflict (path) do update set hash = excluded.hash;

-- name: lock_push
select pg_advisory_lock(%(key)s);

-- name: unlock_push
select pg_advisory_unlock(%(key)s);

-- name: try_lock_push
select pg_try_advisory_lock(%(key)s) as locked;
