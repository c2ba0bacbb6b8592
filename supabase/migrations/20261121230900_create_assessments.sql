-- create assessments
--
-- Spool's step-by-step assessments with their generated exercises and
-- remediation paths, the AI Learning Assistant's coding attempts, and
-- Pathfinity's journey summaries. Evaluation (scores, step verdicts,
-- feedback) is written by the server; a trigger derives the step counts and
-- the competency score from the step evaluations.

-- ---------------------------------------------------------------- types
create type public.assessment_type as enum ('initial_exercise', 'advanced_exercise', 'remediation');
create type public.assessment_status as enum ('in_progress', 'submitted', 'evaluated', 'abandoned');
create type public.attempt_status as enum ('not_started', 'in_progress', 'completed', 'abandoned');
create type public.remediation_status as enum ('queued', 'active', 'completed', 'abandoned');

-- ---------------------------------------------------------------- exercise_generations
create table public.exercise_generations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  learning_session_id uuid references public.learning_sessions (id) on delete cascade,
  concept_id uuid references public.concepts (id) on delete set null,
  generation_type text not null check (generation_type in ('initial', 'advanced', 'remediation')),
  target_step text,
  student_interests jsonb not null default '[]',
  life_category public.life_category,
  selected_interest text,
  base_template text,
  personalization_prompt text,
  final_prompt text,
  generated_exercise jsonb not null,
  expected_solution jsonb,
  expected_steps jsonb,
  generation_model text,
  generation_time_ms integer,
  token_count integer,
  difficulty text check (difficulty in ('easy', 'medium', 'hard')),
  relevance_score numeric(3, 2) check (relevance_score between 0 and 1),
  created_at timestamptz not null default now()
);
create index exercise_generations_user_id_idx on public.exercise_generations (user_id, created_at desc);
create index exercise_generations_session_idx on public.exercise_generations (learning_session_id);
create index exercise_generations_concept_id_idx on public.exercise_generations (concept_id);

alter table public.exercise_generations enable row level security;
comment on table public.exercise_generations is
  'An exercise the AI generated for a learner (Spool). The expected solution and steps, and the prompts, '
  'are server-only: authenticated users have no select privilege on those columns.';

revoke all on table public.exercise_generations from anon, authenticated;
grant select (id, user_id, learning_session_id, concept_id, generation_type, target_step, life_category,
  selected_interest, generated_exercise, difficulty, created_at)
  on table public.exercise_generations to authenticated;
grant all on table public.exercise_generations to service_role;

-- ---------------------------------------------------------------- assessments
create table public.assessments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  concept_id uuid references public.concepts (id) on delete set null,
  learning_session_id uuid references public.learning_sessions (id) on delete set null,
  exercise_generation_id uuid references public.exercise_generations (id) on delete set null,
  assessment_type public.assessment_type not null,
  exercise_level public.difficulty_level not null default 'intermediate',
  life_category public.life_category,
  personalization_context jsonb,
  exercise_prompt text not null,
  student_response text,
  response_format text check (response_format in ('text', 'voice', 'mixed')),
  status public.assessment_status not null default 'in_progress',
  identified_steps jsonb,
  step_evaluations jsonb check (jsonb_typeof(step_evaluations) = 'array'),
  missing_steps jsonb,
  incorrect_steps jsonb,
  steps_correct integer,
  steps_total integer,
  competency_score numeric(3, 2) check (competency_score between 0 and 1),
  conceptual_understanding numeric(3, 2) check (conceptual_understanding between 0 and 1),
  articulation_quality numeric(3, 2) check (articulation_quality between 0 and 1),
  application_ability numeric(3, 2) check (application_ability between 0 and 1),
  ai_feedback text,
  remediation_needed boolean not null default false,
  remediation_focus text,
  time_taken_seconds integer check (time_taken_seconds >= 0),
  started_at timestamptz not null default now(),
  submitted_at timestamptz,
  evaluated_at timestamptz
);
create index assessments_user_id_idx on public.assessments (user_id, started_at desc);
create index assessments_concept_id_idx on public.assessments (concept_id);
create index assessments_learning_session_id_idx on public.assessments (learning_session_id);
create index assessments_exercise_generation_id_idx on public.assessments (exercise_generation_id);
create index assessments_remediation_idx on public.assessments (remediation_needed) where remediation_needed;

alter table public.assessments enable row level security;
comment on table public.assessments is
  'Spool''s step-by-step assessment: the learner''s response, then the server''s step evaluations '
  '([{step, status: correct|incorrect|missing, feedback}]), from which a trigger derives steps and competency.';

revoke all on table public.assessments from anon, authenticated;
grant select on table public.assessments to authenticated;
grant insert (user_id, concept_id, learning_session_id, exercise_generation_id, assessment_type, exercise_level,
  life_category, exercise_prompt, student_response, response_format, time_taken_seconds)
  on table public.assessments to authenticated;
