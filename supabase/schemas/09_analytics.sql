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
create index analytics_events_user_id_idx on public.analytics_events (user_id, occurred_at);
create index analytics_events_organization_id_idx on public.analytics_events (organization_id, occurred_at);
create index analytics_events_ingest_xid_idx on public.analytics_events (ingest_xid);

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
create index learning_events_user_id_idx on public.learning_events (user_id, occurred_at);
create index learning_events_organization_id_idx on public.learning_events (organization_id, occurred_at);
create index learning_events_ingest_xid_idx on public.learning_events (ingest_xid);

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

-- ======================================================================
-- reference rows
-- ======================================================================

insert into analytics.rollup_watermarks (name) values ('daily');

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
  if (select auth.uid()) is not null and new.occurred_at < new.received_at - interval '7 days' then
    raise exception using errcode = '22023',
      message = format('occurred_at %s is more than 7 days old', new.occurred_at);
  end if;
  return new;
end
$$;
comment on function private.trigger_check_event_time() is
  'Event tables: received_at is the server time; occurred_at may not be in the future, nor older than '
  '7 days when a signed-in user sends it.';

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
-- triggers
-- ======================================================================

create trigger analytics_events_check_event_time before insert on public.analytics_events
  for each row execute function private.trigger_check_event_time();

create trigger learning_events_check_event_time before insert on public.learning_events
  for each row execute function private.trigger_check_event_time();

create trigger analytics_events_bound_input before insert or update on public.analytics_events
  for each row execute function private.trigger_bound_input(
    'event_data:16384:json', 'event_type:2000');
