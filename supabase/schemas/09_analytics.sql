-- Analytics: the partitioned event tables (monthly UTC partitions, made by private.create_monthly_partitions),
-- the daily rollups in schema analytics and the per-blueprint views over them.
-- Policies: analytics_events.sql, learning_events.sql (which also make the first partitions), analytics_rollups.sql.

-- ======================================================================
-- schemas
-- ======================================================================

create schema analytics;
revoke all on schema analytics from public;
grant usage on schema analytics to authenticated, service_role;
comment on schema analytics is 'Rollup tables; read through the public security-invoker views.';

-- ======================================================================
-- functions the tables use
-- ======================================================================

create function analytics.fold_events(after pg_snapshot, upto pg_snapshot, days daterange) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  total bigint := 0;
  affected bigint;
begin
  with new_events as (
    select e.user_id, (e.occurred_at at time zone p.time_zone)::date as day, e.mode, e.event_type,
      e.active_seconds, e.xp, e.is_correct, e.score, e.response_ms, e.mastery_score
    from public.learning_events e
    join public.profiles p on p.id = e.user_id
    where e.ingest_xid >= pg_catalog.pg_snapshot_xmin(after)
      and not pg_catalog.pg_visible_in_snapshot(e.ingest_xid, after)
      and pg_catalog.pg_visible_in_snapshot(e.ingest_xid, upto)
      and (e.occurred_at at time zone p.time_zone)::date <@ days
  )
  insert into analytics.user_mode_daily as t (
    user_id, day, mode, events, sessions, active_seconds, xp_gained, answers, correct_answers, score_sum, score_count)
  select user_id, day, mode, count(*),
    count(*) filter (where event_type = 'session_completed'),
    sum(active_seconds), sum(xp),
    count(*) filter (where event_type = 'answer'),
    count(*) filter (where event_type = 'answer' and is_correct),
    coalesce(sum(score), 0), count(score)
  from new_events
  group by user_id, day, mode
  on conflict (user_id, day, mode) do update set
    events = t.events + excluded.events,
    sessions = t.sessions + excluded.sessions,
    active_seconds = t.active_seconds + excluded.active_seconds,
    xp_gained = t.xp_gained + excluded.xp_gained,
    answers = t.answers + excluded.answers,
    correct_answers = t.correct_answers + excluded.correct_answers,
    score_sum = t.score_sum + excluded.score_sum,
    score_count = t.score_count + excluded.score_count;
  get diagnostics affected = row_count;
  total := total + affected;

  with new_events as (
    select e.user_id, (e.occurred_at at time zone p.time_zone)::date as day, e.mode, e.event_type,
      e.active_seconds, e.xp, e.is_correct, e.score, e.response_ms, e.mastery_score
    from public.learning_events e
    join public.profiles p on p.id = e.user_id
    where e.ingest_xid >= pg_catalog.pg_snapshot_xmin(after)
      and not pg_catalog.pg_visible_in_snapshot(e.ingest_xid, after)
      and pg_catalog.pg_visible_in_snapshot(e.ingest_xid, upto)
      and (e.occurred_at at time zone p.time_zone)::date <@ days
  ),
  folded as (
    select user_id, day, count(*) as events,
      count(*) filter (where event_type = 'session_completed') as sessions,
      sum(active_seconds) as active_seconds,
      coalesce(sum(active_seconds) filter (where mode = 'lesson'), 0) as lesson_seconds,
      coalesce(sum(active_seconds) filter (where mode <> 'lesson'), 0) as exercise_seconds,
      count(*) filter (where event_type = 'answer') as questions_answered,
      count(*) filter (where event_type = 'answer' and is_correct) as correct_answers,
      coalesce(sum(response_ms), 0) as response_ms_sum,
      count(response_ms) as response_count,
      count(*) filter (where event_type = 'fact_reviewed') as facts_reviewed,
      count(*) filter (where event_type = 'fact_learned') as new_facts_learned,
      count(*) filter (where event_type = 'fact_mastered') as facts_mastered,
      count(*) filter (where event_type = 'concept_viewed') as concepts_viewed,
      count(*) filter (where event_type = 'concept_mastered') as concepts_mastered,
      count(*) filter (where event_type = 'exercise_completed') as exercises_completed,
      count(*) filter (where event_type = 'exercise_mastered') as exercises_mastered,
      coalesce(sum(mastery_score), 0) as mastery_score_sum,
      count(mastery_score) as mastery_score_count,
      count(*) filter (where event_type = 'remediation_started') as remediation_sessions,
      count(*) filter (where event_type = 'lesson_completed') as lessons_completed,
      count(*) filter (where event_type = 'assessment_completed') as assessments_completed,
      coalesce(sum(score), 0) as score_sum,
      count(score) as score_count,
      sum(xp) as xp_gained
    from new_events
    group by user_id, day
  )
  insert into analytics.user_daily as t (
    user_id, day, events, sessions, active_seconds, lesson_seconds, exercise_seconds, questions_answered,
    correct_answers, response_ms_sum, response_count, facts_reviewed, new_facts_learned, facts_mastered,
    concepts_viewed, concepts_mastered, exercises_completed, exercises_mastered, mastery_score_sum,
    mastery_score_count, remediation_sessions, lessons_completed, assessments_completed, score_sum,
    score_count, xp_gained, daily_goal_minutes)
  select f.user_id, f.day, f.events, f.sessions, f.active_seconds, f.lesson_seconds, f.exercise_seconds,
    f.questions_answered, f.correct_answers, f.response_ms_sum, f.response_count, f.facts_reviewed,
    f.new_facts_learned, f.facts_mastered, f.concepts_viewed, f.concepts_mastered, f.exercises_completed,
    f.exercises_mastered, f.mastery_score_sum, f.mastery_score_count, f.remediation_sessions,
    f.lessons_completed, f.assessments_completed, f.score_sum, f.score_count, f.xp_gained,
    coalesce(s.daily_goal_minutes, 15)
  from folded f
  left join public.user_settings s on s.user_id = f.user_id
  on conflict (user_id, day) do update set
    events = t.events + excluded.events,
    sessions = t.sessions + excluded.sessions,
    active_seconds = t.active_seconds + excluded.active_seconds,
    lesson_seconds = t.lesson_seconds + excluded.lesson_seconds,
    exercise_seconds = t.exercise_seconds + excluded.exercise_seconds,
    questions_answered = t.questions_answered + excluded.questions_answered,
    correct_answers = t.correct_answers + excluded.correct_answers,
    response_ms_sum = t.response_ms_sum + excluded.response_ms_sum,
    response_count = t.response_count + excluded.response_count,
    facts_reviewed = t.facts_reviewed + excluded.facts_reviewed,
    new_facts_learned = t.new_facts_learned + excluded.new_facts_learned,
    facts_mastered = t.facts_mastered + excluded.facts_mastered,
    concepts_viewed = t.concepts_viewed + excluded.concepts_viewed,
    concepts_mastered = t.concepts_mastered + excluded.concepts_mastered,
    exercises_completed = t.exercises_completed + excluded.exercises_completed,
    exercises_mastered = t.exercises_mastered + excluded.exercises_mastered,
    mastery_score_sum = t.mastery_score_sum + excluded.mastery_score_sum,
    mastery_score_count = t.mastery_score_count + excluded.mastery_score_count,
    remediation_sessions = t.remediation_sessions + excluded.remediation_sessions,
    lessons_completed = t.lessons_completed + excluded.lessons_completed,
    assessments_completed = t.assessments_completed + excluded.assessments_completed,
    score_sum = t.score_sum + excluded.score_sum,
    score_count = t.score_count + excluded.score_count,
    xp_gained = t.xp_gained + excluded.xp_gained;
  get diagnostics affected = row_count;
  total := total + affected;

  with new_events as (
    select e.user_id, (e.occurred_at at time zone p.time_zone)::date as day, e.event_type,
      e.duration_seconds, e.event_data
    from public.analytics_events e
    join public.profiles p on p.id = e.user_id
    where e.ingest_xid >= pg_catalog.pg_snapshot_xmin(after)
      and not pg_catalog.pg_visible_in_snapshot(e.ingest_xid, after)
      and pg_catalog.pg_visible_in_snapshot(e.ingest_xid, upto)
      and (e.occurred_at at time zone p.time_zone)::date <@ days
  )
  insert into analytics.event_dimension_daily as t (user_id, day, dimension, value, event_type, events, duration_seconds)
  select n.user_id, n.day, d.dimension, left(n.event_data ->> d.dimension, 200), n.event_type,
    count(*), sum(n.duration_seconds)
  from new_events n
  cross join (values ('career'), ('companion'), ('skill'), ('journey')) as d (dimension)
  where jsonb_typeof(n.event_data -> d.dimension) in ('string', 'number')
  group by 1, 2, 3, 4, 5
  on conflict (user_id, day, dimension, value, event_type) do update set
    events = t.events + excluded.events,
    duration_seconds = t.duration_seconds + excluded.duration_seconds;
  get diagnostics affected = row_count;
  return total + affected;
