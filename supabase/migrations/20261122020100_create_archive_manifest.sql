-- create archive manifest
--
-- private.archived_objects: every file the lifecycle jobs wrote to cold
-- storage (a local directory or a Storage bucket), with its row count and
-- SHA-256. A row is inserted in the same transaction that deletes the archived
-- rows, after the file was written and read back: the manifest is the list of
-- archives that hold data the database no longer has. Files not listed here
-- were left by an interrupted run and duplicate rows the database still holds.

create table private.archived_objects (
  id bigint generated always as identity primary key,
  dataset text not null check (dataset in ('learning_sessions', 'learning_events', 'gamification_snapshot')),
  period_month date check (period_month = date_trunc('month', period_month)::date),
  target text not null check (target in ('local', 'storage')),
  location text not null check (char_length(location) between 1 and 1000),
  object_key text not null check (object_key ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$'),
  row_count integer not null check (row_count >= 0),
  byte_size bigint not null check (byte_size >= 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  anonymised_at timestamptz,
  superseded_key text,
  created_at timestamptz not null default now(),
  unique (target, location, object_key)
);
create index archived_objects_dataset_period_idx on private.archived_objects (dataset, period_month);

alter table private.archived_objects enable row level security;
comment on table private.archived_objects is
  'Cold-storage files written by the lifecycle jobs (sessions, learning events, gamification snapshots).';
comment on column private.archived_objects.superseded_key is
  'An identified archive this (anonymised) one replaced, deleted from storage by the next anonymisation run.';

revoke all on table private.archived_objects from public, anon, authenticated, service_role;