grant update (student_response, response_format, status, time_taken_seconds)
  on table public.assessments to authenticated;
grant all on table public.assessments to service_role;

-- Learners edit and submit; once submitted the response is frozen for them.
-- Security invoker on purpose: current_user tells a learner from the server.
-- When the server writes step_evaluations the counts, score and remediation
-- flag follow from them.
create function private.trigger_evaluate_assessment_steps() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  threshold numeric := coalesce((select mastery_threshold from public.concepts where id = new.concept_id), 0.80);
begin
  if current_user in ('authenticated', 'anon') then
    if tg_op = 'UPDATE' and old.status <> 'in_progress' then
      raise exception using
        errcode = '42501', message = format('assessment %s was already %s', old.id, old.status);
    end if;
    if new.status not in ('in_progress', 'submitted', 'abandoned') then
      raise exception using
        errcode = '42501', message = 'only the server can mark an assessment evaluated';
    end if;
  end if;
  if new.status = 'submitted' and (tg_op = 'INSERT' or old.status <> 'submitted') then
    new.submitted_at := now();
  end if;
  if new.step_evaluations is not null
     and (tg_op = 'INSERT' or new.step_evaluations is distinct from old.step_evaluations) then
    select
      count(*) filter (where step ->> 'status' = 'correct'),
      count(*),
      coalesce(jsonb_agg(step) filter (where step ->> 'status' = 'missing'), '[]'::jsonb),
      coalesce(jsonb_agg(step) filter (where step ->> 'status' = 'incorrect'), '[]'::jsonb)
    into new.steps_correct, new.steps_total, new.missing_steps, new.incorrect_steps
    from jsonb_array_elements(new.step_evaluations) step;
    new.competency_score := round(new.steps_correct::numeric / nullif(new.steps_total, 0), 2);
    new.remediation_needed := coalesce(new.competency_score < threshold, false);
    new.status := 'evaluated';
    new.evaluated_at := now();
  end if;
  return new;
end
$$;
create trigger assessments_evaluate_steps before insert or update on public.assessments
  for each row execute function private.trigger_evaluate_assessment_steps();

-- ---------------------------------------------------------------- coding_attempts
create table public.coding_attempts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  test_id uuid not null references public.tests (id) on delete cascade,
  question_id uuid references public.questions (id) on delete cascade,
  status public.attempt_status not null default 'in_progress',
  submitted_code text check (char_length(submitted_code) <= 200000),
  language text not null default 'python',
  execution_result jsonb,
  tests_passed integer,
  tests_total integer,
  score numeric(5, 2) check (score between 0 and 100),
  time_spent_seconds integer check (time_spent_seconds >= 0),
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  updated_at timestamptz not null default now()
);
create index coding_attempts_user_id_idx on public.coding_attempts (user_id, started_at desc);
create index coding_attempts_test_id_idx on public.coding_attempts (test_id);
create index coding_attempts_question_id_idx on public.coding_attempts (question_id);

alter table public.coding_attempts enable row level security;
comment on table public.coding_attempts is
  'The AI Learning Assistant''s assessment_attempts: submitted code; execution result, tests passed and score '
  'are written by the server that runs the hidden test cases.';

revoke all on table public.coding_attempts from anon, authenticated;
grant select on table public.coding_attempts to authenticated;
grant insert (user_id, test_id, question_id, submitted_code, language, time_spent_seconds)
  on table public.coding_attempts to authenticated;
grant update (status, submitted_code, language, time_spent_seconds) on table public.coding_attempts to authenticated;
grant all on table public.coding_attempts to service_role;

create function private.trigger_stamp_coding_attempt() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if current_user in ('authenticated', 'anon') and old.status in ('completed', 'abandoned') then
    raise exception using
      errcode = '42501', message = format('coding attempt %s is already %s', old.id, old.status);
  end if;
  if new.status in ('completed', 'abandoned') and old.status not in ('completed', 'abandoned') then
    new.completed_at := now();
  end if;
  return new;
end
$$;
create trigger coding_attempts_stamp before update on public.coding_attempts
  for each row execute function private.trigger_stamp_coding_attempt();

-- ---------------------------------------------------------------- remediation_paths
create table public.remediation_paths (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  original_assessment_id uuid references public.assessments (id) on delete cascade,
  concept_id uuid references public.concepts (id) on delete cascade,
  focus_area text not null,
  target_steps jsonb not null default '[]',
  exercise_ids uuid[] not null default '{}',
  current_exercise_index integer not null default 0,
  status public.remediation_status not null default 'queued',
  priority smallint not null default 0,
  exercises_completed integer not null default 0,
  exercises_total integer not null default 0,
  initial_understanding numeric(3, 2) check (initial_understanding between 0 and 1),
  final_understanding numeric(3, 2) check (final_understanding between 0 and 1),
  improvement_percentage integer generated always as (
    case when initial_understanding > 0
      then round(100 * (final_understanding - initial_understanding) / initial_understanding)::integer end
  ) stored,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now()
);
create index remediation_paths_user_id_idx on public.remediation_paths (user_id, status);
create index remediation_paths_assessment_idx on public.remediation_paths (original_assessment_id);
create index remediation_paths_concept_id_idx on public.remediation_paths (concept_id);