end
$$;
comment on function analytics.fold_events(pg_snapshot, pg_snapshot, daterange) is
  'Adds to the rollups the events visible in snapshot `upto` and not in `after` whose local day is in `days`; '
  'returns rollup rows written.';
revoke execute on function analytics.fold_events(pg_snapshot, pg_snapshot, daterange) from public;

create function analytics.refresh_rollups(full_rebuild boolean default false) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  last_snapshot pg_snapshot;
  current_snapshot pg_snapshot;
  retired_before timestamptz;
  kept_from date;
  written bigint;
begin
  -- The row lock serialises refreshes even without the worker's advisory lock.
  select w.snapshot, w.retired_before into last_snapshot, retired_before
  from analytics.rollup_watermarks w where w.name = 'daily' for update;
  if not found then
    raise exception using errcode = 'P0002', message = 'the daily rollup watermark row is missing';
  end if;
  current_snapshot := pg_catalog.pg_current_snapshot();
  if full_rebuild and retired_before is not null then
    -- Events before retired_before are gone (retire-learning-events): their days keep their rollups, and
    -- only the days wholly after it are rebuilt. A local day is at most 14 hours ahead of UTC, so every
    -- event of a local day from kept_from on occurred after retired_before and is still here.
    kept_from := (retired_before at time zone 'UTC')::date + 2;
    delete from analytics.user_mode_daily where day >= kept_from;
    delete from analytics.user_daily where day >= kept_from;
    delete from analytics.event_dimension_daily where day >= kept_from;
    written := analytics.fold_events('1:1:'::pg_snapshot, current_snapshot, daterange(kept_from, null))
      -- The kept days still take the events ingested since the last refresh, as an incremental refresh would.
      + analytics.fold_events(coalesce(last_snapshot, '1:1:'::pg_snapshot), current_snapshot,
                              daterange(null, kept_from));
  else
    if full_rebuild or last_snapshot is null then
      truncate analytics.user_mode_daily, analytics.user_daily, analytics.event_dimension_daily;
      -- xmin = xmax = 1: no transaction is visible in it, so everything visible now is folded in.
      last_snapshot := '1:1:'::pg_snapshot;
    end if;
    written := analytics.fold_events(last_snapshot, current_snapshot, '(,)'::daterange);
  end if;
  update analytics.rollup_watermarks
  set snapshot = current_snapshot, refreshed_at = now(),
      refresh_kind = case when full_rebuild then 'full' else 'incremental' end
  where name = 'daily';
  return written;
end
$$;
comment on function analytics.refresh_rollups(boolean) is
  'Folds the events since the last refresh into the daily rollups (or, when full_rebuild, rebuilds them: all '
  'of them, or once learning events were retired only the days after retired_before, keeping the aggregates '
  'of retired events) and moves the watermark, in the caller''s transaction; returns rollup rows written.';
revoke execute on function analytics.refresh_rollups(boolean) from public;

-- ======================================================================
-- tables
-- ======================================================================

create table public.analytics_events (
  id bigint generated always as identity,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete set null,
  session_id uuid,
  event_type text not null check (event_type ~ '^[a-z][a-z0-9_.]{1,63}$'),
  event_data jsonb not null default '{}' check (jsonb_typeof(event_data) = 'object'),
  duration_seconds integer not null default 0 check (duration_seconds between 0 and 86400),
  occurred_at timestamptz not null default now(),
  received_at timestamptz not null default now(),
  ingest_xid xid8 not null default pg_current_xact_id(),
  client_event_id uuid,
  primary key (id, occurred_at)
) partition by range (occurred_at);
alter table public.analytics_events enable row level security;
comment on table public.analytics_events is
  'Product telemetry (Pathfinity PathIQ events), partitioned by month of occurred_at. event_data may carry '
  'career, companion, skill and journey keys, which the daily rollups group by.';
