-- create daily rollups
--
-- Daily aggregates of learning_events and analytics_events per user and local
-- day (the user's profile time zone), in schema `analytics`, which the Data API
-- does not expose: dashboards read them through the security-invoker views of
-- the next migration, and row level security here decides which rows a caller
-- sees (their own, their students', their organizations' students').
--
-- Maintained incrementally from a watermark: the snapshot (pg_snapshot) the
-- last refresh ran in. A refresh takes the current snapshot and folds in
-- exactly the events visible now and not visible then — whatever their
-- occurred_at, so late events land on their own (old) day — then stores the
-- new snapshot, all in one transaction. Transactions still open during a
-- refresh are picked up by the next one, so each event is counted exactly
-- once. A full rebuild (truncate and fold in everything) is the fallback.

-- ---------------------------------------------------------------- schema
create schema analytics;
revoke all on schema analytics from public;
grant usage on schema analytics to authenticated, service_role;
comment on schema analytics is 'Rollup tables; read through the public security-invoker views.';

-- ---------------------------------------------------------------- user_mode_daily
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

-- ---------------------------------------------------------------- user_daily
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
create index user_daily_day_idx on analytics.user_daily (day);
alter table analytics.user_daily enable row level security;
comment on table analytics.user_daily is
  'Per user and local day: practice, engagement and learning totals (Math engine daily_practice_summaries, '
  'Spool engagement_analytics, AI Learning Assistant learning_analytics). Server-owned.';
comment on column analytics.user_daily.daily_goal_minutes is
  'The user''s daily goal when the day was first rolled up (a full rebuild takes the current goal).';
revoke all on table analytics.user_daily from public, anon, authenticated;
grant select on table analytics.user_daily to authenticated;
grant all on table analytics.user_daily to service_role;

-- ---------------------------------------------------------------- event_dimension_daily
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
create index event_dimension_daily_dimension_idx on analytics.event_dimension_daily (dimension, value, day);
alter table analytics.event_dimension_daily enable row level security;
comment on table analytics.event_dimension_daily is
  'Per user, local day, Pathfinity dimension (career, companion, skill, journey: keys of '
  'analytics_events.event_data), value and event type: event counts and time. Server-owned.';
revoke all on table analytics.event_dimension_daily from public, anon, authenticated;
grant select on table analytics.event_dimension_daily to authenticated;
grant all on table analytics.event_dimension_daily to service_role;

-- ---------------------------------------------------------------- rollup_watermarks
create table analytics.rollup_watermarks (
  name text primary key,
  snapshot pg_snapshot,
  refreshed_at timestamptz,
  refresh_kind text check (refresh_kind in ('incremental', 'full'))
);
alter table analytics.rollup_watermarks enable row level security;
comment on table analytics.rollup_watermarks is
  'The snapshot the last rollup refresh ran in: events visible in it are already counted.';
revoke all on table analytics.rollup_watermarks from public, anon, authenticated, service_role;
insert into analytics.rollup_watermarks (name) values ('daily');

-- ---------------------------------------------------------------- policies
-- supabase/policies/analytics_rollups.sql
create policy "Learners, guardians and staff can read practice metrics"
  on analytics.user_mode_daily for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids())
  );

create policy "Learners, guardians and staff can read daily summaries"
  on analytics.user_daily for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids())
  );

create policy "Learners, guardians and staff can read event rollups"
  on analytics.event_dimension_daily for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids())
  );

-- ---------------------------------------------------------------- folding events in
create function analytics.fold_events(after pg_snapshot, upto pg_snapshot) returns bigint
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
comment on function analytics.fold_events(pg_snapshot, pg_snapshot) is
  'Adds to the rollups the events visible in snapshot `upto` and not in `after`; returns rollup rows written.';
revoke execute on function analytics.fold_events(pg_snapshot, pg_snapshot) from public;

create function analytics.refresh_rollups(full_rebuild boolean default false) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  last_snapshot pg_snapshot;
  current_snapshot pg_snapshot;
  written bigint;
begin
  -- The row lock serialises refreshes even without the worker's advisory lock.
  select snapshot into last_snapshot from analytics.rollup_watermarks where name = 'daily' for update;
  if not found then
    raise exception using errcode = 'P0002', message = 'the daily rollup watermark row is missing';
  end if;
  current_snapshot := pg_catalog.pg_current_snapshot();
  if full_rebuild or last_snapshot is null then
    truncate analytics.user_mode_daily, analytics.user_daily, analytics.event_dimension_daily;
    -- xmin = xmax = 1: no transaction is visible in it, so everything visible now is folded in.
    last_snapshot := '1:1:'::pg_snapshot;
  end if;
  written := analytics.fold_events(last_snapshot, current_snapshot);
  update analytics.rollup_watermarks
  set snapshot = current_snapshot, refreshed_at = now(),
      refresh_kind = case when full_rebuild then 'full' else 'incremental' end
  where name = 'daily';
  return written;
end
$$;
comment on function analytics.refresh_rollups(boolean) is
  'Folds the events since the last refresh into the daily rollups (or rebuilds them all when full_rebuild) '
  'and moves the watermark, in the caller''s transaction; returns rollup rows written.';
revoke execute on function analytics.refresh_rollups(boolean) from public;
