-- create questions
--
-- Questions and test items of every blueprint (SignifyAI's tests_content, the
-- Math engine's operand facts, coding challenges) and their answer keys. The
-- keys live in their own table that students can never read: no policy lets
-- a student see a row, and private.check_answer() grades attempts server-side.

-- ---------------------------------------------------------------- types
create type public.question_type as enum (
  'math_fact', 'multiple_choice', 'short_answer', 'free_response', 'ordering',
  'vid2text', 'text2vid', 'illustration', 'coding'
);

-- ---------------------------------------------------------------- questions
create table public.questions (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  course_id uuid references public.courses (id) on delete cascade,
  lesson_id uuid references public.lessons (id) on delete cascade,
  test_id uuid references public.tests (id) on delete cascade,
  concept_id uuid references public.concepts (id) on delete set null,
  sequence_number integer not null default 0,
  question_type public.question_type not null,
  prompt jsonb not null default '{}' check (jsonb_typeof(prompt) = 'object'),
  options jsonb check (jsonb_typeof(options) = 'array'),
  operand1 integer,
  operand2 integer,
  operand3 integer,
  operation text check (operation in ('+', '-', '×', '÷')),
  operation2 text check (operation2 in ('+', '-', '×', '÷')),
  display_format text not null default 'horizontal' check (display_format in ('horizontal', 'vertical')),
  units text,
  difficulty public.difficulty_level,
  category text,
  hint text,
  explanation text,
  media_id uuid references public.media_assets (id) on delete set null,
  tags text[] not null default '{}',
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (question_type <> 'math_fact' or (operand1 is not null and operand2 is not null and operation is not null))
);
create index questions_lesson_id_idx on public.questions (lesson_id, sequence_number);
create index questions_test_id_idx on public.questions (test_id, sequence_number);
create index questions_course_id_idx on public.questions (course_id, operation);
create index questions_concept_id_idx on public.questions (concept_id);
create index questions_organization_id_idx on public.questions (organization_id);
create index questions_author_id_idx on public.questions (author_id);
create index questions_media_id_idx on public.questions (media_id);
create index questions_grid_idx on public.questions (operand1, operand2, operation) where operation is not null;

alter table public.questions enable row level security;
comment on table public.questions is
  'A question or test item: math facts (operands, operation), multiple choice, ordering, video, coding. '
  'Belongs to a course/track, lesson/section or test; its answer key is in question_answer_keys.';

revoke all on table public.questions from anon, authenticated;
grant select, delete on table public.questions to authenticated;
grant insert (organization_id, course_id, lesson_id, test_id, concept_id, sequence_number, question_type, prompt,
  options, operand1, operand2, operand3, operation, operation2, display_format, units, difficulty, category,
  hint, explanation, media_id, tags, is_published)
  on table public.questions to authenticated;
grant update (concept_id, sequence_number, question_type, prompt, options, operand1, operand2, operand3,
  operation, operation2, display_format, units, difficulty, category, hint, explanation, media_id, tags,
  is_published)
  on table public.questions to authenticated;
grant all on table public.questions to service_role;

create trigger questions_inherit_course_organization before insert or update of course_id on public.questions
  for each row execute function private.trigger_inherit_course_organization();
create trigger questions_set_updated_at before update on public.questions
  for each row execute function private.trigger_set_updated_at();
create trigger questions_stamp_published_at before insert or update of is_published on public.questions
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- question_answer_keys
create table public.question_answer_keys (
  question_id uuid primary key references public.questions (id) on delete cascade,
  correct_answer jsonb not null,
  correct_value numeric(12, 4),
  tolerance numeric(12, 4) not null default 0 check (tolerance >= 0),
  accepted_answers text[] not null default '{}',
  test_cases jsonb check (jsonb_typeof(test_cases) = 'array'),
  expected_output text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.question_answer_keys enable row level security;
comment on table public.question_answer_keys is
  'The correct answer of a question (numeric value for math facts, accepted answers, hidden coding test '
  'cases). Never readable by students: only staff of the question''s organization and service_role.';

revoke all on table public.question_answer_keys from anon, authenticated;
grant select, delete on table public.question_answer_keys to authenticated;
grant insert (question_id, correct_answer, correct_value, tolerance, accepted_answers, test_cases, expected_output)
  on table public.question_answer_keys to authenticated;
grant update (correct_answer, correct_value, tolerance, accepted_answers, test_cases, expected_output)
  on table public.question_answer_keys to authenticated;
grant all on table public.question_answer_keys to service_role;

create trigger question_answer_keys_set_updated_at before update on public.question_answer_keys
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- grading
-- Numeric keys compare numerically (within tolerance); others compare the JSON
-- value exactly, or its text case- and space-insensitively to accepted answers.
-- Null when the question has no key (e.g. free responses graded later).
create function private.check_answer(question uuid, answer jsonb) returns boolean
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  key public.question_answer_keys;
  answer_text text := btrim(answer #>> '{}');
begin
  select * into key from public.question_answer_keys where question_id = question;
  if not found then
    return null;
  end if;
  if key.correct_value is not null then
    return answer_text ~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$'
       and abs(answer_text::numeric - key.correct_value) <= key.tolerance;
  end if;
  return answer = key.correct_answer
      or lower(answer_text) = lower(btrim(key.correct_answer #>> '{}'))
      or lower(answer_text) = any (select lower(btrim(accepted)) from unnest(key.accepted_answers) accepted);
end
$$;
comment on function private.check_answer(uuid, jsonb) is
  'Grades an answer against the hidden key; true, false, or null when the question has no key.';
revoke execute on function private.check_answer(uuid, jsonb) from public;
grant execute on function private.check_answer(uuid, jsonb) to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/questions.sql
-- Policies of public.questions: published questions are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global questions (no organization)
-- are written by service_role.

create policy "Signed-in users can read published questions"
  on public.questions for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own questions"
  on public.questions for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's questions"
  on public.questions for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create questions for their organization"
  on public.questions for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's questions"
  on public.questions for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's questions"
  on public.questions for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/question_answer_keys.sql
-- Policies of public.question_answer_keys: only the staff of the question's
-- organization read and write its key. There is deliberately no policy a
-- student, guardian or anonymous user can match; global keys are service_role's.

create policy "Staff can read answer keys of their organization's questions"
  on public.question_answer_keys for select to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can add answer keys to their organization's questions"
  on public.question_answer_keys for insert to authenticated
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can update answer keys of their organization's questions"
  on public.question_answer_keys for update to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete answer keys of their organization's questions"
  on public.question_answer_keys for delete to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));