alter table public.remediation_paths enable row level security;
comment on table public.remediation_paths is
  'Remediation sequence for a concept (Spool remediation_paths; Pathfinity remediation_queue as status queued). '
  'Created and advanced by the server.';

revoke all on table public.remediation_paths from anon, authenticated;
grant select on table public.remediation_paths to authenticated;
grant all on table public.remediation_paths to service_role;

-- ---------------------------------------------------------------- journey_summaries
create table public.journey_summaries (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  grade_level public.grade_level,
  career text check (char_length(career) <= 100),
  companion text check (char_length(companion) <= 100),
  total_xp_earned integer not null default 0,
  total_time_seconds integer not null default 0,
  overall_score numeric(5, 2) not null default 0,
  skills_mastered integer not null default 0,
  skills_attempted integer not null default 0,
  learn_progress jsonb not null default '{}',
  experience_progress jsonb not null default '{}',
  discover_progress jsonb not null default '{}',
  lesson_plan_media_id uuid references public.media_assets (id) on delete set null,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index journey_summaries_user_id_idx on public.journey_summaries (user_id, started_at desc);
create index journey_summaries_lesson_plan_idx on public.journey_summaries (lesson_plan_media_id);

alter table public.journey_summaries enable row level security;
comment on table public.journey_summaries is
  'Pathfinity''s journey (learning_journeys + journey_summaries): career and companion chosen by the learner; '
  'metrics and container progress written by the server; lesson-plan PDF as a media asset.';

alter table public.learning_sessions
  add constraint learning_sessions_journey_id_fkey
  foreign key (journey_id) references public.journey_summaries (id) on delete set null;

revoke all on table public.journey_summaries from anon, authenticated;
grant select on table public.journey_summaries to authenticated;
grant insert (user_id, grade_level, career, companion) on table public.journey_summaries to authenticated;
grant update (career, companion) on table public.journey_summaries to authenticated;
grant all on table public.journey_summaries to service_role;

create trigger journey_summaries_set_updated_at before update on public.journey_summaries
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- policies
-- supabase/policies/exercise_generations.sql
-- Policies of public.exercise_generations: exercises generated for a learner. Only the
-- server writes them; the solution and prompt columns are not granted to
-- authenticated at all (column privileges).

create policy "Students can read their own generated exercises"
  on public.exercise_generations for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' generated exercises"
  on public.exercise_generations for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' generated exercises"
  on public.exercise_generations for select to authenticated
  using (user_id in (select private.staff_student_ids()));

-- supabase/policies/assessments.sql
-- Policies of public.assessments: a learner answers and submits their own
-- assessments; evaluation is the server's. Guardians and staff read.

create policy "Students can read their own assessments"
  on public.assessments for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' assessments"
  on public.assessments for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' assessments"
  on public.assessments for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can start their own assessments"
  on public.assessments for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can answer their own open assessments"
  on public.assessments for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- supabase/policies/coding_attempts.sql
-- Policies of public.coding_attempts: learners submit code to tests they can
-- read; results and scores are the server's. Guardians and staff read.

create policy "Students can read their own coding attempts"
  on public.coding_attempts for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' coding attempts"
  on public.coding_attempts for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' coding attempts"
  on public.coding_attempts for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can submit code to tests they can read"
  on public.coding_attempts for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select from public.tests where tests.id = coding_attempts.test_id));

create policy "Students can update their own open coding attempts"
  on public.coding_attempts for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- supabase/policies/remediation_paths.sql
-- Policies of public.remediation_paths: server-created remediation. The learner,
-- their guardians and staff read it; only service_role writes.

create policy "Students can read their own remediation paths"
  on public.remediation_paths for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' remediation paths"
  on public.remediation_paths for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' remediation paths"
  on public.remediation_paths for select to authenticated
  using (user_id in (select private.staff_student_ids()));

-- supabase/policies/journey_summaries.sql
-- Policies of public.journey_summaries: a learner starts a journey choosing career
-- and companion; its metrics are the server's. Guardians and staff read.

create policy "Students can read their own journey summaries"
  on public.journey_summaries for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' journey summaries"
  on public.journey_summaries for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' journey summaries"
  on public.journey_summaries for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can start their own journeys"
  on public.journey_summaries for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can change their own journey's career and companion"
  on public.journey_summaries for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
