-- Learning: enrollments and lesson progress, learning paths, sessions, answer attempts (graded against the
-- hidden key), per-question and per-concept progress with SM-2 review scheduling and mastery, assessments,
-- coding attempts and remediation.
-- Policies: one file per table in supabase/policies/.

-- ======================================================================
-- types
-- ======================================================================

create type public.enrollment_status as enum ('active', 'paused', 'completed', 'dropped');

create type public.learning_path_status as enum ('active', 'paused', 'completed', 'abandoned');

create type public.session_type as enum (
    'lesson', 'practice', 'exercise', 'assessment', 'review', 'container', 'interview'
);

create type public.session_status as enum ('active', 'paused', 'completed', 'abandoned');

create type public.input_method as enum ('keyboard', 'touch', 'voice', 'handwriting', 'mouse');

create type public.fluency_level as enum (
    'not_started', 'learning', 'accuracy', 'fluency_6s', 'fluency_3s_2s', 'mastered'
);

create type public.skill_status as enum ('not_started', 'viewing', 'practicing', 'completed', 'mastered');

create type public.exercise_status as enum ('not_started', 'in_progress', 'completed');

create type public.assessment_type as enum ('initial_exercise', 'advanced_exercise', 'remediation');

create type public.assessment_status as enum ('in_progress', 'submitted', 'evaluated', 'abandoned');

create type public.attempt_status as enum ('not_started', 'in_progress', 'completed', 'abandoned');

create type public.remediation_status as enum ('queued', 'active', 'completed', 'abandoned');

-- ======================================================================
-- tables
-- ======================================================================

create table public.enrollments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  course_id uuid not null references public.courses (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  status public.enrollment_status not null default 'active',
  current_lesson_id uuid references public.lessons (id) on delete set null,
  progress_percentage numeric(5, 2) not null default 0 check (progress_percentage between 0 and 100),
  lessons_completed integer not null default 0,
  enrolled_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (user_id, course_id),
  constraint enrollments_completed_means_all_lessons check (status <> 'completed' or progress_percentage = 100)
);
alter table public.enrollments enable row level security;
comment on table public.enrollments is
  'A learner enrolled in a course or track; progress_percentage, lessons_completed and completed_at are '
  'kept by a trigger from lesson_progress.';
revoke all on table public.enrollments from anon, authenticated;
grant select on table public.enrollments to authenticated;
grant insert (user_id, course_id, status, current_lesson_id) on table public.enrollments to authenticated;
grant update (status, current_lesson_id) on table public.enrollments to authenticated;
grant all on table public.enrollments to service_role;
create index enrollments_course_id_idx on public.enrollments (course_id);
create index enrollments_organization_id_idx on public.enrollments (organization_id);
create index enrollments_current_lesson_id_idx on public.enrollments (current_lesson_id);

create table public.lesson_progress (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  lesson_id uuid not null references public.lessons (id) on delete cascade,
  course_id uuid references public.courses (id) on delete cascade,
  completed boolean not null default false,
  time_spent_seconds integer not null default 0 check (time_spent_seconds >= 0),
  last_position jsonb,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (user_id, lesson_id)
);
alter table public.lesson_progress enable row level security;
comment on table public.lesson_progress is
  'A learner''s progress in one lesson (AI Learning Assistant user_progress; Math-engine section completion). '
  'course_id, started_at and completed_at are server-owned.';
revoke all on table public.lesson_progress from anon, authenticated;
grant select on table public.lesson_progress to authenticated;
grant insert (user_id, lesson_id, completed, time_spent_seconds, last_position)
  on table public.lesson_progress to authenticated;
grant update (completed, time_spent_seconds, last_position) on table public.lesson_progress to authenticated;
grant all on table public.lesson_progress to service_role;
revoke insert (completed) on table public.lesson_progress from authenticated;
revoke update (completed) on table public.lesson_progress from authenticated;
comment on column public.lesson_progress.completed is
  'Server-owned: set by complete_lesson when the learner''s answers meet the lesson''s mastery_required and '
  'minimum_accuracy.';
