-- SQL of workers.snapshots: the nightly gamification snapshot and its restore.
-- Table names are fixed in workers/snapshots.py and passed as identifiers or regclass.

-- name: count_rows
select count(*) as row_count from {table};

-- name: snapshot_lines
-- One JSON line per row, the row as PostgreSQL's own JSON (exact numbers, ISO times with offsets).
select jsonb_build_object('table', %(table_name)s::text, 'row', to_jsonb(t))::text as line
from {table} t
order by {order_by};

-- name: record_snapshot
insert into private.archived_objects (dataset, target, location, object_key, row_count, byte_size, sha256)
values ('gamification_snapshot', %(target)s, %(location)s, %(object_key)s, %(row_count)s, %(byte_size)s,
        %(sha256)s)
on conflict (target, location, object_key) do update
set row_count = excluded.row_count, byte_size = excluded.byte_size, sha256 = excluded.sha256,
    created_at = now();

-- name: writable_columns
-- The columns a restore writes: not generated ones (the database computes those again, identically).
select a.attname as column_name
from pg_catalog.pg_attribute a
where a.attrelid = %(table_name)s::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
order by a.attnum;

-- name: identity_columns
select a.attname as column_name
from pg_catalog.pg_attribute a
where a.attrelid = %(table_name)s::regclass and a.attnum > 0 and not a.attisdropped and a.attidentity <> '';

-- name: used_xp_profiles
-- xp_profiles rows exist for every profile (a trigger makes them); a used one holds XP or streak history.
select count(*) as used
from public.xp_profiles
where xp > 0 or lifetime_xp > 0 or best_streak > 0 or best_weekly_streak > 0 or streak_freezes > 0
   or last_award_at is not null;

-- name: missing_profiles
select id::text from unnest(%(ids)s::uuid[]) as wanted (id)
where not exists (select from public.profiles p where p.id = wanted.id)
order by 1;

-- name: missing_achievements
select id::text from unnest(%(ids)s::uuid[]) as wanted (id)
where not exists (select from public.achievements a where a.id = wanted.id)
order by 1;

-- name: delete_fresh_xp_profiles
delete from public.xp_profiles where user_id = any(%(ids)s::uuid[]);

-- name: insert_rows
insert into {table} ({columns}) overriding system value
select {columns}
from jsonb_populate_recordset(null::{table}, (
  select jsonb_agg((line::jsonb) -> 'row' order by position)
  from unnest(%(lines)s::text[]) with ordinality as snapshot_lines (line, position)));

-- name: reset_identity
select pg_catalog.setval(pg_catalog.pg_get_serial_sequence(%(table_name)s, %(column_name)s),
                         coalesce(max({column}), 1), max({column}) is not null) as value
from {table};

-- name: mirror_leaderboard_entries
-- The leaderboards count XP per organization (public.organization_xp, kept by the award path), which
-- inserting restored ledger rows does not maintain: rebuild it from the ledger, with the board entries, then
-- copy the streak columns the xp_profiles mirror trigger copies.
select private.rebuild_organization_xp(array(select p.user_id from public.xp_profiles p));
update private.leaderboard_entries l set current_streak = p.current_streak, streak_last_day = p.streak_last_day
from public.xp_profiles p
where p.user_id = l.user_id;