comment on column public.analytics_events.occurred_at is
  'When it happened on the device; may be late (offline), at most 7 days for learners, never in the future.';
comment on column public.analytics_events.ingest_xid is
  'Server-owned: the inserting transaction. The rollups'' watermark is a snapshot over these.';
revoke all on table public.analytics_events from anon, authenticated;
grant select on table public.analytics_events to authenticated;
grant insert (user_id, organization_id, session_id, event_type, event_data, duration_seconds, occurred_at)
  on table public.analytics_events to authenticated;
grant all on table public.analytics_events to service_role;
create index analytics_events_organization_id_idx on public.analytics_events (organization_id, occurred_at);
comment on column public.analytics_events.client_event_id is
  'The id the device gave the event (public.record_learning_events): a resent event is stored once.';
create index analytics_events_ingest_xid_idx on public.analytics_events (ingest_xid);
-- Idempotency lives in the event rows rather than in a separate table of seen ids: a unique index must include
-- the partition key, and the event's own time is part of it, so the ids go (and their index shrinks) with their
-- partition at retention, and a duplicate costs no second table write. A retry resends the same event, time
-- included. In this column order the index is also the one of a user's events by time (user_id, occurred_at),
-- and of the foreign key on user_id: one index fewer for every insert to maintain.
create unique index analytics_events_user_event_idx
  on public.analytics_events (user_id, occurred_at, client_event_id);

create table public.learning_events (
  id bigint generated always as identity,
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete set null,
  event_type text not null check (event_type in (
    'session_started', 'session_completed', 'answer', 'lesson_completed', 'assessment_completed',
    'concept_viewed', 'concept_mastered', 'exercise_completed', 'exercise_mastered',
    'fact_reviewed', 'fact_learned', 'fact_mastered', 'remediation_started'
  )),
  -- ^[a-z][a-z0-9_]{1,39}$ without a regex, whose match costs every inserted row microseconds.
  mode text not null default 'practice' check (
    length(mode) between 2 and 40 and strpos('abcdefghijklmnopqrstuvwxyz', left(mode, 1)) > 0
    and ltrim(mode, 'abcdefghijklmnopqrstuvwxyz0123456789_') = ''
  ),
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
  client_event_id uuid,
  primary key (id, occurred_at),
  check (event_type <> 'answer' or is_correct is not null)
) partition by range (occurred_at);
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
create index learning_events_organization_id_idx on public.learning_events (organization_id, occurred_at);
comment on column public.learning_events.client_event_id is
  'The id the device gave the event (public.record_learning_events): a resent event is stored once.';
create index learning_events_ingest_xid_idx on public.learning_events (ingest_xid);
-- As analytics_events_user_event_idx: idempotency, a user's events by time and the user_id foreign key.
create unique index learning_events_user_event_idx
  on public.learning_events (user_id, occurred_at, client_event_id);

create table analytics.user_mode_daily (
  user_id uuid not null references public.profiles (id) on delete cascade,
  day date not null,
  mode text not null,
  events bigint not null default 0,
  sessions bigint not null default 0,
  active_seconds bigint not null default 0,
  xp_gained bigint not null default 0,
  answers bigint not null default 0,
  correct_answers bigint not null default 0,
  score_sum numeric not null default 0,
  score_count bigint not null default 0,
  primary key (user_id, day, mode)
);
alter table analytics.user_mode_daily enable row level security;
comment on table analytics.user_mode_daily is
  'Per user, local day and practice mode: sessions, active time, XP, answers, scores (SignifyAI''s '
  'practice_metrics_daily). Server-owned; maintained by analytics.refresh_rollups().';
revoke all on table analytics.user_mode_daily from public, anon, authenticated;
grant select on table analytics.user_mode_daily to authenticated;
grant all on table analytics.user_mode_daily to service_role;

create table analytics.user_daily (
  user_id uuid not null references public.profiles (id) on delete cascade,
  day date not null,
  events bigint not null default 0,
  sessions bigint not null default 0,
  active_seconds bigint not null default 0,
  lesson_seconds bigint not null default 0,
  exercise_seconds bigint not null default 0,
  questions_answered bigint not null default 0,
  correct_answers bigint not null default 0,
  response_ms_sum bigint not null default 0,
  response_count bigint not null default 0,
  facts_reviewed bigint not null default 0,
  new_facts_learned bigint not null default 0,
  facts_mastered bigint not null default 0,
  concepts_viewed bigint not null default 0,
  concepts_mastered bigint not null default 0,
  exercises_completed bigint not null default 0,
  exercises_mastered bigint not null default 0,
  mastery_score_sum numeric not null default 0,
  mastery_score_count bigint not null default 0,
  remediation_sessions bigint not null default 0,
  lessons_completed bigint not null default 0,
  assessments_completed bigint not null default 0,
  score_sum numeric not null default 0,
  score_count bigint not null default 0,
  xp_gained bigint not null default 0,
  daily_goal_minutes smallint not null,
  primary key (user_id, day)
);
alter table analytics.user_daily enable row level security;
comment on table analytics.user_daily is
  'Per user and local day: practice, engagement and learning totals (Math engine daily_practice_summaries, '
  'Spool engagement_analytics, AI Learning Assistant learning_analytics). Server-owned.';
comment on column analytics.user_daily.daily_goal_minutes is
  'The user''s daily goal when the day was first rolled up (a full rebuild takes the current goal).';
revoke all on table analytics.user_daily from public, anon, authenticated;
grant select on table analytics.user_daily to authenticated;
grant all on table analytics.user_daily to service_role;
create index user_daily_day_idx on analytics.user_daily (day);

create table analytics.event_dimension_daily (
  user_id uuid not null references public.profiles (id) on delete cascade,
  day date not null,
  dimension text not null check (dimension in ('career', 'companion', 'skill', 'journey')),
  value text not null,
  event_type text not null,
  events bigint not null default 0,
  duration_seconds bigint not null default 0,
  primary key (user_id, day, dimension, value, event_type)
);
alter table analytics.event_dimension_daily enable row level security;
comment on table analytics.event_dimension_daily is
  'Per user, local day, Pathfinity dimension (career, companion, skill, journey: keys of '
  'analytics_events.event_data), value and event type: event counts and time. Server-owned.';
