-- create learning sessions
--
-- learning_sessions unifies Pathfinity's container sessions, SignifyAI's and
-- the Math engine's practice sessions, Spool's learning and interview
-- sessions; answer_attempts records every answer. Grading (is_correct),
-- attempt numbers, counters and server timestamps are set by triggers.

-- ---------------------------------------------------------------- types
create type public.session_type as enum (
    'lesson', 'practice', 'exercise', 'assessment', 'review', 'container', 'interview'
);
create type public.session_status as enum ('active', 'paused', 'completed', 'abandoned');
create type public.input_method as enum ('keyboard', 'touch', 'voice', 'handwriting', 'mouse');

-- ---------------------------------------------------------------- learning_sessions
create table public.learning_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  session_type public.session_type not null,
  container public.learning_container,
  mode text check (char_length(mode) <= 30),
  subject_id uuid references public.subjects (id) on delete set null,
  course_id uuid references public.courses (id) on delete set null,
  lesson_id uuid references public.lessons (id) on delete set null,
  concept_id uuid references public.concepts (id) on delete set null,
  learning_path_id uuid references public.learning_paths (id) on delete set null,
  journey_id uuid,
  media_id uuid references public.media_assets (id) on delete set null,
  status public.session_status not null default 'active',
  config jsonb not null default '{}' check (jsonb_typeof(config) = 'object'),
  content jsonb not null default '{}' check (jsonb_typeof(content) = 'object'),
  life_category public.life_category,
  raw_metrics jsonb,
  interactions jsonb not null default '[]' check (jsonb_typeof(interactions) = 'array'),
  idle_periods jsonb not null default '[]' check (jsonb_typeof(idle_periods) = 'array'),
  engagement jsonb not null default '{}' check (jsonb_typeof(engagement) = 'object'),
  device_type text check (device_type in ('desktop', 'tablet', 'mobile')),
  client_info jsonb not null default '{}' check (jsonb_typeof(client_info) = 'object'),
  current_question_index integer not null default 0 check (current_question_index >= 0),
  active_seconds integer check (active_seconds >= 0),
  paused_seconds integer not null default 0 check (paused_seconds >= 0),
  questions_attempted integer not null default 0,
  questions_correct integer not null default 0,
  hints_used integer not null default 0,
  accuracy numeric(5, 2),
  average_response_time_ms integer,
  score numeric(5, 2) check (score between 0 and 100),
  feedback jsonb,
  mastery_gained numeric(5, 2) not null default 0,
  newly_mastered_question_ids uuid[] not null default '{}',
  xp_earned integer not null default 0,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  duration_seconds integer generated always as (extract(epoch from ended_at - started_at)::integer) stored,
  updated_at timestamptz not null default now()
);
create index learning_sessions_user_id_idx on public.learning_sessions (user_id, started_at desc);
create index learning_sessions_user_ended_idx on public.learning_sessions (user_id, ended_at desc);
create index learning_sessions_subject_id_idx on public.learning_sessions (subject_id);
create index learning_sessions_course_id_idx on public.learning_sessions (course_id);
create index learning_sessions_lesson_id_idx on public.learning_sessions (lesson_id);
create index learning_sessions_concept_id_idx on public.learning_sessions (concept_id);
create index learning_sessions_learning_path_id_idx on public.learning_sessions (learning_path_id);
create index learning_sessions_journey_id_idx on public.learning_sessions (journey_id);
create index learning_sessions_media_id_idx on public.learning_sessions (media_id);

alter table public.learning_sessions enable row level security;
comment on table public.learning_sessions is
  'One sitting of learning: Pathfinity container (LEARN/EXPERIENCE/DISCOVER), SignifyAI practice '
  '(mode word/sentence/freestyle), Spool learning or interview session, Math-engine practice. Counters, '
  'score, feedback, mastery, xp and ended_at are server-owned.';
comment on column public.learning_sessions.content is
  'What was delivered: Spool''s personalized content, selected hooks and examples; interview questions and responses.';
comment on column public.learning_sessions.journey_id is 'The journey_summaries row this container session belongs to.';

revoke all on table public.learning_sessions from anon, authenticated;
grant select on table public.learning_sessions to authenticated;
grant insert (user_id, session_type, container, mode, subject_id, course_id, lesson_id, concept_id, learning_path_id,
  journey_id, media_id, config, content, life_category, raw_metrics, interactions, idle_periods, engagement,
  device_type, client_info)
  on table public.learning_sessions to authenticated;
grant update (status, raw_metrics, interactions, idle_periods, engagement, current_question_index, active_seconds,
  paused_seconds, media_id)
  on table public.learning_sessions to authenticated;
