-- create progress tracking
--
-- Per-item (question_progress) and per-skill (skill_progress) progress, both
-- kept by triggers from answer_attempts: the Math engine's mastery trigger
-- (its thresholds and fluency levels) and SM-2 spaced repetition (ease 2.5,
-- minimum 1.3, intervals 1, 6, then I·EF, next review on the learner's local
-- date). Also next_available_concepts(), the recursive walk of the concept graph.

-- ---------------------------------------------------------------- types
create type public.fluency_level as enum (
    'not_started', 'learning', 'accuracy', 'fluency_6s', 'fluency_3s_2s', 'mastered'
);
create type public.skill_status as enum ('not_started', 'viewing', 'practicing', 'completed', 'mastered');
create type public.exercise_status as enum ('not_started', 'in_progress', 'completed');

-- ---------------------------------------------------------------- SM-2
-- SuperMemo-2: quality 0..5; below 3 the item starts over (interval 1, the
-- ease still adjusts as in Wozniak's formula); otherwise intervals 1, 6, then
-- the previous interval times the ease, rounded up (at most ten years). Ease
-- never drops below 1.3.
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

-- How well an attempt went, as SM-2 quality: wrong 1; right with hints 3;
-- right under 2 s 5, under 6 s 4, slower 3.
create function private.attempt_quality(is_correct boolean, response_time_ms integer, hints_used integer)
returns integer
language sql immutable
set search_path = ''
as $$
  select case
    when not coalesce(is_correct, false) then 1
    when hints_used > 0 then 3
    when response_time_ms < 2000 then 5
    when response_time_ms < 6000 then 4
    else 3 end
$$;

-- ---------------------------------------------------------------- mastery trigger
-- The Math engine's calculate_mastery(), on question_progress and skill_progress.
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

-- ---------------------------------------------------------------- question_progress
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
create index question_progress_question_id_idx on public.question_progress (question_id);
create index question_progress_mastery_idx on public.question_progress (user_id, fluency_level, mastery);
create index question_progress_review_idx on public.question_progress (user_id, next_review_date);

alter table public.question_progress enable row level security;
comment on table public.question_progress is
  'Per-question progress of a learner (Math engine): counts, response times, mastery and fluency level '
  '(mastery trigger), streaks, last 5 attempts, SM-2 state. Entirely server-owned.';

revoke all on table public.question_progress from anon, authenticated;
grant select on table public.question_progress to authenticated;
grant all on table public.question_progress to service_role;

create trigger question_progress_calculate_mastery before insert or update on public.question_progress
  for each row execute function private.trigger_calculate_mastery();

-- ---------------------------------------------------------------- skill_progress
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
create index skill_progress_concept_id_idx on public.skill_progress (concept_id);
create index skill_progress_status_idx on public.skill_progress (user_id, status);
create index skill_progress_learning_path_id_idx on public.skill_progress (learning_path_id);
create index skill_progress_review_idx on public.skill_progress (user_id, next_review_date);

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

create trigger skill_progress_calculate_mastery before insert or update on public.skill_progress
  for each row execute function private.trigger_calculate_mastery();

-- Status follows from what happened: mastered at the concept's threshold (by
-- practice or by the evaluated final score), practicing once attempted,
-- viewing once any content was opened. Runs after the mastery trigger (name order).
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
create trigger skill_progress_derive_status before insert or update on public.skill_progress
  for each row execute function private.trigger_derive_skill_status();

-- ---------------------------------------------------------------- attempt bookkeeping
-- After each graded attempt: the question's and the concept's progress (counts,
-- running mean response time, streaks, SM-2, next review on the learner's local
-- date), the session's counters and the profile's last activity.
create function private.trigger_record_attempt_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  item public.question_progress;
  skill public.skill_progress;
  concept uuid := (select concept_id from public.questions where id = new.question_id);
  local_today date := (
    select (new.answered_at at time zone time_zone)::date from public.profiles where id = new.user_id);
  quality integer := private.attempt_quality(new.is_correct, new.response_time_ms, new.hints_used);
  correct integer := case when new.is_correct then 1 else 0 end;
  schedule record;