create index lesson_progress_lesson_id_idx on public.lesson_progress (lesson_id);
create index lesson_progress_course_id_idx on public.lesson_progress (user_id, course_id);
create index lesson_progress_course_fk_idx on public.lesson_progress (course_id);

create table public.learning_paths (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  subject_id uuid not null references public.subjects (id) on delete cascade,
  course_id uuid references public.courses (id) on delete set null,
  textbook_id uuid references public.textbooks (id) on delete set null,
  current_concept_id uuid references public.concepts (id) on delete set null,
  next_concept_id uuid references public.concepts (id) on delete set null,
  concepts_completed integer not null default 0,
  concepts_total integer not null default 0,
  concepts_mastered integer not null default 0,
  average_mastery_score numeric(3, 2),
  estimated_completion_date date,
  daily_target_minutes smallint not null default 30 check (daily_target_minutes between 1 and 600),
  status public.learning_path_status not null default 'active',
  started_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  completed_at timestamptz,
  unique (user_id, subject_id)
);
alter table public.learning_paths enable row level security;
comment on table public.learning_paths is
  'Spool''s learning path of a learner in a subject; the metrics and next_concept_id are server-owned.';
revoke all on table public.learning_paths from anon, authenticated;
grant select on table public.learning_paths to authenticated;
grant insert (user_id, subject_id, course_id, textbook_id, current_concept_id, daily_target_minutes)
  on table public.learning_paths to authenticated;
grant update (current_concept_id, daily_target_minutes, status) on table public.learning_paths to authenticated;
grant all on table public.learning_paths to service_role;
create index learning_paths_course_id_idx on public.learning_paths (course_id);
create index learning_paths_textbook_id_idx on public.learning_paths (textbook_id);
create index learning_paths_current_concept_id_idx on public.learning_paths (current_concept_id);
create index learning_paths_next_concept_id_idx on public.learning_paths (next_concept_id);
create index learning_paths_subject_fk_idx on public.learning_paths (subject_id);

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
alter table public.journey_summaries enable row level security;
comment on table public.journey_summaries is
  'Pathfinity''s journey (learning_journeys + journey_summaries): career and companion chosen by the learner; '
  'metrics and container progress written by the server; lesson-plan PDF as a media asset.';
revoke all on table public.journey_summaries from anon, authenticated;
grant select on table public.journey_summaries to authenticated;
grant insert (user_id, grade_level, career, companion) on table public.journey_summaries to authenticated;
grant update (career, companion) on table public.journey_summaries to authenticated;
grant all on table public.journey_summaries to service_role;
create index journey_summaries_user_id_idx on public.journey_summaries (user_id, started_at desc);
create index journey_summaries_lesson_plan_idx on public.journey_summaries (lesson_plan_media_id);

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
  journey_id uuid references public.journey_summaries (id) on delete set null,
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
create index learning_sessions_user_id_idx on public.learning_sessions (user_id, started_at desc);
create index learning_sessions_user_ended_idx on public.learning_sessions (user_id, ended_at desc);
create index learning_sessions_subject_id_idx on public.learning_sessions (subject_id);
create index learning_sessions_course_id_idx on public.learning_sessions (course_id);
create index learning_sessions_lesson_id_idx on public.learning_sessions (lesson_id);
create index learning_sessions_concept_id_idx on public.learning_sessions (concept_id);
create index learning_sessions_learning_path_id_idx on public.learning_sessions (learning_path_id);
create index learning_sessions_journey_id_idx on public.learning_sessions (journey_id);
create index learning_sessions_media_id_idx on public.learning_sessions (media_id);

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
  answered_at timestamptz not null default now(),
  idempotency_key text check (char_length(idempotency_key) between 1 and 200),
  xp_awarded integer not null default 0,
  award_rule text,
  measured_response_ms integer check (measured_response_ms >= 0),
  constraint answer_attempts_idempotency_key_unique unique (user_id, idempotency_key)
);
alter table public.answer_attempts enable row level security;
comment on table public.answer_attempts is
  'Every answer a learner gives: response time, hints used, attempt number, input method. Recorded only by '
  'public.submit_answer (or private.record_answer for server-side writers), which grade it against the hidden '
  'answer key and set is_correct, attempt_number, fluency_score, answered_at and the award columns.';
