-- create lifecycle settings
--
-- private.lifecycle_settings: the one place the data lifecycle's windows live
-- (retention, anonymisation, archival, re-engagement) plus the archive's Storage
-- bucket. A single row, read by the Python workers and by the SQL functions
-- pg_cron runs, so both always apply the same windows; operators change them
-- with an UPDATE, validated here. Defaults come from the blueprints:
-- SignifyAI (anonymise after 18 months, chats 90 days, nudge after 14 days),
-- the Math engine (learning events 90 days, session details 6 months) and
-- Pathfinity (sessions to cold storage after a year). Not exposed through the
-- Data API. (The reports bucket is fixed, `progress-reports`: a
-- storage.objects policy names it.)

create table private.lifecycle_settings (
  id boolean primary key default true check (id),
  session_details_kept_for interval not null default '6 months',
  sessions_archived_after interval not null default '1 year',
  archives_anonymised_after interval not null default '18 months',
  chats_expire_after interval not null default '90 days',
  learning_events_kept_for interval not null default '90 days',
  nudge_after_inactive interval not null default '14 days',
  archive_bucket text not null default 'lifecycle-archive' check (archive_bucket ~ '^[a-z0-9][a-z0-9._-]{2,62}$'),
  updated_at timestamptz not null default now(),
  check (session_details_kept_for >= interval '1 day'),
  -- Sessions leave the database (archived) no later than they must be anonymised, so anonymisation only
  -- ever has to rewrite archives; and a session's details go before the session itself.
  check (session_details_kept_for <= sessions_archived_after),
  check (sessions_archived_after <= archives_anonymised_after),
  check (chats_expire_after >= interval '1 day'),
  -- Devices may sync events up to 7 days late: never drop the months they can still land in.
  check (learning_events_kept_for >= interval '8 days'),
  check (nudge_after_inactive >= interval '1 day')
);

alter table private.lifecycle_settings enable row level security;
comment on table private.lifecycle_settings is
  'The data lifecycle''s windows and Storage buckets (one row). Change with UPDATE; see docs/lifecycle.md.';
comment on column private.lifecycle_settings.session_details_kept_for is
  'After this, a finished session keeps only its summary (counters, scores, XP, times); details are cleared.';
comment on column private.lifecycle_settings.sessions_archived_after is
  'Sessions started longer ago go to cold storage (gzip JSON lines) and leave the database, unless the learner '
  'opted in to keep their practice history (user_settings.keep_practice_history).';
comment on column private.lifecycle_settings.archives_anonymised_after is
  'Archived sessions older than this are rewritten without the learner''s identity, unless they opted in.';
comment on column private.lifecycle_settings.learning_events_kept_for is
  'Learning events older than this are folded into the daily rollups, archived, then deleted.';

revoke all on table private.lifecycle_settings from public, anon, authenticated, service_role;

insert into private.lifecycle_settings default values;