begin
  if new.is_correct is null then
    return null;  -- not gradable yet (no key): graded later by the server
  end if;

  insert into public.question_progress (user_id, question_id)
  values (new.user_id, new.question_id)
  on conflict (user_id, question_id) do nothing;
  select * into item from public.question_progress
  where user_id = new.user_id and question_id = new.question_id for update;
  schedule := public.sm2_schedule(item.ease_factor, item.review_interval_days, item.repetitions, quality);
  update public.question_progress set
    total_attempts = item.total_attempts + 1,
    correct_attempts = item.correct_attempts + correct,
    incorrect_attempts = item.incorrect_attempts + 1 - correct,
    average_response_time_ms = round(
      (coalesce(item.average_response_time_ms, 0)::numeric * item.total_attempts + new.response_time_ms)
      / (item.total_attempts + 1)),
    best_response_time_ms = case when new.is_correct
      then least(item.best_response_time_ms, new.response_time_ms) else item.best_response_time_ms end,
    last_response_time_ms = new.response_time_ms,
    first_attempt_at = coalesce(item.first_attempt_at, new.answered_at),
    last_attempt_at = new.answered_at,
    current_streak = case when new.is_correct then item.current_streak + 1 else 0 end,
    best_streak = greatest(item.best_streak, case when new.is_correct then item.current_streak + 1 else 0 end),
    recent_attempts = (
      select coalesce(jsonb_agg(attempt order by ordinal), '[]'::jsonb)
      from jsonb_array_elements(
        jsonb_build_array(jsonb_build_object(
          'is_correct', new.is_correct, 'response_time_ms', new.response_time_ms, 'answered_at', new.answered_at))
        || item.recent_attempts) with ordinality as recent (attempt, ordinal)
      where ordinal <= 5),
    ease_factor = schedule.next_ease_factor,
    review_interval_days = schedule.next_interval_days,
    repetitions = schedule.next_repetitions,
    next_review_date = local_today + schedule.next_interval_days
  where id = item.id;

  if concept is not null then
    insert into public.skill_progress (user_id, concept_id)
    values (new.user_id, concept)
    on conflict (user_id, concept_id) do nothing;
    select * into skill from public.skill_progress
    where user_id = new.user_id and concept_id = concept for update;
    schedule := public.sm2_schedule(skill.ease_factor, skill.review_interval_days, skill.repetitions, quality);
    update public.skill_progress set
      total_attempts = skill.total_attempts + 1,
      correct_attempts = skill.correct_attempts + correct,
      average_response_time_ms = round(
        (coalesce(skill.average_response_time_ms, 0)::numeric * skill.total_attempts + new.response_time_ms)
        / (skill.total_attempts + 1)),
      last_attempt_at = new.answered_at,
      ease_factor = schedule.next_ease_factor,
      review_interval_days = schedule.next_interval_days,
      repetitions = schedule.next_repetitions,
      next_review_date = local_today + schedule.next_interval_days
    where id = skill.id;
  end if;

  update public.learning_sessions set
    questions_attempted = questions_attempted + 1,
    questions_correct = questions_correct + correct,
    hints_used = hints_used + new.hints_used,
    accuracy = round(100.0 * (questions_correct + correct) / (questions_attempted + 1), 2),
    average_response_time_ms = round(
      (coalesce(average_response_time_ms, 0)::numeric * questions_attempted + new.response_time_ms)
      / (questions_attempted + 1)),
    updated_at = now()
  where id = new.session_id;

  update public.profiles set last_active_at = new.answered_at
  where id = new.user_id and last_active_at is distinct from new.answered_at;
  return null;
end
$$;
create trigger answer_attempts_record_progress after insert on public.answer_attempts
  for each row execute function private.trigger_record_attempt_progress();

-- ---------------------------------------------------------------- next concepts
-- A concept is available when the learner has not mastered it and has
-- mastered every concept it requires, transitively through required edges
-- (weak or skippable edges do not block). Security invoker: the caller sees
-- only the concepts and progress their policies allow (a learner their own, a
-- guardian their students').
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
  mastered as (
    select progress.concept_id from public.skill_progress progress
    where progress.user_id = learner and progress.status = 'mastered'
  ),
  requirements (concept_id, prerequisite_id) as (
    select edge.concept_id, edge.prerequisite_id
    from public.concept_prerequisites edge
    where not edge.can_skip and edge.strength <> 'weak'
    union
    select requirements.concept_id, edge.prerequisite_id
    from requirements
    join public.concept_prerequisites edge on edge.concept_id = requirements.prerequisite_id
    where not edge.can_skip and edge.strength <> 'weak'
  )
  select c.id, c.code, c.name, c.subject_id, c.kind, c.difficulty, c.order_index,
         coalesce(progress.status, 'not_started'), coalesce(progress.mastery, 0)
  from public.concepts c
  left join public.skill_progress progress on progress.concept_id = c.id and progress.user_id = learner
  where c.kind in ('concept', 'skill')
    and (subject is null or c.subject_id = subject)
    and c.id not in (select mastered.concept_id from mastered)
    and not exists (
      select from requirements
      where requirements.concept_id = c.id
        and requirements.prerequisite_id not in (select mastered.concept_id from mastered))
  order by c.subject_id, c.order_index, c.name
$$;
comment on function public.next_available_concepts(uuid, uuid) is
  'The concepts a learner can study next: not mastered, every required prerequisite (transitively) mastered.';
grant execute on function public.next_available_concepts(uuid, uuid) to authenticated, service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/question_progress.sql
-- Policies of public.question_progress: server-owned per-question progress. The
-- learner, their guardians and their organization's staff read it; only the
-- attempt trigger (security definer) and service_role write it.

create policy "Students can read their own question progress"
  on public.question_progress for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' question progress"
  on public.question_progress for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' question progress"
  on public.question_progress for select to authenticated
  using (user_id in (select private.staff_student_ids()));

-- supabase/policies/skill_progress.sql
-- Policies of public.skill_progress: per-skill progress. Learners record what
-- they viewed; status, scores and mastery are server-owned. Guardians and
-- staff read it.

create policy "Students can read their own skill progress"
  on public.skill_progress for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' skill progress"
  on public.skill_progress for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' skill progress"
  on public.skill_progress for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can start tracking their own skills"
  on public.skill_progress for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can update what they viewed of their own skills"
  on public.skill_progress for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