revoke all on table public.answer_attempts from anon, authenticated;
grant select on table public.answer_attempts to authenticated;
grant all on table public.answer_attempts to service_role;
comment on column public.answer_attempts.idempotency_key is
  'Client key, unique per learner: submitting again with it returns the first attempt.';
comment on column public.answer_attempts.xp_awarded is 'Server-owned: XP this attempt earned.';
comment on column public.answer_attempts.award_rule is
  'Server-owned: correct_first_try, correct_second_try, correct_later_try, already_answered, incorrect, '
  'ungraded, daily_cap.';
comment on column public.answer_attempts.measured_response_ms is
  'Server-owned: milliseconds from the server serving the question in this session (serve_question) to the '
  'answer''s arrival; null if it was never served. Speed rewards use it, never response_time_ms.';
create index answer_attempts_user_id_idx on public.answer_attempts (user_id, answered_at desc);
create index answer_attempts_user_question_idx on public.answer_attempts (user_id, question_id);
create index answer_attempts_session_id_idx on public.answer_attempts (session_id, answered_at);
create index answer_attempts_question_id_idx on public.answer_attempts (question_id);

create table public.question_progress (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  question_id uuid not null references public.questions (id) on delete cascade,
  total_attempts integer not null default 0,
  correct_attempts integer not null default 0,
  incorrect_attempts integer not null default 0,
  average_response_time_ms integer,
  best_response_time_ms integer,
  last_response_time_ms integer,
  first_attempt_at timestamptz,
  last_attempt_at timestamptz,
  mastery numeric(3, 2) not null default 0 check (mastery between 0 and 1),
  fluency_level public.fluency_level not null default 'not_started',
  current_streak integer not null default 0,
  best_streak integer not null default 0,
  recent_attempts jsonb not null default '[]' check (jsonb_typeof(recent_attempts) = 'array'),
  ease_factor numeric(4, 2) not null default 2.50 check (ease_factor >= 1.30),
  review_interval_days integer,
  repetitions integer not null default 0,
  next_review_date date,
  unique (user_id, question_id)
);
alter table public.question_progress enable row level security;
comment on table public.question_progress is
  'Per-question progress of a learner (Math engine): counts, response times, mastery and fluency level '
  '(mastery trigger), streaks, last 5 attempts, SM-2 state. Entirely server-owned.';
revoke all on table public.question_progress from anon, authenticated;
grant select on table public.question_progress to authenticated;
grant all on table public.question_progress to service_role;
create index question_progress_question_id_idx on public.question_progress (question_id);
create index question_progress_mastery_idx on public.question_progress (user_id, fluency_level, mastery);
create index question_progress_review_idx on public.question_progress (user_id, next_review_date);

create table public.skill_progress (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  concept_id uuid not null references public.concepts (id) on delete cascade,
  learning_path_id uuid references public.learning_paths (id) on delete set null,
  status public.skill_status not null default 'not_started',
  hook_viewed boolean not null default false,
  examples_viewed integer not null default 0 check (examples_viewed >= 0),
  core_content_viewed boolean not null default false,
  initial_exercise_status public.exercise_status not null default 'not_started',
  advanced_exercise_status public.exercise_status not null default 'not_started',
  initial_exercise_score numeric(3, 2) check (initial_exercise_score between 0 and 1),
  advanced_exercise_score numeric(3, 2) check (advanced_exercise_score between 0 and 1),
  final_mastery_score numeric(3, 2) check (final_mastery_score between 0 and 1),
  total_attempts integer not null default 0,
  correct_attempts integer not null default 0,
  average_response_time_ms integer,
  mastery numeric(3, 2) not null default 0 check (mastery between 0 and 1),
  fluency_level public.fluency_level not null default 'not_started',
  remediation_count integer not null default 0,
  ease_factor numeric(4, 2) not null default 2.50 check (ease_factor >= 1.30),
  review_interval_days integer,
  repetitions integer not null default 0,
  next_review_date date,
  total_time_seconds integer not null default 0,
  active_time_seconds integer not null default 0 check (active_time_seconds >= 0),
  started_at timestamptz,
  completed_at timestamptz,
  mastered_at timestamptz,
  last_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, concept_id)
);
alter table public.skill_progress enable row level security;
comment on table public.skill_progress is
  'Per-skill/concept progress (Spool concept_progress, Pathfinity skill tracking): the learner records what '
  'they viewed; status, scores, mastery, fluency, SM-2 state and timestamps are server-owned.';
