-- create learning events
--
-- The Math engine's learning_events, widened to every blueprint's learning
-- activity: sessions, answers, lessons, assessments, concepts, exercises and
-- facts, each with the practice mode it happened in. They feed the daily
-- rollups (practice metrics, daily practice summaries, engagement and learning
-- analytics). Server-owned: only the service role and server-side functions
-- write them (they carry XP and scores); learners, guardians and staff read.
-- Partitioned by month of occurred_at like analytics_events.

-- ---------------------------------------------------------------- table
create table public.learning_events (
  id bigint generated always as identity,
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete set null,
  event_type text not null check (event_type in (
    'session_started', 'session_completed', 'answer', 'lesson_completed', 'assessment_completed',
    'concept_viewed', 'concept_mastered', 'exercise_completed', 'exercise_mastered',
    'fact_reviewed', 'fact_learned', 'fact_mastered', 'remediation_started'
  )),
  mode text not null default 'practice' check (mode ~ '^[a-z][a-z0-9_]{1,39}$'),
  session_id uuid,
  course_id uuid,
  is_correct boolean,
  response_ms integer check (response_ms between 0 and 3600000),
  active_seconds integer not null default 0 check (active_seconds between 0 and 86400),
  score numeric(5, 2) check (score between 0 and 100),
  mastery_score numeric(3, 2) check (mastery_score between 0 and 1),
  xp integer not null default 0 check (xp between -100000 and 100000),
  payload jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
  device_info jsonb check (jsonb_typeof(device_info) = 'object'),
  occurred_at timestamptz not null default now(),
  received_at timestamptz not null default now(),
  ingest_xid xid8 not null default pg_current_xact_id(),
  primary key (id, occurred_at),
  check (event_type <> 'answer' or is_correct is not null)
) partition by range (occurred_at);
create index learning_events_user_id_idx on public.learning_events (user_id, occurred_at);
create index learning_events_organization_id_idx on public.learning_events (organization_id, occurred_at);
create index learning_events_ingest_xid_idx on public.learning_events (ingest_xid);

alter table public.learning_events enable row level security;
comment on table public.learning_events is
  'Server-recorded learning activity (answers, sessions, lessons, assessments, concepts, facts) with its '
  'practice mode, XP and score; partitioned by month of occurred_at. Source of the daily rollups.';
comment on column public.learning_events.mode is
  'Practice mode (practice, lesson, quiz, review, speaking, ...): practice metrics are rolled up per mode.';
comment on column public.learning_events.active_seconds is 'Time actively spent, counted once per event.';
comment on column public.learning_events.ingest_xid is
  'Server-owned: the inserting transaction. The rollups'' watermark is a snapshot over these.';

revoke all on table public.learning_events from anon, authenticated;
grant select on table public.learning_events to authenticated;
grant all on table public.learning_events to service_role;

create trigger learning_events_check_event_time before insert on public.learning_events
  for each row execute function private.trigger_check_event_time();

-- ---------------------------------------------------------------- policies
-- supabase/policies/learning_events.sql
create policy "Learners, guardians and staff can read learning events"
  on public.learning_events for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids())
  );

-- ---------------------------------------------------------------- partitions
select private.create_monthly_partitions('public.learning_events', current_date, 4);