revoke all on table analytics.event_dimension_daily from public, anon, authenticated;
grant select on table analytics.event_dimension_daily to authenticated;
grant all on table analytics.event_dimension_daily to service_role;
create index event_dimension_daily_dimension_idx on analytics.event_dimension_daily (dimension, value, day);

create table analytics.rollup_watermarks (
  name text primary key,
  snapshot pg_snapshot,
  refreshed_at timestamptz,
  refresh_kind text check (refresh_kind in ('incremental', 'full')),
  retired_before timestamptz
);
alter table analytics.rollup_watermarks enable row level security;
comment on table analytics.rollup_watermarks is
  'The snapshot the last rollup refresh ran in: events visible in it are already counted.';
comment on column analytics.rollup_watermarks.retired_before is
  'Learning events that occurred before this were retired (archived and deleted) after being rolled up: a '
  'full rebuild keeps the rollups of their days. Set by the retire-learning-events job.';
revoke all on table analytics.rollup_watermarks from public, anon, authenticated, service_role;

create table private.event_ingest_limits (
  id boolean primary key default true check (id),
  max_events_per_call integer not null default 1000 check (max_events_per_call between 1 and 10000),
  max_batch_bytes integer not null default 1000000 check (max_batch_bytes between 1024 and 1000000),
  max_events_per_minute integer not null default 6000 check (max_events_per_minute between 1 and 1000000),
  max_object_bytes integer not null default 16384 check (max_object_bytes between 256 and 16384),
  updated_at timestamptz not null default now()
);
alter table private.event_ingest_limits enable row level security;
comment on table private.event_ingest_limits is
  'Bounds of public.record_learning_events (one row, like public.platform_limits and '
  'private.lifecycle_settings): events and bytes per call, events per learner per minute, bytes of each '
  'event''s JSON objects. Change with UPDATE; see docs/ingestion.md.';
comment on column private.event_ingest_limits.max_batch_bytes is
  'Most bytes of a call''s whole `events` JSON text (at most 1 MB, the bound of every RPC argument).';
comment on column private.event_ingest_limits.max_events_per_minute is
  'Most events one learner may send per clock minute, counted in private.event_ingest_rates; the service '
  'role (server backfills) is bounded per call only.';
comment on column private.event_ingest_limits.max_object_bytes is
  'Most bytes of an event''s payload, device_info or event_data (the analytics_events input bound: 16384).';
revoke all on table private.event_ingest_limits from public, anon, authenticated, service_role;

create table private.event_ingest_rates (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  minute timestamptz not null,
  events integer not null check (events >= 0)
);
alter table private.event_ingest_rates enable row level security;
comment on table private.event_ingest_rates is
  'Per learner: events sent through public.record_learning_events in the current clock minute (a fixed '
  'window, one row per learner, reset by the first call of the next minute).';
revoke all on table private.event_ingest_rates from public, anon, authenticated, service_role;

-- ======================================================================
-- reference rows
-- ======================================================================

insert into analytics.rollup_watermarks (name) values ('daily');
insert into private.event_ingest_limits default values;

-- ======================================================================
-- functions
-- ======================================================================