revoke all on table public.skill_progress from anon, authenticated;
grant select on table public.skill_progress to authenticated;
grant insert (user_id, concept_id, learning_path_id, hook_viewed, examples_viewed, core_content_viewed,
  active_time_seconds)
  on table public.skill_progress to authenticated;
grant update (learning_path_id, hook_viewed, examples_viewed, core_content_viewed, active_time_seconds)
  on table public.skill_progress to authenticated;
grant all on table public.skill_progress to service_role;
create index skill_progress_concept_id_idx on public.skill_progress (concept_id);
create index skill_progress_status_idx on public.skill_progress (user_id, status);
create index skill_progress_learning_path_id_idx on public.skill_progress (learning_path_id);
create index skill_progress_review_idx on public.skill_progress (user_id, next_review_date);

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
alter table public.exercise_generations enable row level security;
comment on table public.exercise_generations is
  'An exercise the AI generated for a learner (Spool). The expected solution and steps, and the prompts, '
  'are server-only: authenticated users have no select privilege on those columns.';
revoke all on table public.exercise_generations from anon, authenticated;
grant select (id, user_id, learning_session_id, concept_id, generation_type, target_step, life_category,
  selected_interest, generated_exercise, difficulty, created_at)
  on table public.exercise_generations to authenticated;
grant all on table public.exercise_generations to service_role;
create index exercise_generations_user_id_idx on public.exercise_generations (user_id, created_at desc);
create index exercise_generations_session_idx on public.exercise_generations (learning_session_id);
create index exercise_generations_concept_id_idx on public.exercise_generations (concept_id);

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
create index assessments_user_id_idx on public.assessments (user_id, started_at desc);
create index assessments_concept_id_idx on public.assessments (concept_id);
create index assessments_learning_session_id_idx on public.assessments (learning_session_id);
create index assessments_exercise_generation_id_idx on public.assessments (exercise_generation_id);
create index assessments_remediation_idx on public.assessments (remediation_needed) where remediation_needed;

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
create index coding_attempts_user_id_idx on public.coding_attempts (user_id, started_at desc);
create index coding_attempts_test_id_idx on public.coding_attempts (test_id);
create index coding_attempts_question_id_idx on public.coding_attempts (question_id);

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
alter table public.remediation_paths enable row level security;
comment on table public.remediation_paths is
  'Remediation sequence for a concept (Spool remediation_paths; Pathfinity remediation_queue as status queued). '
  'Created and advanced by the server.';
revoke all on table public.remediation_paths from anon, authenticated;
grant select on table public.remediation_paths to authenticated;
grant all on table public.remediation_paths to service_role;
create index remediation_paths_user_id_idx on public.remediation_paths (user_id, status);
create index remediation_paths_assessment_idx on public.remediation_paths (original_assessment_id);
create index remediation_paths_concept_id_idx on public.remediation_paths (concept_id);

-- ======================================================================
-- functions
-- ======================================================================

create function private.trigger_touch_enrollment() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  new.last_accessed_at := now();
  return new;
end
$$;

create function private.trigger_stamp_lesson_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select course_id into new.course_id from public.lessons where id = new.lesson_id;
  new.updated_at := now();
  if new.completed and (tg_op = 'INSERT' or not old.completed) then
    new.completed_at := case when current_setting('role', true) in ('authenticated', 'anon')
                             then now() else coalesce(new.completed_at, now()) end;
  elsif not new.completed then
    new.completed_at := null;
  else
    new.completed_at := old.completed_at;
  end if;
  return new;
end
$$;

