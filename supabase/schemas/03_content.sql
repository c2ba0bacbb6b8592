-- Content: subjects, courses, lessons, tests, textbooks, media, the concept graph and questions with their
-- hidden answer keys, hints and explanations. Content belongs to one organization (or to the platform when
-- organization_id is null) and may point only at content of its own organization or the platform's.
-- Policies: one file per table in supabase/policies/.

-- ======================================================================
-- types
-- ======================================================================

create type public.difficulty_level as enum ('intro', 'beginner', 'intermediate', 'advanced');

create type public.lesson_type as enum ('standard', 'word', 'sentence', 'freestyle', 'coding', 'math_facts');

create type public.learning_container as enum ('learn', 'experience', 'discover');
comment on type public.learning_container is 'Pathfinity''s LEARN → EXPERIENCE → DISCOVER journey containers.';

create type public.media_type as enum ('video', 'image', 'audio', 'document', 'other');

create type public.test_kind as enum ('quiz', 'exam', 'practice', 'coding');

create type public.concept_kind as enum ('topic', 'section', 'concept', 'skill');

create type public.life_category as enum ('personal', 'social', 'career', 'philanthropic');

create type public.prerequisite_strength as enum ('weak', 'moderate', 'strong');

create type public.question_type as enum (
  'math_fact', 'multiple_choice', 'short_answer', 'free_response', 'ordering',
  'vid2text', 'text2vid', 'illustration', 'coding'
);

-- ======================================================================
-- tables
-- ======================================================================