create function private.create_monthly_partitions(parent regclass, first_month date, months integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  parent_schema text;
  parent_name text;
  month_start date;
  partition_name text;
  policy record;
  created integer := 0;
begin
  if months is null or months < 1 or months > 120 then
    raise exception using errcode = '22023', message = format('months must be between 1 and 120, not %s', months);
  end if;
  select n.nspname, c.relname into parent_schema, parent_name
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.oid = parent and c.relkind = 'p';
  if parent_name is null then
    raise exception using errcode = '42809', message = format('%s is not a partitioned table', parent);
  end if;

  for month_index in 0 .. months - 1 loop
    month_start := (date_trunc('month', first_month) + make_interval(months => month_index))::date;
    partition_name := format('%s_y%sm%s', parent_name, to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
    continue when exists (
      select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = parent_schema and c.relname = partition_name
    );
    -- Bounds are written with an explicit UTC offset: a bare date would be read in the session's TimeZone.
    execute format('create table %I.%I partition of %I.%I for values from (%L) to (%L)',
      parent_schema, partition_name, parent_schema, parent_name,
      to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char((month_start + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
    execute format('alter table %I.%I enable row level security', parent_schema, partition_name);
    execute format('comment on table %I.%I is %L', parent_schema, partition_name,
      format('%s for %s (UTC); read it through %s.', parent_name, to_char(month_start, 'YYYY-MM'), parent));
    execute format('revoke all on table %I.%I from public, anon, authenticated', parent_schema, partition_name);
    execute format('grant select on table %I.%I to authenticated', parent_schema, partition_name);
    execute format('grant all on table %I.%I to service_role', parent_schema, partition_name);
    for policy in
      select p.polname,
             pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expression,
             coalesce((select string_agg(quote_ident(r.rolname), ', ') from pg_catalog.pg_roles r
                       where r.oid = any (p.polroles)), 'public') as roles
      from pg_catalog.pg_policy p
      where p.polrelid = parent and p.polcmd = 'r' and p.polpermissive
    loop
      execute format('create policy %I on %I.%I for select to %s using (%s)',
        policy.polname, parent_schema, partition_name, policy.roles, policy.using_expression);
    end loop;
    created := created + 1;
  end loop;
  return created;
end
$$;
comment on function private.create_monthly_partitions(regclass, date, integer) is
  'Creates the missing monthly (UTC) partitions of a range-partitioned table for `months` months from '
  'first_month, with RLS, the parent''s select policies and select-only grants; returns how many it created.';
revoke execute on function private.create_monthly_partitions(regclass, date, integer) from public;

create function private.trigger_check_event_time() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.received_at := now();
  if new.occurred_at > new.received_at + interval '5 minutes' then
    raise exception using errcode = '22023',
      message = format('occurred_at %s is in the future', new.occurred_at),
      hint = 'Send the time the event happened on the device, in UTC or with an offset.';
  end if;
  -- Learners' devices may sync late, within a week; the server may backfill any past month with a partition.
  -- Nested: the time test first, so a recent event (nearly all of them) never parses the request's claims.
  if new.occurred_at < new.received_at - interval '7 days' then
    if (select auth.uid()) is not null then
      raise exception using errcode = '22023',
        message = format('occurred_at %s is more than 7 days old', new.occurred_at);
    end if;
  end if;
  return new;
end
$$;
comment on function private.trigger_check_event_time() is
  'Event tables: received_at is the server time; occurred_at may not be in the future, nor older than '
  '7 days when a signed-in user sends it.';

create function private.insert_ingested_events(
  events jsonb, actor uuid, first_index integer, last_index integer, skip_duplicates boolean)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  stored integer;
begin
  -- plpgsql rather than sql: its statements' plans are cached for the session, a sql function's made per call.
  -- Two statements, the same but for `on conflict do nothing`: a plain insert checks the unique
  -- (user_id, occurred_at, client_event_id) index as it inserts, where `on conflict` first probes it for every
  -- row, then inserts speculatively (about a tenth of the insert's time). The caller inserts plainly first; only
  -- a batch holding an event already stored (unique_violation) is inserted again, skipping duplicates.
  if not skip_duplicates then
    with item as (
      select (t.position - 1)::integer as index, t.event
      from jsonb_array_elements(events) with ordinality as t (event, position)
      where t.position - 1 between first_index and last_index
    ),
    learning as (
      -- The parent routes each row to its month's partition.
      insert into public.learning_events (
        user_id, organization_id, event_type, mode, session_id, course_id, is_correct, response_ms,
        active_seconds, score, mastery_score, xp, payload, device_info, occurred_at, client_event_id)
      select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
        i.event ->> 'event_type', coalesce(i.event ->> 'mode', 'practice'), (i.event ->> 'session_id')::uuid,
        (i.event ->> 'course_id')::uuid, (i.event ->> 'is_correct')::boolean, (i.event ->> 'response_ms')::integer,
        coalesce((i.event ->> 'active_seconds')::integer, 0), (i.event ->> 'score')::numeric,
        (i.event ->> 'mastery_score')::numeric, coalesce((i.event ->> 'xp')::integer, 0),
        coalesce(nullif(i.event -> 'payload', 'null'), '{}'), nullif(i.event -> 'device_info', 'null'),
        (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
      from item as i
      where coalesce(i.event ->> 'stream', 'learning') = 'learning'
      order by i.index
      returning 1
    ),
    telemetry as (
      insert into public.analytics_events (
        user_id, organization_id, session_id, event_type, event_data, duration_seconds, occurred_at, client_event_id)
      select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
        (i.event ->> 'session_id')::uuid, i.event ->> 'event_type',
        coalesce(nullif(i.event -> 'event_data', 'null'), '{}'), coalesce((i.event ->> 'duration_seconds')::integer, 0),
        (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
      from item as i
      where i.event ->> 'stream' = 'analytics'
      order by i.index
      returning 1
    )
    select ((select count(*) from learning) + (select count(*) from telemetry))::integer into stored;
    return stored;
  end if;
  with item as (
    select (t.position - 1)::integer as index, t.event
    from jsonb_array_elements(events) with ordinality as t (event, position)
    where t.position - 1 between first_index and last_index
  ),
  learning as (
    -- The parent routes each row to its month's partition; `on conflict do nothing` skips an event whose
    -- (user_id, occurred_at, client_event_id) is already stored: a resent event.
    insert into public.learning_events (
      user_id, organization_id, event_type, mode, session_id, course_id, is_correct, response_ms,
      active_seconds, score, mastery_score, xp, payload, device_info, occurred_at, client_event_id)
    select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
      i.event ->> 'event_type', coalesce(i.event ->> 'mode', 'practice'), (i.event ->> 'session_id')::uuid,
      (i.event ->> 'course_id')::uuid, (i.event ->> 'is_correct')::boolean, (i.event ->> 'response_ms')::integer,
      coalesce((i.event ->> 'active_seconds')::integer, 0), (i.event ->> 'score')::numeric,
      (i.event ->> 'mastery_score')::numeric, coalesce((i.event ->> 'xp')::integer, 0),
      coalesce(nullif(i.event -> 'payload', 'null'), '{}'), nullif(i.event -> 'device_info', 'null'),
      (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
    from item as i
    where coalesce(i.event ->> 'stream', 'learning') = 'learning'
    order by i.index
    on conflict do nothing
    returning 1
  ),
  telemetry as (
    insert into public.analytics_events (
      user_id, organization_id, session_id, event_type, event_data, duration_seconds, occurred_at, client_event_id)
    select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
      (i.event ->> 'session_id')::uuid, i.event ->> 'event_type',
      coalesce(nullif(i.event -> 'event_data', 'null'), '{}'), coalesce((i.event ->> 'duration_seconds')::integer, 0),
      (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
    from item as i
    where i.event ->> 'stream' = 'analytics'
    order by i.index
    on conflict do nothing
    returning 1
  )
  select ((select count(*) from learning) + (select count(*) from telemetry))::integer into stored;
  return stored;
end
$$;
comment on function private.insert_ingested_events(jsonb, uuid, integer, integer, boolean) is
  'The insert step of private.record_learning_events: events[first_index..last_index] (validated) into '
  'learning_events or analytics_events, for `actor` unless an event names its user_id; returns rows stored. '
  'With skip_duplicates an event already stored (same user, time and client event id) is skipped, without it '
  'raises unique_violation.';
revoke execute on function private.insert_ingested_events(jsonb, uuid, integer, integer, boolean) from public;

create function private.record_learning_events(events jsonb)
returns table (recorded integer, duplicates integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();  -- read once: it parses the request's JWT claims
  limits private.event_ingest_limits;
  oldest timestamptz;
  member_orgs uuid[];
  total integer;
  stored integer;
  sent integer;
  bad_index integer;
  bad_event_id text;
  bad_problem text;
  ids_match boolean;
  times_match boolean;
  by_rows boolean := false;
  learning_keys constant text[] := array[
    'event_id', 'stream', 'event_type', 'occurred_at', 'user_id', 'organization_id', 'session_id', 'course_id',
    'mode', 'is_correct', 'response_ms', 'active_seconds', 'score', 'mastery_score', 'xp', 'payload',
    'device_info'];
  analytics_keys constant text[] := array[
    'event_id', 'stream', 'event_type', 'occurred_at', 'user_id', 'organization_id', 'session_id', 'event_data',
    'duration_seconds'];
  learning_types constant text[] := array[
    'session_started', 'session_completed', 'answer', 'lesson_completed', 'assessment_completed',
    'concept_viewed', 'concept_mastered', 'exercise_completed', 'exercise_mastered',
    'fact_reviewed', 'fact_learned', 'fact_mastered', 'remediation_started'];
  uuid_form constant text := '[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}';
  time_form constant text :=
    '[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]'
    '(?::[0-5][0-9](?:\.[0-9]{1,6})?)?(?:Z|z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)';
  uuid_pattern constant text := '^' || uuid_form || '$';
  time_pattern constant text := '^' || time_form || '$';
  nothing_stored constant text :=
    'Nothing of this batch was stored. Fix or drop that event and resend the batch: events already stored '
    'are skipped by their event_id.';
begin
  if caller is null and coalesce(auth.role(), 'service_role') <> 'service_role' then
    raise exception using errcode = '42501', message = 'sign in to record learning events';
  end if;
  select * into strict limits from private.event_ingest_limits;
  -- ---------------------------------------------------------------- the whole batch: shape and size
  if events is null or jsonb_typeof(events) <> 'array' then
    raise exception using errcode = '22023', message = 'events must be a JSON array of event objects';
  end if;
  total := jsonb_array_length(events);
  if total > limits.max_events_per_call then
    raise exception using errcode = '22023',
      message = format('events holds %s events; a call may send at most %s', total, limits.max_events_per_call),
      hint = 'Split the batch.';
  end if;
  if octet_length(events::text) > limits.max_batch_bytes then
    raise exception using errcode = '22023',
      message = format('events is %s bytes of JSON; a call may send at most %s', octet_length(events::text),
                       limits.max_batch_bytes),
      hint = 'Split the batch.';
  end if;
  if total = 0 then
    return query select 0, 0;
    return;
  end if;
  -- Learners' devices sync at most a week late (as private.trigger_check_event_time enforces); the server may
  -- record anything still inside the retention window.
  oldest := now() - case when caller is null
                         then (select s.learning_events_kept_for from private.lifecycle_settings s)
                         else interval '7 days' end;
  if caller is not null then
    member_orgs := array(select private.member_org_ids());
  end if;
  -- The two patterns every event must match, matched once for the whole batch: each regex match builds its own
  -- automaton, so one match over all the batch's event ids (or times) joined by newlines costs about a tenth of
  -- a match per event. A join matches only if every value does: neither form matches a newline, and the count
  -- of lines (for ids, of characters: a UUID has 36), with every event's value present, shows that no value
  -- held a newline of its own. When a join does not match, the checks below match value by value, to name the
  -- first bad event.
  select coalesce(j.ids_counted = total and length(j.ids) = 37 * total - 1
                  and j.ids ~ ('^(?:' || uuid_form || E'\n)*' || uuid_form || '$'), false),
         coalesce(j.times_counted = total and length(j.times) - length(replace(j.times, E'\n', '')) = total - 1
                  and j.times ~ ('^(?:' || time_form || E'\n)*' || time_form || '$'), false)
    into ids_match, times_match
  from (select string_agg(t.event ->> 'event_id', E'\n') as ids, count(t.event ->> 'event_id') as ids_counted,
               string_agg(t.event ->> 'occurred_at', E'\n') as times,
               count(t.event ->> 'occurred_at') as times_counted
        from jsonb_array_elements(events) as t (event)) as j;

  -- ---------------------------------------------------------------- each event, in one pass: the first bad one
  begin
    select c.index, c.event_id, c.problem into bad_index, bad_event_id, bad_problem
    from (
      select i.index,
        case when jsonb_typeof(i.event -> 'event_id') = 'string'
                  and (ids_match or i.event ->> 'event_id' ~ uuid_pattern)
             then i.event ->> 'event_id' end as event_id,
        case
          when jsonb_typeof(i.event) is distinct from 'object' then 'is not a JSON object'
          when i.stream not in ('learning', 'analytics') then 'stream must be "learning" or "analytics"'
          when i.event - case i.stream when 'learning' then learning_keys else analytics_keys end <> '{}'
            then format('unknown field(s) for a %s event: %s', i.stream, left(array_to_string(array(
                   select jsonb_object_keys(i.event - case i.stream when 'learning' then learning_keys
                                                                    else analytics_keys end)), ', '), 200))
          when jsonb_typeof(i.event -> 'event_id') is distinct from 'string'
               or not (ids_match or i.event ->> 'event_id' ~ uuid_pattern)
            then 'event_id must be a UUID: the id the device gave this event'
          when jsonb_typeof(i.event -> 'event_type') is distinct from 'string' then 'event_type must be a string'
          when i.stream = 'learning' and not (i.event ->> 'event_type' = any (learning_types))
            then format('unknown learning event type %s', left(i.event ->> 'event_type', 64))
          when i.stream = 'analytics' and i.event ->> 'event_type' !~ '^[a-z][a-z0-9_.]{1,63}$'
            then 'event_type of an analytics event must match ^[a-z][a-z0-9_.]{1,63}$'
          when jsonb_typeof(i.event -> 'occurred_at') is distinct from 'string'
               or not (times_match or i.event ->> 'occurred_at' ~ time_pattern)
            then 'occurred_at must be an ISO 8601 time with its UTC offset, e.g. 2026-12-02T08:30:00Z'
          when (i.event ->> 'occurred_at')::timestamptz > now() + interval '5 minutes'
            then format('occurred_at %s is in the future', i.event ->> 'occurred_at')
          when (i.event ->> 'occurred_at')::timestamptz < oldest
            then format('occurred_at %s is older than %s', i.event ->> 'occurred_at',
                        case when caller is null then 'the retention window (learning_events_kept_for)'
                             else '7 days: devices may sync at most a week late' end)
          when caller is null and i.event ->> 'user_id' is null
            then 'user_id is required when the server records events'
          when coalesce(jsonb_typeof(i.event -> 'user_id'), 'null') not in ('null', 'string')
               or i.event ->> 'user_id' !~ uuid_pattern then 'user_id must be a UUID'
          when caller is not null and (i.event ->> 'user_id')::uuid <> caller
            then 'user_id must be your own: you may record only your own events'
          when coalesce(jsonb_typeof(i.event -> 'organization_id'), 'null') not in ('null', 'string')
               or i.event ->> 'organization_id' !~ uuid_pattern then 'organization_id must be a UUID'
          when caller is not null and i.event ->> 'organization_id' is not null
               and not (i.event ->> 'organization_id')::uuid = any (member_orgs)
            then 'organization_id is not an organization you belong to'
          when coalesce(jsonb_typeof(i.event -> 'session_id'), 'null') not in ('null', 'string')
               or i.event ->> 'session_id' !~ uuid_pattern then 'session_id must be a UUID'
          when coalesce(jsonb_typeof(i.event -> 'course_id'), 'null') not in ('null', 'string')
               or i.event ->> 'course_id' !~ uuid_pattern then 'course_id must be a UUID'
          when coalesce(jsonb_typeof(i.event -> 'mode'), 'null') not in ('null', 'string')
            then 'mode must be a string'
          when coalesce(jsonb_typeof(i.event -> 'is_correct'), 'null') not in ('null', 'boolean')
            then 'is_correct must be true or false'
          when coalesce(jsonb_typeof(i.event -> 'response_ms'), 'null') not in ('null', 'number')
            then 'response_ms must be a number'
          when coalesce(jsonb_typeof(i.event -> 'active_seconds'), 'null') not in ('null', 'number')
            then 'active_seconds must be a number'
          when coalesce(jsonb_typeof(i.event -> 'duration_seconds'), 'null') not in ('null', 'number')
            then 'duration_seconds must be a number'
          when coalesce(jsonb_typeof(i.event -> 'score'), 'null') not in ('null', 'number')
            then 'score must be a number'
          when coalesce(jsonb_typeof(i.event -> 'mastery_score'), 'null') not in ('null', 'number')
            then 'mastery_score must be a number'
          when coalesce(jsonb_typeof(i.event -> 'xp'), 'null') not in ('null', 'number')
            then 'xp must be a number'
          when caller is not null and coalesce((i.event ->> 'xp')::numeric, 0) <> 0
            then 'xp is awarded by the server: leave it out'
          when coalesce(jsonb_typeof(i.event -> 'payload'), 'null') not in ('null', 'object')
            then 'payload must be a JSON object'
          when coalesce(jsonb_typeof(i.event -> 'device_info'), 'null') not in ('null', 'object')
            then 'device_info must be a JSON object'
          when coalesce(jsonb_typeof(i.event -> 'event_data'), 'null') not in ('null', 'object')
            then 'event_data must be a JSON object'
          when octet_length((i.event -> 'payload')::text) > limits.max_object_bytes
            then format('payload is %s bytes of JSON, over %s', octet_length((i.event -> 'payload')::text),
                        limits.max_object_bytes)
          when octet_length((i.event -> 'device_info')::text) > limits.max_object_bytes
            then format('device_info is %s bytes of JSON, over %s',
                        octet_length((i.event -> 'device_info')::text), limits.max_object_bytes)
          when octet_length((i.event -> 'event_data')::text) > limits.max_object_bytes
            then format('event_data is %s bytes of JSON, over %s', octet_length((i.event -> 'event_data')::text),
                        limits.max_object_bytes)
        end as problem
      from (
        select (t.position - 1)::integer as index, t.event,
          coalesce(case when jsonb_typeof(t.event) = 'object' then t.event ->> 'stream' end, 'learning') as stream
        from jsonb_array_elements(events) with ordinality as t (event, position)
      ) as i
    ) as c
    where c.problem is not null
    order by c.index
    limit 1;
  exception when data_exception then
    -- A value the checks could not read (e.g. 2026-02-30): the row-by-row pass below names its event.
    by_rows := true;
  end;
  if bad_index is not null then
    raise exception using errcode = '22023',
      message = format('events[%s]%s: %s', bad_index, coalesce(' (event_id ' || bad_event_id || ')', ''),
                       bad_problem),
      hint = nothing_stored;
  end if;

  if not by_rows then
    -- ---------------------------------------------------------------- rate: per learner and clock minute
    if caller is not null then
      insert into private.event_ingest_rates as r (user_id, minute, events)
      values (caller, date_trunc('minute', now()), total)
      on conflict (user_id) do update
        set events = case when r.minute = excluded.minute then r.events + excluded.events else excluded.events end,
            minute = excluded.minute
      returning r.events into sent;
      if sent > limits.max_events_per_minute then
        raise exception using errcode = '54000',
          message = format('too many events: %s this minute, at most %s per learner', sent,
                           limits.max_events_per_minute),
          hint = 'Nothing of this batch was stored; resend it after the minute.';
      end if;
    end if;
    -- ---------------------------------------------------------------- store: one statement for the batch
    begin
      stored := private.insert_ingested_events(events, caller, 0, total - 1, false);
    exception
      when unique_violation then
        -- An event of the batch is already stored (a resent batch): insert it again, skipping those.
        begin
          stored := private.insert_ingested_events(events, caller, 0, total - 1, true);
        exception when data_exception or integrity_constraint_violation then
          by_rows := true;
        end;
      when data_exception or integrity_constraint_violation then
        by_rows := true;  -- a value the tables refuse: find which event, below
    end;
  end if;

  if by_rows then
    -- Slow path, only for a batch that fails: each event alone, to name the first one that fails. Whatever
    -- happens the call raises, so none of the batch is stored.
    for index in 0 .. total - 1 loop
      begin
        perform private.insert_ingested_events(events, caller, index, index, true);
      exception when data_exception or integrity_constraint_violation then
        raise exception using errcode = '22023',
          message = format('events[%s]%s: %s', index,
                           coalesce(' (event_id ' || left(events -> index ->> 'event_id', 36) || ')', ''),
                           case when sqlerrm like 'no partition of relation%'
                                then format('no partition of %s holds %s: the maintain-partitions job creates '
                                            'the months ahead', case when events -> index ->> 'stream' = 'analytics'
                                            then 'public.analytics_events' else 'public.learning_events' end,
                                            events -> index ->> 'occurred_at')
                                else sqlerrm end),
          hint = nothing_stored;
      end;
    end loop;
    raise exception using errcode = '22023', message = 'the batch failed, but none of its events alone',
      hint = 'Nothing of this batch was stored; resend it.';
  end if;
  return query select stored, total - stored;
end
$$;
comment on function private.record_learning_events(jsonb) is
  'The body of public.record_learning_events(): validates every event, applies the per-learner rate, stores '
  'the batch in one statement (resent event ids skipped), or raises naming the first bad event and stores none.';
revoke execute on function private.record_learning_events(jsonb) from public;
grant execute on function private.record_learning_events(jsonb) to authenticated, service_role;

-- ======================================================================
-- views
-- ======================================================================

create view public.practice_metrics_daily with (security_invoker = true) as
select user_id, day, mode, sessions, xp_gained,
  round(score_sum / nullif(score_count, 0), 2) as average_score,
  answers, correct_answers,
  round(100.0 * correct_answers / nullif(answers, 0), 2) as accuracy,
  round(active_seconds / 60.0, 1) as active_minutes
from analytics.user_mode_daily;
comment on view public.practice_metrics_daily is
  'Per user, local day and practice mode: sessions, XP gained, average score, answers, accuracy (%).';
revoke all privileges on table public.practice_metrics_daily from anon, authenticated;
grant select on table public.practice_metrics_daily to authenticated, service_role;

create view public.daily_practice_summaries with (security_invoker = true) as
select d.user_id, d.day,
  (d.active_seconds / 60)::integer as total_minutes,
  d.sessions, d.questions_answered, d.correct_answers,
  round(100.0 * d.correct_answers / nullif(d.questions_answered, 0), 2) as accuracy,
  (d.response_ms_sum / nullif(d.response_count, 0))::integer as average_response_ms,
  d.facts_reviewed, d.new_facts_learned, d.facts_mastered,
  (select jsonb_object_agg(m.mode, (m.active_seconds / 60)::integer order by m.mode)
   from analytics.user_mode_daily as m where m.user_id = d.user_id and m.day = d.day) as time_by_mode,
  d.xp_gained, d.daily_goal_minutes,
  d.active_seconds >= d.daily_goal_minutes * 60 as daily_goal_met
from analytics.user_daily as d;
comment on view public.daily_practice_summaries is
  'Per user and local day: minutes, sessions, answers, accuracy (%), facts, minutes by mode and whether the '
  'daily goal (user_settings.daily_goal_minutes when the day was rolled up) was met.';
revoke all privileges on table public.daily_practice_summaries from anon, authenticated;
grant select on table public.daily_practice_summaries to authenticated, service_role;

create view public.engagement_analytics with (security_invoker = true) as
select user_id, day,
  (active_seconds / 60)::integer as total_minutes,
  (lesson_seconds / 60)::integer as lesson_minutes,
  (exercise_seconds / 60)::integer as exercise_minutes,
  concepts_viewed, exercises_completed, exercises_mastered,
  sessions as session_count,
  (active_seconds / 60 / nullif(sessions, 0))::integer as average_session_minutes,
  concepts_mastered,
  round(mastery_score_sum / nullif(mastery_score_count, 0), 2) as average_mastery_score,
  remediation_sessions
from analytics.user_daily;
comment on view public.engagement_analytics is
  'Per user and local day: time by kind, concepts and exercises, sessions, mastery, remediation.';
revoke all privileges on table public.engagement_analytics from anon, authenticated;
grant select on table public.engagement_analytics to authenticated, service_role;

create view public.learning_analytics with (security_invoker = true) as
select user_id, day as session_date,
  active_seconds as session_duration,
  lessons_completed, assessments_completed,
  score_sum as total_score
from analytics.user_daily;
comment on view public.learning_analytics is
  'Per user and local day: seconds spent, lessons and assessments completed, total score.';
revoke all privileges on table public.learning_analytics from anon, authenticated;
grant select on table public.learning_analytics to authenticated, service_role;

create view public.career_analytics with (security_invoker = true) as
select day, value as career, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'career' group by day, value;
comment on view public.career_analytics is 'Per local day and career: learners, events and minutes (of rows you may see).';
revoke all privileges on table public.career_analytics from anon, authenticated;
grant select on table public.career_analytics to authenticated, service_role;

create view public.companion_analytics with (security_invoker = true) as
select day, value as companion, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'companion' group by day, value;
comment on view public.companion_analytics is 'Per local day and AI companion: learners, events and minutes.';
revoke all privileges on table public.companion_analytics from anon, authenticated;
grant select on table public.companion_analytics to authenticated, service_role;

create view public.skill_analytics with (security_invoker = true) as
select day, value as skill, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'skill' group by day, value;
comment on view public.skill_analytics is 'Per local day and skill: learners, events and minutes.';
revoke all privileges on table public.skill_analytics from anon, authenticated;
grant select on table public.skill_analytics to authenticated, service_role;

create view public.journey_analytics with (security_invoker = true) as
select day, value as journey, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'journey' group by day, value;
comment on view public.journey_analytics is 'Per local day and journey: learners, events and minutes.';
revoke all privileges on table public.journey_analytics from anon, authenticated;
grant select on table public.journey_analytics to authenticated, service_role;

-- ======================================================================
-- API
-- ======================================================================

create function public.record_learning_events(events jsonb)
returns table (recorded integer, duplicates integer)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from private.record_learning_events(events)
$$;
comment on function public.record_learning_events(jsonb) is
  'Records a batch of learning events (stream "learning", the default: public.learning_events) and client '
  'analytics (stream "analytics": public.analytics_events) in their monthly partitions: each event an object '
  'with event_id (the device''s UUID for it: a resent event is stored once), event_type, occurred_at (ISO 8601 '
  'with offset) and its columns. At most private.event_ingest_limits events and bytes per call and events per '
  'learner per minute (54000 beyond). A bad event raises 22023 naming its index and reason, and none of the '
  'batch is stored. Returns how many events were recorded and how many were duplicates. See docs/ingestion.md.';
revoke execute on function public.record_learning_events(jsonb) from public;
grant execute on function public.record_learning_events(jsonb) to authenticated, service_role;

-- ======================================================================
-- triggers
-- ======================================================================

-- The event-time check runs its function only for the rows that need it: a row trigger's call costs more than
-- its WHEN test (a third of a batch's insert time, measured). A row passed by (received_at already this
-- transaction's time, as its default sets it, and occurred_at in range) is one the function leaves as it is.
create trigger analytics_events_check_event_time before insert on public.analytics_events
  for each row
  when (new.received_at is distinct from now() or new.occurred_at > now() + interval '5 minutes'
        or new.occurred_at < now() - interval '7 days')
  execute function private.trigger_check_event_time();

create trigger learning_events_check_event_time before insert on public.learning_events
  for each row
  when (new.received_at is distinct from now() or new.occurred_at > now() + interval '5 minutes'
        or new.occurred_at < now() - interval '7 days')
  execute function private.trigger_check_event_time();

-- The WHEN clause (the same limits) skips the function for events within them: process-awards logs one per XP
-- change.
create trigger analytics_events_bound_input before insert or update on public.analytics_events
  for each row
  when (octet_length(new.event_data::text) > 16384 or char_length(new.event_type) > 2000)
  execute function private.trigger_bound_input(
    'event_data:16384:json', 'event_type:2000');