create function private.refresh_enrollment_progress(learner uuid, course uuid) returns void
language sql
security definer
set search_path = ''
as $$
  with counts as (
    select
      count(*) filter (where progress.completed) as done,
      count(*) as total
    from public.lessons lesson
    left join public.lesson_progress progress
      on progress.lesson_id = lesson.id and progress.user_id = learner
    where lesson.course_id = course and lesson.is_published
  )
  update public.enrollments enrollment
  set progress_percentage = coalesce(round(100.0 * counts.done / nullif(counts.total, 0), 2), 0),
      lessons_completed = counts.done,
      status = case
        when counts.total > 0 and counts.done = counts.total then 'completed'::public.enrollment_status
        when enrollment.status = 'completed' then 'active'::public.enrollment_status
        else enrollment.status end,
      completed_at = case
        when counts.total > 0 and counts.done = counts.total then coalesce(enrollment.completed_at, now()) end
  from counts
  where enrollment.user_id = learner and enrollment.course_id = course
$$;
comment on function private.refresh_enrollment_progress(uuid, uuid) is
  'Recomputes one enrollment''s progress_percentage, lessons_completed, status and completed_at.';

create function private.trigger_refresh_enrollment_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.course_id is not null then
    perform private.refresh_enrollment_progress(old.user_id, old.course_id);
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.course_id is not null
     and (tg_op = 'INSERT' or new.course_id is distinct from old.course_id or new.completed <> old.completed) then
    perform private.refresh_enrollment_progress(new.user_id, new.course_id);
  end if;
  return null;
end
$$;

create function private.trigger_initialise_enrollment_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.refresh_enrollment_progress(new.user_id, new.course_id);
  return null;
end
$$;

create function private.trigger_touch_learning_path() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.last_accessed_at := now();
  if new.status = 'completed' and old.status <> 'completed' then
    new.completed_at := now();
  elsif new.status <> 'completed' then
    new.completed_at := null;
  end if;
  return new;
end
$$;

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

create function public.sm2_schedule(
  ease_factor numeric, interval_days integer, repetitions integer, quality integer,
  out next_ease_factor numeric, out next_interval_days integer, out next_repetitions integer
)
language plpgsql immutable
set search_path = ''
as $$
declare
  max_interval_days constant integer := 3650;  -- ten years: I·EF grows without bound otherwise
begin
  if quality not between 0 and 5 then
    raise exception using errcode = '22023', message = format('SM-2 quality must be 0..5, not %s', quality);
  end if;
  ease_factor := coalesce(ease_factor, 2.5);
  repetitions := coalesce(repetitions, 0);
  if quality < 3 then
    next_repetitions := 0;
    next_interval_days := 1;
  else
    next_repetitions := repetitions + 1;
    next_interval_days := case next_repetitions
      when 1 then 1
      when 2 then 6
      else least(max_interval_days, ceil(coalesce(interval_days, 6) * ease_factor))::integer end;
  end if;
  next_ease_factor := greatest(1.3, round(ease_factor + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02)), 2));
end
$$;
comment on function public.sm2_schedule(numeric, integer, integer, integer) is
  'One SM-2 step: (ease, interval, repetitions, quality 0..5) → next ease (≥ 1.3), interval (1, 6, I·EF) and repetitions.';
grant execute on function public.sm2_schedule(numeric, integer, integer, integer) to authenticated, service_role;

create function private.attempt_quality(is_correct boolean, response_time_ms integer, hints_used integer)
returns integer
language plpgsql immutable
set search_path = ''
as $$
begin
  return case
    when not coalesce(is_correct, false) then 1
    when hints_used > 0 then 3
    when response_time_ms < 2000 then 5
    when response_time_ms < 6000 then 4
    else 3 end;
end
$$;

create function private.trigger_calculate_mastery() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  accuracy double precision := new.correct_attempts::double precision / nullif(new.total_attempts, 0);
begin
  new.mastery := case
    when new.correct_attempts = 0 or new.total_attempts = 0 then 0
    when new.average_response_time_ms < 2000 and accuracy > 0.95 then 1.0
    when new.average_response_time_ms < 3000 and accuracy > 0.90 then 0.8
    when new.average_response_time_ms < 6000 and accuracy > 0.85 then 0.6
    when accuracy > 0.75 then 0.4
    when accuracy > 0.50 then 0.2
    else 0.1 end;
  new.fluency_level := case
    when new.mastery >= 1.0 then 'mastered'
    when new.mastery >= 0.8 then 'fluency_3s_2s'
    when new.mastery >= 0.6 then 'fluency_6s'
    when new.mastery >= 0.4 then 'accuracy'
    when new.mastery >= 0.2 then 'learning'
    else 'not_started' end::public.fluency_level;
  return new;