create table public.subjects (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name text not null check (char_length(name) between 1 and 100),
  description text,
  icon_url text,
  color text check (color ~ '^#[0-9a-fA-F]{6}$'),
  grade_levels public.grade_level[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.subjects enable row level security;
comment on table public.subjects is 'Global subject taxonomy (Math, ELA, Science, Social Studies, ...); written by service_role.';
revoke all on table public.subjects from anon, authenticated;
grant select on table public.subjects to authenticated;
grant all on table public.subjects to service_role;

create table public.media_assets (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid default auth.uid() references public.profiles (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  bucket_id text not null,
  object_path text not null,
  media_type public.media_type not null,
  mime_type text,
  title text,
  duration_seconds numeric(10, 2) check (duration_seconds >= 0),
  metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (bucket_id, object_path),
  foreign key (bucket_id, object_path) references storage.objects (bucket_id, name) on delete cascade
);
alter table public.media_assets enable row level security;
comment on table public.media_assets is
  'A video, image, audio or document stored in Supabase Storage (bucket_id, object_path): lesson media '
  'or a learner''s practice recording. Deleted with its Storage object and with its owner.';
revoke all on table public.media_assets from anon, authenticated;
grant select, delete on table public.media_assets to authenticated;
grant insert (organization_id, bucket_id, object_path, media_type, mime_type, title, duration_seconds, metadata)
  on table public.media_assets to authenticated;
grant update (title, metadata, is_published) on table public.media_assets to authenticated;
grant all on table public.media_assets to service_role;
create index media_assets_owner_id_idx on public.media_assets (owner_id);
create index media_assets_organization_id_idx on public.media_assets (organization_id);

create table public.courses (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  subject_id uuid references public.subjects (id) on delete set null,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  kind text not null default 'course' check (kind in ('course', 'track')),
  slug text check (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  title text not null check (char_length(title) between 1 and 200),
  short_description text check (char_length(short_description) <= 500),
  description text,
  duration_label text,
  difficulty public.difficulty_level,
  estimated_hours numeric(6, 1) check (estimated_hours >= 0),
  grade_levels public.grade_level[] not null default '{}',
  tags text[] not null default '{}',
  thumbnail_media_id uuid references public.media_assets (id) on delete set null,
  settings jsonb not null default '{}' check (jsonb_typeof(settings) = 'object'),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, slug)
);
alter table public.courses enable row level security;
comment on table public.courses is
  'A course (AI Learning Assistant) or learning track (Math engine: kind = track, settings holds '
  'operations, operand ranges, colour, unlock criteria).';
revoke all on table public.courses from anon, authenticated;
grant select, delete on table public.courses to authenticated;
grant insert (organization_id, subject_id, kind, slug, title, short_description, description, duration_label,
  difficulty, estimated_hours, grade_levels, tags, thumbnail_media_id, settings, is_published)
  on table public.courses to authenticated;
grant update (subject_id, kind, slug, title, short_description, description, duration_label,
  difficulty, estimated_hours, grade_levels, tags, thumbnail_media_id, settings, is_published)
  on table public.courses to authenticated;
grant all on table public.courses to service_role;
create index courses_organization_id_idx on public.courses (organization_id);
create index courses_author_id_idx on public.courses (author_id);
create index courses_subject_id_idx on public.courses (subject_id);
create index courses_thumbnail_media_id_idx on public.courses (thumbnail_media_id);
create index courses_published_idx on public.courses (is_published) where is_published;

create table public.lessons (
  id uuid primary key default gen_random_uuid(),
  course_id uuid references public.courses (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  subject_id uuid references public.subjects (id) on delete set null,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  lesson_code text unique,
  title text not null check (char_length(title) between 1 and 200),
  description text,
  content text,
  explanation text,
  code_example text,
  key_points text[] not null default '{}',
  lesson_type public.lesson_type not null default 'standard',
  container public.learning_container,
  difficulty public.difficulty_level,
  order_index integer not null default 0,
  duration_minutes integer check (duration_minutes > 0),
  mastery_required numeric(3, 2) not null default 0.80 check (mastery_required between 0 and 1),
  minimum_accuracy numeric(5, 2) not null default 70.00 check (minimum_accuracy between 0 and 100),
  cover_media_id uuid references public.media_assets (id) on delete set null,
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.lessons enable row level security;
comment on table public.lessons is
  'A lesson, ordered within its course (or standalone): SignifyAI word/sentence/freestyle lessons, '
  'Pathfinity container lessons, Math-engine track sections (mastery_required, minimum_accuracy).';
revoke all on table public.lessons from anon, authenticated;
grant select, delete on table public.lessons to authenticated;
grant insert (course_id, organization_id, subject_id, lesson_code, title, description, content, explanation,
  code_example, key_points, lesson_type, container, difficulty, order_index, duration_minutes,
  mastery_required, minimum_accuracy, cover_media_id, is_published)
  on table public.lessons to authenticated;
grant update (subject_id, lesson_code, title, description, content, explanation, code_example, key_points,
  lesson_type, container, difficulty, order_index, duration_minutes, mastery_required, minimum_accuracy,
  cover_media_id, is_published)
  on table public.lessons to authenticated;
grant all on table public.lessons to service_role;
create index lessons_course_id_idx on public.lessons (course_id, order_index);
create index lessons_organization_id_idx on public.lessons (organization_id);
create index lessons_author_id_idx on public.lessons (author_id);
create index lessons_subject_id_idx on public.lessons (subject_id);
create index lessons_cover_media_id_idx on public.lessons (cover_media_id);
create index lessons_type_published_idx on public.lessons (lesson_type, is_published);

create table public.lesson_notes (
  id uuid primary key default gen_random_uuid(),
  lesson_id uuid not null references public.lessons (id) on delete cascade,
  title text,
  note_content text not null,
  tool_calls jsonb not null default '[]' check (jsonb_typeof(tool_calls) = 'array'),
  tool_calls_content jsonb not null default '[]' check (jsonb_typeof(tool_calls_content) = 'array'),
  language_code text not null default 'en',
  version integer not null default 1 check (version > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.lesson_notes enable row level security;
comment on table public.lesson_notes is
  'SignifyAI''s lesson notes with streamed tool-call traces; visible with their lesson.';
revoke all on table public.lesson_notes from anon, authenticated;
grant select, delete on table public.lesson_notes to authenticated;
grant insert (lesson_id, title, note_content, tool_calls, tool_calls_content, language_code, version)
  on table public.lesson_notes to authenticated;
grant update (title, note_content, tool_calls, tool_calls_content, language_code, version)
  on table public.lesson_notes to authenticated;
grant all on table public.lesson_notes to service_role;
create index lesson_notes_lesson_id_idx on public.lesson_notes (lesson_id);

create table public.textbooks (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  subject_id uuid references public.subjects (id) on delete set null,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  title text not null check (char_length(title) between 1 and 255),
  publisher text,
  isbn text check (isbn ~ '^[0-9X-]{10,17}$'),
  publication_year smallint check (publication_year between 1800 and 2200),
  grade_levels public.grade_level[] not null default '{}',
  source_media_id uuid references public.media_assets (id) on delete set null,
  page_count integer check (page_count > 0),
  difficulty_range text,
  requires_license boolean not null default false,
  processing_status text not null default 'pending'
    check (processing_status in ('pending', 'processing', 'completed', 'failed')),
  processed_at timestamptz,
  processing_error text,
  processing_metadata jsonb not null default '{}',
  total_concepts integer,
  total_sections integer,
  estimated_hours integer,
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.textbooks enable row level security;
comment on table public.textbooks is
  'Spool''s textbook registry; the file is a media asset, processing columns are server-owned.';
revoke all on table public.textbooks from anon, authenticated;
grant select, delete on table public.textbooks to authenticated;
grant insert (organization_id, subject_id, title, publisher, isbn, publication_year, grade_levels,
  source_media_id, page_count, difficulty_range, requires_license, is_published)
  on table public.textbooks to authenticated;
grant update (subject_id, title, publisher, isbn, publication_year, grade_levels, source_media_id,
  page_count, difficulty_range, requires_license, is_published)
  on table public.textbooks to authenticated;
grant all on table public.textbooks to service_role;
create index textbooks_organization_id_idx on public.textbooks (organization_id);
create index textbooks_subject_id_idx on public.textbooks (subject_id);
create index textbooks_author_id_idx on public.textbooks (author_id);
create index textbooks_source_media_id_idx on public.textbooks (source_media_id);

create table public.tests (
  id uuid primary key default gen_random_uuid(),
  course_id uuid references public.courses (id) on delete cascade,
  lesson_id uuid references public.lessons (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  kind public.test_kind not null default 'quiz',
  title text not null check (char_length(title) between 1 and 200),
  instructions text,
  difficulty public.difficulty_level,
  passing_score smallint not null default 70 check (passing_score between 0 and 100),
  time_limit_seconds integer check (time_limit_seconds > 0),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.tests enable row level security;
comment on table public.tests is
  'A test of a lesson or course with passing score and time limit (SignifyAI tests; the AI Learning '
  'Assistant''s coding assessments are kind = coding). Items are rows of questions.';
revoke all on table public.tests from anon, authenticated;
grant select, delete on table public.tests to authenticated;
grant insert (course_id, lesson_id, organization_id, kind, title, instructions, difficulty, passing_score,
  time_limit_seconds, is_published)
  on table public.tests to authenticated;
grant update (kind, title, instructions, difficulty, passing_score, time_limit_seconds, is_published)
  on table public.tests to authenticated;
grant all on table public.tests to service_role;
create index tests_course_id_idx on public.tests (course_id);
create index tests_lesson_id_idx on public.tests (lesson_id);
create index tests_organization_id_idx on public.tests (organization_id);
create index tests_author_id_idx on public.tests (author_id);

create table public.concepts (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  subject_id uuid references public.subjects (id) on delete set null,
  textbook_id uuid references public.textbooks (id) on delete set null,
  parent_id uuid references public.concepts (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  kind public.concept_kind not null default 'concept',
  code text not null unique check (code ~ '^[a-z0-9][a-z0-9._-]{0,127}$'),
  name text not null check (char_length(name) between 1 and 255),
  description text,
  learning_objectives text[] not null default '{}',
  key_vocabulary text[] not null default '{}',
  grade_level public.grade_level,
  difficulty public.difficulty_level,
  estimated_minutes integer check (estimated_minutes > 0),
  mastery_threshold numeric(3, 2) not null default 0.80 check (mastery_threshold between 0 and 1),
  order_index integer not null default 0,
  is_optional boolean not null default false,
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.concepts enable row level security;
comment on table public.concepts is
  'A skill or concept in a topic → section → concept hierarchy (parent_id); mastered at mastery_threshold.';
revoke all on table public.concepts from anon, authenticated;
grant select, delete on table public.concepts to authenticated;
grant insert (organization_id, subject_id, textbook_id, parent_id, kind, code, name, description,
  learning_objectives, key_vocabulary, grade_level, difficulty, estimated_minutes, mastery_threshold,
  order_index, is_optional, is_published)
  on table public.concepts to authenticated;
grant update (subject_id, textbook_id, parent_id, kind, code, name, description, learning_objectives,
  key_vocabulary, grade_level, difficulty, estimated_minutes, mastery_threshold, order_index, is_optional,
  is_published)
  on table public.concepts to authenticated;
grant all on table public.concepts to service_role;
create index concepts_organization_id_idx on public.concepts (organization_id);
create index concepts_subject_id_idx on public.concepts (subject_id, order_index);
create index concepts_textbook_id_idx on public.concepts (textbook_id);
create index concepts_parent_id_idx on public.concepts (parent_id);
create index concepts_author_id_idx on public.concepts (author_id);

create table public.concept_prerequisites (
  concept_id uuid not null references public.concepts (id) on delete cascade,
  prerequisite_id uuid not null references public.concepts (id) on delete cascade,
  strength public.prerequisite_strength not null default 'strong',
  can_skip boolean not null default false,
  reason text,
  created_at timestamptz not null default now(),
  primary key (concept_id, prerequisite_id),
  check (concept_id <> prerequisite_id)
);
alter table public.concept_prerequisites enable row level security;
comment on table public.concept_prerequisites is
  'Edge "concept requires prerequisite" of the concept graph (Spool''s REQUIRES_PREREQUISITE); kept acyclic.';
revoke all on table public.concept_prerequisites from anon, authenticated;
grant select, delete on table public.concept_prerequisites to authenticated;
grant insert (concept_id, prerequisite_id, strength, can_skip, reason)
  on table public.concept_prerequisites to authenticated;
grant update (strength, can_skip, reason) on table public.concept_prerequisites to authenticated;
grant all on table public.concept_prerequisites to service_role;
create index concept_prerequisites_prerequisite_id_idx on public.concept_prerequisites (prerequisite_id);

create table public.content_hooks (
  id uuid primary key default gen_random_uuid(),
  concept_id uuid not null references public.concepts (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  life_category public.life_category not null,
  sub_category text check (char_length(sub_category) <= 100),
  hook_type text not null default 'standard' check (hook_type in ('standard', 'advanced', 'simplified')),
  hook_text text not null,
  usage_count integer not null default 0,
  effectiveness_score numeric(3, 2) check (effectiveness_score between 0 and 1),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.content_hooks enable row level security;
comment on table public.content_hooks is
  'Spool''s hooks: an opening for a concept per life category; usage and effectiveness are server-owned.';
revoke all on table public.content_hooks from anon, authenticated;
grant select, delete on table public.content_hooks to authenticated;
grant insert (concept_id, organization_id, life_category, sub_category, hook_type, hook_text, is_published)
  on table public.content_hooks to authenticated;
grant update (life_category, sub_category, hook_type, hook_text, is_published)
  on table public.content_hooks to authenticated;
grant all on table public.content_hooks to service_role;
create index content_hooks_concept_id_idx on public.content_hooks (concept_id, life_category, sub_category);
create index content_hooks_organization_id_idx on public.content_hooks (organization_id);
create index content_hooks_author_id_idx on public.content_hooks (author_id);

create table public.content_examples (
  id uuid primary key default gen_random_uuid(),
  concept_id uuid not null references public.concepts (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  example_text text not null,
  visual_media_id uuid references public.media_assets (id) on delete set null,
  interactive_element jsonb,
  interest_tags text[] not null default '{}',
  life_category public.life_category not null,
  difficulty public.difficulty_level not null default 'intermediate',
  usage_count integer not null default 0,
  effectiveness_score numeric(3, 2) check (effectiveness_score between 0 and 1),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.content_examples enable row level security;
comment on table public.content_examples is
  'Spool''s interest-tagged examples of a concept; usage and effectiveness are server-owned.';
revoke all on table public.content_examples from anon, authenticated;
grant select, delete on table public.content_examples to authenticated;
grant insert (concept_id, organization_id, example_text, visual_media_id, interactive_element, interest_tags,
  life_category, difficulty, is_published)
  on table public.content_examples to authenticated;
grant update (example_text, visual_media_id, interactive_element, interest_tags, life_category, difficulty,
  is_published)
  on table public.content_examples to authenticated;
grant all on table public.content_examples to service_role;
create index content_examples_concept_id_idx on public.content_examples (concept_id);
create index content_examples_interest_tags_idx on public.content_examples using gin (interest_tags);
create index content_examples_organization_id_idx on public.content_examples (organization_id);
create index content_examples_author_id_idx on public.content_examples (author_id);
create index content_examples_visual_media_id_idx on public.content_examples (visual_media_id);

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
  media_id uuid references public.media_assets (id) on delete set null,
  tags text[] not null default '{}',
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (question_type <> 'math_fact' or (operand1 is not null and operand2 is not null and operation is not null))
);
alter table public.questions enable row level security;
revoke all on table public.questions from anon, authenticated;
grant select, delete on table public.questions to authenticated;
grant insert (organization_id, course_id, lesson_id, test_id, concept_id, sequence_number, question_type, prompt,
  options, operand1, operand2, operand3, operation, operation2, display_format, units, difficulty, category,
  media_id, tags, is_published)
  on table public.questions to authenticated;
grant update (concept_id, sequence_number, question_type, prompt, options, operand1, operand2, operand3,
  operation, operation2, display_format, units, difficulty, category, media_id, tags,
  is_published)
  on table public.questions to authenticated;
grant all on table public.questions to service_role;
comment on table public.questions is
  'A question or test item: math facts (operands, operation), multiple choice, ordering, video, coding. '
  'Belongs to a course/track, lesson/section or test; its answer key is in question_answer_keys, its hint in '
  'question_hints (both hidden from students) and its explanation in question_explanations (readable once '
  'answered).';
create index questions_lesson_id_idx on public.questions (lesson_id, sequence_number);
create index questions_test_id_idx on public.questions (test_id, sequence_number);
create index questions_course_id_idx on public.questions (course_id, operation);
create index questions_concept_id_idx on public.questions (concept_id);
create index questions_organization_id_idx on public.questions (organization_id);
create index questions_author_id_idx on public.questions (author_id);
create index questions_media_id_idx on public.questions (media_id);
create index questions_grid_idx on public.questions (operand1, operand2, operation) where operation is not null;

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

create table public.question_hints (
  question_id uuid primary key references public.questions (id) on delete cascade,
  hint text not null check (char_length(hint) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.question_hints enable row level security;
comment on table public.question_hints is
  'The hint of a question. Never readable by students or guardians: staff of the question''s organization '
  'and service_role only; learners take hints through public.use_hint(), which applies the hint economy.';
comment on column public.question_hints.hint is 'The text public.use_hint() returns to the learner.';
revoke all on table public.question_hints from anon, authenticated;
grant select, delete on table public.question_hints to authenticated;
grant insert (question_id, hint) on table public.question_hints to authenticated;
grant update (hint) on table public.question_hints to authenticated;
grant all on table public.question_hints to service_role;

create table public.question_explanations (
  question_id uuid primary key references public.questions (id) on delete cascade,
  explanation text not null check (char_length(explanation) between 1 and 10000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.question_explanations enable row level security;
comment on table public.question_explanations is
  'The explanation of a question''s answer. Readable by the staff of the question''s organization, and by a '
  'learner only once they answered the question (an answer_attempt of theirs exists); written by staff.';
comment on column public.question_explanations.explanation is 'Why the answer is what it is, shown after answering.';
revoke all on table public.question_explanations from anon, authenticated;
grant select, delete on table public.question_explanations to authenticated;
grant insert (question_id, explanation) on table public.question_explanations to authenticated;
grant update (explanation) on table public.question_explanations to authenticated;
grant all on table public.question_explanations to service_role;

-- ======================================================================
-- functions
-- ======================================================================

create function private.trigger_stamp_published_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.is_published and (tg_op = 'INSERT' or not old.is_published) then
    new.published_at := now();
  elsif not new.is_published then
    new.published_at := null;
  else
    new.published_at := old.published_at;
  end if;
  return new;
end
$$;
comment on function private.trigger_stamp_published_at() is
  'Keeps published_at server-owned: now() when is_published turns true, null when unpublished.';

create function private.trigger_inherit_course_organization() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.course_id is not null then
    select organization_id into new.organization_id from public.courses where id = new.course_id;
  end if;
  return new;
end
$$;
comment on function private.trigger_inherit_course_organization() is
  'Copies the organization of the row''s course onto the row, so tenancy cannot be forged.';

create function private.trigger_prevent_prerequisite_cycle() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    with recursive requirements (concept_id) as (
      select prerequisite_id from public.concept_prerequisites where concept_id = new.prerequisite_id
      union
      select edge.prerequisite_id
      from public.concept_prerequisites edge
      join requirements on edge.concept_id = requirements.concept_id
    )
    select from requirements where concept_id = new.concept_id
  ) then
    raise exception using
      errcode = '23514',
      message = 'this prerequisite would create a cycle in the concept graph',
      detail = format('concept %s is already required, directly or not, by %s', new.concept_id, new.prerequisite_id);
  end if;
  return new;
end
$$;

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

create function private.course_organization_id(course uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select courses.organization_id from public.courses where courses.id = course_organization_id.course);
end
$$;
comment on function private.course_organization_id(uuid) is
  'The organization a course belongs to (null: none, or no such course), whoever may read it.';
revoke execute on function private.course_organization_id(uuid) from public;
grant execute on function private.course_organization_id(uuid) to authenticated, service_role;

create function private.lesson_organization_id(lesson uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select lessons.organization_id from public.lessons where lessons.id = lesson_organization_id.lesson);
end
$$;
comment on function private.lesson_organization_id(uuid) is
  'The organization a lesson belongs to (null: none, or no such lesson), whoever may read it.';
revoke execute on function private.lesson_organization_id(uuid) from public;
grant execute on function private.lesson_organization_id(uuid) to authenticated, service_role;

create function private.concept_organization_id(concept uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select concepts.organization_id from public.concepts where concepts.id = concept_organization_id.concept);
end
$$;
comment on function private.concept_organization_id(uuid) is
  'The organization a concept belongs to (null: none, or no such concept), whoever may read it.';
revoke execute on function private.concept_organization_id(uuid) from public;
grant execute on function private.concept_organization_id(uuid) to authenticated, service_role;

create function private.question_organization_id(question uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select questions.organization_id from public.questions
          where questions.id = question_organization_id.question);
end
$$;
comment on function private.question_organization_id(uuid) is
  'The organization a question belongs to (null: none, or no such question), whoever may read it.';
revoke execute on function private.question_organization_id(uuid) from public;
grant execute on function private.question_organization_id(uuid) to authenticated, service_role;

create function private.test_organization_id(test uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select tests.organization_id from public.tests where tests.id = test_organization_id.test);
end
$$;
comment on function private.test_organization_id(uuid) is
  'The organization a test belongs to (null: none, or no such test), whoever may read it.';
revoke execute on function private.test_organization_id(uuid) from public;
grant execute on function private.test_organization_id(uuid) to authenticated, service_role;

create function private.textbook_organization_id(textbook uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select textbooks.organization_id from public.textbooks where textbooks.id = textbook_organization_id.textbook);
end
$$;
comment on function private.textbook_organization_id(uuid) is
  'The organization a textbook belongs to (null: none, or no such textbook), whoever may read it.';
revoke execute on function private.textbook_organization_id(uuid) from public;
grant execute on function private.textbook_organization_id(uuid) to authenticated, service_role;

create function private.require_content_of_organization(
  referencing text, referenced text, referenced_id uuid, organization uuid, platform_allowed boolean
) returns void
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  owner uuid;
begin
  if referenced_id is null then
    return;
  end if;
  case referenced
    when 'lesson' then select l.organization_id into owner from public.lessons as l where l.id = referenced_id;
    when 'test' then select t.organization_id into owner from public.tests as t where t.id = referenced_id;
    when 'concept' then select c.organization_id into owner from public.concepts as c where c.id = referenced_id;
    when 'textbook' then select b.organization_id into owner from public.textbooks as b where b.id = referenced_id;
  end case;
  if not found or owner is not distinct from organization or (owner is null and platform_allowed) then
    return;  -- a missing row is the foreign key's to report
  end if;
  raise exception using
    errcode = '23514',
    message = format('a %s may only use a %s of its own organization%s', referencing, referenced,
                     case when platform_allowed and organization is not null then ' or of the platform' end),
    detail = format('%s %s belongs to %s', referenced, referenced_id,
                    case when owner is null then 'the platform' else 'another organization' end),
    hint = 'Content belongs to one organization: copy it into yours instead of pointing at another''s.';
end
$$;
comment on function private.require_content_of_organization(text, text, uuid, uuid, boolean) is
  'Raises 23514 unless the referenced lesson, test, concept or textbook belongs to the given organization (or, '
  'when platform_allowed, to the platform); a missing row is left to the foreign key.';
revoke execute on function private.require_content_of_organization(text, text, uuid, uuid, boolean) from public;

create function private.trigger_require_content_of_organization() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  organization uuid;
begin
  case tg_table_name
    when 'questions' then
      organization := case when new.course_id is null then new.organization_id
                           else private.course_organization_id(new.course_id) end;
      perform private.require_content_of_organization('question', 'lesson', new.lesson_id, organization, false);
      perform private.require_content_of_organization('question', 'test', new.test_id, organization, false);
      perform private.require_content_of_organization('question', 'concept', new.concept_id, organization, true);
    when 'tests' then
      organization := case when new.course_id is null then new.organization_id
                           else private.course_organization_id(new.course_id) end;
      perform private.require_content_of_organization('test', 'lesson', new.lesson_id, organization, false);
    when 'concepts' then
      perform private.require_content_of_organization('concept', 'concept', new.parent_id, new.organization_id, true);
      perform private.require_content_of_organization('concept', 'textbook', new.textbook_id, new.organization_id,
                                                      true);
    when 'concept_prerequisites' then
      organization := private.concept_organization_id(new.concept_id);
      perform private.require_content_of_organization('prerequisite edge', 'concept', new.prerequisite_id,
                                                      organization, true);
    when 'content_hooks' then
      perform private.require_content_of_organization('content hook', 'concept', new.concept_id,
                                                      new.organization_id, true);
    when 'content_examples' then
      perform private.require_content_of_organization('content example', 'concept', new.concept_id,
                                                      new.organization_id, true);
    when 'content_chunks' then
      perform private.require_content_of_organization('content chunk', 'concept', new.concept_id,
                                                      new.organization_id, true);
      perform private.require_content_of_organization('content chunk', 'textbook', new.textbook_id,
                                                      new.organization_id, true);
  end case;
  return new;
end
$$;
comment on function private.trigger_require_content_of_organization() is
  'BEFORE INSERT OR UPDATE of content: every lesson, test, concept or textbook the row points at belongs to the '
  'row''s organization (concepts and textbooks may be platform-wide); else 23514.';
revoke execute on function private.trigger_require_content_of_organization() from public;

-- ======================================================================
-- triggers
-- ======================================================================

create trigger subjects_set_updated_at before update on public.subjects
  for each row execute function private.trigger_set_updated_at();

create trigger media_assets_set_updated_at before update on public.media_assets
  for each row execute function private.trigger_set_updated_at();

create trigger media_assets_stamp_published_at before insert or update of is_published on public.media_assets
  for each row execute function private.trigger_stamp_published_at();

create trigger courses_set_updated_at before update on public.courses
  for each row execute function private.trigger_set_updated_at();

create trigger courses_stamp_published_at before insert or update of is_published on public.courses
  for each row execute function private.trigger_stamp_published_at();

create trigger lessons_inherit_course_organization before insert or update of course_id on public.lessons
  for each row execute function private.trigger_inherit_course_organization();

create trigger lessons_set_updated_at before update on public.lessons
  for each row execute function private.trigger_set_updated_at();

create trigger lessons_stamp_published_at before insert or update of is_published on public.lessons
  for each row execute function private.trigger_stamp_published_at();

create trigger lesson_notes_set_updated_at before update on public.lesson_notes
  for each row execute function private.trigger_set_updated_at();

create trigger textbooks_set_updated_at before update on public.textbooks
  for each row execute function private.trigger_set_updated_at();

create trigger textbooks_stamp_published_at before insert or update of is_published on public.textbooks
  for each row execute function private.trigger_stamp_published_at();

create trigger tests_inherit_course_organization before insert or update of course_id on public.tests
  for each row execute function private.trigger_inherit_course_organization();

create trigger tests_set_updated_at before update on public.tests
  for each row execute function private.trigger_set_updated_at();

create trigger tests_stamp_published_at before insert or update of is_published on public.tests
  for each row execute function private.trigger_stamp_published_at();

create trigger concepts_set_updated_at before update on public.concepts
  for each row execute function private.trigger_set_updated_at();

create trigger concepts_stamp_published_at before insert or update of is_published on public.concepts
  for each row execute function private.trigger_stamp_published_at();

create trigger concept_prerequisites_prevent_cycle
  before insert or update of concept_id, prerequisite_id on public.concept_prerequisites
  for each row execute function private.trigger_prevent_prerequisite_cycle();

create trigger content_hooks_set_updated_at before update on public.content_hooks
  for each row execute function private.trigger_set_updated_at();

create trigger content_hooks_stamp_published_at before insert or update of is_published on public.content_hooks
  for each row execute function private.trigger_stamp_published_at();

create trigger content_examples_set_updated_at before update on public.content_examples
  for each row execute function private.trigger_set_updated_at();

create trigger content_examples_stamp_published_at before insert or update of is_published on public.content_examples
  for each row execute function private.trigger_stamp_published_at();

create trigger questions_inherit_course_organization before insert or update of course_id on public.questions
  for each row execute function private.trigger_inherit_course_organization();

create trigger questions_set_updated_at before update on public.questions
  for each row execute function private.trigger_set_updated_at();

create trigger questions_stamp_published_at before insert or update of is_published on public.questions
  for each row execute function private.trigger_stamp_published_at();

create trigger question_answer_keys_set_updated_at before update on public.question_answer_keys
  for each row execute function private.trigger_set_updated_at();

create trigger question_hints_set_updated_at before update on public.question_hints
  for each row execute function private.trigger_set_updated_at();

create trigger concept_prerequisites_bound_input before insert or update on public.concept_prerequisites
  for each row execute function private.trigger_bound_input(
    'reason:2000');

create trigger concepts_bound_input before insert or update on public.concepts
  for each row execute function private.trigger_bound_input(
    'code:200', 'description:10000', 'key_vocabulary:16384:json', 'learning_objectives:16384:json', 'name:255');

create trigger content_examples_bound_input before insert or update on public.content_examples
  for each row execute function private.trigger_bound_input(
    'example_text:10000', 'interactive_element:16384:json', 'interest_tags:16384:json');

create trigger content_hooks_bound_input before insert or update on public.content_hooks
  for each row execute function private.trigger_bound_input(
    'hook_text:4000', 'hook_type:50', 'sub_category:100');

create trigger courses_bound_input before insert or update on public.courses
  for each row execute function private.trigger_bound_input(
    'description:20000', 'duration_label:100', 'grade_levels:16384:json', 'kind:50', 'settings:16384:json',
    'short_description:500', 'slug:200', 'tags:16384:json', 'title:200');

create trigger lesson_notes_bound_input before insert or update on public.lesson_notes
  for each row execute function private.trigger_bound_input(
    'language_code:35', 'note_content:100000', 'title:200', 'tool_calls:65536:json', 'tool_calls_content:65536:json');

create trigger lessons_bound_input before insert or update on public.lessons
  for each row execute function private.trigger_bound_input(
    'code_example:50000', 'content:200000', 'description:10000', 'explanation:50000', 'key_points:16384:json',
    'lesson_code:100', 'title:200');

create trigger media_assets_bound_input before insert or update on public.media_assets
  for each row execute function private.trigger_bound_input(
    'bucket_id:100', 'metadata:16384:json', 'mime_type:255', 'object_path:1024', 'title:200');

create trigger question_answer_keys_bound_input before insert or update on public.question_answer_keys
  for each row execute function private.trigger_bound_input(
    'accepted_answers:16384:json', 'correct_answer:16384:json', 'expected_output:10000', 'test_cases:65536:json');

create trigger question_hints_bound_input before insert or update on public.question_hints
  for each row execute function private.trigger_bound_input(
    'hint:2000');

create trigger questions_bound_input before insert or update on public.questions
  for each row execute function private.trigger_bound_input(
    'category:100', 'display_format:50', 'operation:10', 'operation2:10', 'options:16384:json', 'prompt:16384:json',
    'tags:16384:json', 'units:50');

create trigger tests_bound_input before insert or update on public.tests
  for each row execute function private.trigger_bound_input(
    'instructions:10000', 'title:200');

create trigger textbooks_bound_input before insert or update on public.textbooks
  for each row execute function private.trigger_bound_input(
    'difficulty_range:100', 'grade_levels:16384:json', 'isbn:20', 'publisher:200', 'title:255');

create trigger question_explanations_bound_input before insert or update on public.question_explanations
  for each row execute function private.trigger_bound_input('explanation:10000');

create trigger question_explanations_set_updated_at before update on public.question_explanations
  for each row execute function private.trigger_set_updated_at();

create trigger questions_require_content_of_organization
  before insert or update of organization_id, course_id, lesson_id, test_id, concept_id on public.questions
  for each row execute function private.trigger_require_content_of_organization();

create trigger tests_require_content_of_organization
  before insert or update of organization_id, course_id, lesson_id on public.tests
  for each row execute function private.trigger_require_content_of_organization();

create trigger concepts_require_content_of_organization
  before insert or update of organization_id, parent_id, textbook_id on public.concepts
  for each row execute function private.trigger_require_content_of_organization();

create trigger concept_prerequisites_require_content_of_organization
  before insert or update of concept_id, prerequisite_id on public.concept_prerequisites
  for each row execute function private.trigger_require_content_of_organization();

create trigger content_hooks_require_content_of_organization
  before insert or update of organization_id, concept_id on public.content_hooks
  for each row execute function private.trigger_require_content_of_organization();

create trigger content_examples_require_content_of_organization
  before insert or update of organization_id, concept_id on public.content_examples
  for each row execute function private.trigger_require_content_of_organization();