grant all on table public.learning_sessions to service_role;

-- ended_at is stamped when a session finishes; a finished session stays finished.
create function private.trigger_stamp_session_end() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if old.status in ('completed', 'abandoned') and new.status <> old.status
     and current_user in ('authenticated', 'anon') then
    raise exception using
      errcode = '42501',
      message = format('learning session %s is already %s', old.id, old.status);
  end if;
  if new.status in ('completed', 'abandoned') and old.status not in ('completed', 'abandoned') then
    new.ended_at := now();
  end if;
  return new;
end
$$;
create trigger learning_sessions_stamp_end before update on public.learning_sessions
  for each row execute function private.trigger_stamp_session_end();

-- ---------------------------------------------------------------- answer_attempts
create table public.answer_attempts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  session_id uuid not null references public.learning_sessions (id) on delete cascade,
  question_id uuid not null references public.questions (id) on delete cascade,
  answer jsonb not null,
  raw_input text check (char_length(raw_input) <= 10000),
  is_correct boolean,
  response_time_ms integer not null check (response_time_ms >= 0),
  attempt_number integer not null default 1,
  hints_used smallint not null default 0 check (hints_used >= 0),
  input_method public.input_method not null default 'keyboard',
  confidence_rating smallint check (confidence_rating between 1 and 5),
  fluency_score numeric(3, 2),
  answered_at timestamptz not null default now()
);
create index answer_attempts_user_id_idx on public.answer_attempts (user_id, answered_at desc);
create index answer_attempts_user_question_idx on public.answer_attempts (user_id, question_id);
create index answer_attempts_session_id_idx on public.answer_attempts (session_id, answered_at);
create index answer_attempts_question_id_idx on public.answer_attempts (question_id);

alter table public.answer_attempts enable row level security;
comment on table public.answer_attempts is
  'Every answer a learner gives: response time, hints used, attempt number, input method. is_correct, '
  'attempt_number, fluency_score and answered_at are set by the server from the hidden answer key.';

revoke all on table public.answer_attempts from anon, authenticated;
grant select on table public.answer_attempts to authenticated;
grant insert (user_id, session_id, question_id, answer, raw_input, response_time_ms, hints_used, input_method,
  confidence_rating)
  on table public.answer_attempts to authenticated;
grant all on table public.answer_attempts to service_role;

-- Grades the attempt and numbers it within its session, whatever the client sent.
-- A client request (role authenticated or anon) always gets answered_at = now();
-- the server (service_role, imports, seeds) may record when an answer was given.
create function private.trigger_grade_answer_attempt() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if current_setting('role', true) in ('authenticated', 'anon') or new.answered_at is null then
    new.answered_at := now();
  end if;
  new.is_correct := private.check_answer(new.question_id, new.answer);
  new.attempt_number := 1 + (
    select count(*) from public.answer_attempts
    where session_id = new.session_id and question_id = new.question_id and user_id = new.user_id);
  new.fluency_score := case
    when new.is_correct then round(least(1.0, 2000.0 / greatest(new.response_time_ms, 1))::numeric, 2)
    when new.is_correct is not null then 0 end;
  return new;
end
$$;
create trigger answer_attempts_grade before insert on public.answer_attempts
  for each row execute function private.trigger_grade_answer_attempt();

-- ---------------------------------------------------------------- policies
-- supabase/policies/learning_sessions.sql
-- Policies of public.learning_sessions: a learner starts and updates their own
-- sessions; guardians and staff read them. Scores, counters and ended_at are
-- server-owned (column privileges and a trigger).

create policy "Students can read their own learning sessions"
  on public.learning_sessions for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' learning sessions"
  on public.learning_sessions for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' learning sessions"
  on public.learning_sessions for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can start their own learning sessions"
  on public.learning_sessions for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can update their own learning sessions"
  on public.learning_sessions for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- supabase/policies/answer_attempts.sql
-- Policies of public.answer_attempts: learners record answers in their own open
-- sessions to questions they can read; guardians and staff read them. Nobody
-- but service_role changes or deletes an attempt.

create policy "Students can read their own answer attempts"
  on public.answer_attempts for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' answer attempts"
  on public.answer_attempts for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' answer attempts"
  on public.answer_attempts for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can answer in their own active sessions"
  on public.answer_attempts for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and session_id in (
      select id from public.learning_sessions
      where user_id = (select auth.uid()) and status in ('active', 'paused'))
    and exists (select from public.questions where questions.id = answer_attempts.question_id));