end
$$;
comment on function private.trigger_calculate_mastery() is
  'Mastery 0..1 and fluency level from accuracy and average response time (Math engine thresholds).';

create function private.trigger_derive_skill_status() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  threshold numeric := (select mastery_threshold from public.concepts where id = new.concept_id);
begin
  new.updated_at := now();
  if new.mastery >= threshold or new.final_mastery_score >= threshold then
    new.status := 'mastered';
  elsif new.initial_exercise_status = 'completed' and new.advanced_exercise_status = 'completed' then
    new.status := 'completed';
  elsif new.total_attempts > 0 or new.initial_exercise_status <> 'not_started' then
    new.status := 'practicing';
  elsif new.hook_viewed or new.core_content_viewed or new.examples_viewed > 0 then
    new.status := 'viewing';
  else
    new.status := 'not_started';
  end if;
  if new.status <> 'not_started' then
    new.started_at := coalesce(new.started_at, now());
  end if;
  if new.status in ('completed', 'mastered') then
    new.completed_at := coalesce(new.completed_at, now());
  end if;
  new.mastered_at := case when new.status = 'mastered' then coalesce(new.mastered_at, now()) end;
  return new;
end
$$;

create function private.learner_organization_ids(learner uuid) returns setof uuid
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return query
    select m.organization_id from public.organization_members as m
    where m.user_id = learner
      and ((select auth.role()) is distinct from 'authenticated'
           or learner = (select auth.uid())
           or learner in (select g.student_id from public.guardianships as g where g.guardian_id = (select auth.uid()))
           or m.organization_id in (
             select s.organization_id from public.organization_members as s
             where s.user_id = (select auth.uid()) and s.role in ('admin', 'educator')));
end
$$;
comment on function private.learner_organization_ids(uuid) is
  'The organizations a learner is a member of, as far as the caller may know them: all of them for the learner, '
  'their guardians and the server; those the caller staffs for staff; none for anyone else.';
revoke execute on function private.learner_organization_ids(uuid) from public;
grant execute on function private.learner_organization_ids(uuid) to authenticated, service_role;

create function public.next_available_concepts(learner uuid default auth.uid(), subject uuid default null)
returns table (
  concept_id uuid, code text, name text, subject_id uuid, kind public.concept_kind,
  difficulty public.difficulty_level, order_index integer, status public.skill_status, mastery numeric
)
language sql stable
security invoker
set search_path = ''
as $$
  with recursive
  scope as materialized (
    select c.id from public.concepts as c
    where c.organization_id is null
    union all
    select c.id from public.concepts as c
    where c.organization_id = any (array(select private.learner_organization_ids(learner)))
  ),
  mastered as (
    select progress.concept_id from public.skill_progress as progress
    where progress.user_id = learner and progress.status = 'mastered'
  ),
  -- Each step reads the edges of known concepts by the edge table's primary key (a lateral lookup per concept,
  -- kept apart by offset 0), never a scan of every organization's edges.
  requirements (concept_id, prerequisite_id) as (
    select scope.id, edge.prerequisite_id
    from scope
    cross join lateral (
      select e.prerequisite_id from public.concept_prerequisites as e
      where e.concept_id = scope.id and not e.can_skip and e.strength <> 'weak'
      offset 0
    ) as edge
    union
    select requirements.concept_id, edge.prerequisite_id
    from requirements
    cross join lateral (
      select e.prerequisite_id from public.concept_prerequisites as e
      where e.concept_id = requirements.prerequisite_id and not e.can_skip and e.strength <> 'weak'
      offset 0
    ) as edge
  )
  select c.id, c.code, c.name, c.subject_id, c.kind, c.difficulty, c.order_index,
         coalesce(progress.status, 'not_started'), coalesce(progress.mastery, 0)
  from scope
  join public.concepts as c on c.id = scope.id
  left join public.skill_progress as progress on progress.concept_id = c.id and progress.user_id = learner
  where c.kind in ('concept', 'skill')
    and (subject is null or c.subject_id = subject)
    and c.id not in (select mastered.concept_id from mastered)
    and not exists (
      select from requirements
      where requirements.concept_id = c.id
        and requirements.prerequisite_id not in (select mastered.concept_id from mastered))
  order by c.subject_id, c.order_index, c.name
$$;
grant execute on function public.next_available_concepts(uuid, uuid) to authenticated, service_role;
comment on function public.next_available_concepts(uuid, uuid) is
  'The concepts a learner can study next, among those of their organizations and the platform: not mastered, every '
  'required prerequisite (transitively) mastered.';

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

-- ======================================================================
-- triggers
-- ======================================================================

create trigger enrollments_inherit_course_organization before insert or update of course_id on public.enrollments
  for each row execute function private.trigger_inherit_course_organization();

create trigger enrollments_touch before update on public.enrollments
  for each row execute function private.trigger_touch_enrollment();

create trigger lesson_progress_stamp before insert or update on public.lesson_progress
  for each row execute function private.trigger_stamp_lesson_progress();

create trigger lesson_progress_refresh_enrollment after insert or update or delete on public.lesson_progress
  for each row execute function private.trigger_refresh_enrollment_progress();

create trigger enrollments_initialise_progress after insert on public.enrollments
  for each row execute function private.trigger_initialise_enrollment_progress();

create trigger learning_paths_touch before update on public.learning_paths
  for each row execute function private.trigger_touch_learning_path();

create trigger learning_sessions_stamp_end before update on public.learning_sessions
  for each row execute function private.trigger_stamp_session_end();

create trigger question_progress_calculate_mastery before insert or update on public.question_progress
  for each row execute function private.trigger_calculate_mastery();

create trigger skill_progress_calculate_mastery before insert or update on public.skill_progress
  for each row execute function private.trigger_calculate_mastery();

create trigger skill_progress_derive_status before insert or update on public.skill_progress
  for each row execute function private.trigger_derive_skill_status();

create trigger assessments_evaluate_steps before insert or update on public.assessments
  for each row execute function private.trigger_evaluate_assessment_steps();

create trigger coding_attempts_stamp before update on public.coding_attempts
  for each row execute function private.trigger_stamp_coding_attempt();

create trigger journey_summaries_set_updated_at before update on public.journey_summaries
  for each row execute function private.trigger_set_updated_at();

create trigger assessments_bound_input before insert or update on public.assessments
  for each row execute function private.trigger_bound_input(
    'exercise_prompt:10000', 'response_format:50', 'student_response:10000');

create trigger coding_attempts_bound_input before insert or update on public.coding_attempts
  for each row execute function private.trigger_bound_input(
    'language:50', 'submitted_code:200000');

create trigger journey_summaries_bound_input before insert or update on public.journey_summaries
  for each row execute function private.trigger_bound_input(
    'career:100', 'companion:100');

-- Of the bounded columns only: the counters process-awards updates never fire it.
create trigger learning_sessions_bound_input
  before insert or update of client_info, config, content, device_type, engagement, idle_periods, interactions, mode,
    raw_metrics on public.learning_sessions
  for each row execute function private.trigger_bound_input(
    'client_info:16384:json', 'config:16384:json', 'content:65536:json', 'device_type:100', 'engagement:16384:json',
    'idle_periods:16384:json', 'interactions:65536:json', 'mode:30', 'raw_metrics:65536:json');

create trigger lesson_progress_bound_input before insert or update on public.lesson_progress
  for each row execute function private.trigger_bound_input(
    'last_position:16384:json');

-- On the answer path: the WHEN clause (the same limits) skips the function for the answers within them.
create trigger answer_attempts_bound_input
before insert or update of answer, idempotency_key, raw_input on public.answer_attempts
for each row
when (octet_length(new.answer::text) > 16384 or char_length(new.idempotency_key) > 200
      or char_length(new.raw_input) > 10000)
execute function private.trigger_bound_input(
  'answer:16384:json', 'idempotency_key:200', 'raw_input:10000'
);
