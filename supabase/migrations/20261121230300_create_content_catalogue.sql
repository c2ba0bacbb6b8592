-- create content catalogue
--
-- Subjects, media assets (rows pointing at Storage objects), courses (also the
-- Math engine's learning tracks), lessons (also its track sections; word /
-- sentence / freestyle types and LEARN / EXPERIENCE / DISCOVER containers),
-- lesson notes, textbooks and tests. Content belongs to an organization or,
-- with no organization, to the global catalogue written by service_role.

-- ---------------------------------------------------------------- types
create type public.difficulty_level as enum ('intro', 'beginner', 'intermediate', 'advanced');
create type public.lesson_type as enum ('standard', 'word', 'sentence', 'freestyle', 'coding', 'math_facts');
create type public.learning_container as enum ('learn', 'experience', 'discover');
create type public.media_type as enum ('video', 'image', 'audio', 'document', 'other');
create type public.test_kind as enum ('quiz', 'exam', 'practice', 'coding');
comment on type public.learning_container is 'Pathfinity''s LEARN → EXPERIENCE → DISCOVER journey containers.';

-- ---------------------------------------------------------------- shared triggers
-- published_at is a server timestamp: stamped when content is first published.
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

-- ---------------------------------------------------------------- subjects
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

create trigger subjects_set_updated_at before update on public.subjects
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- media_assets
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
create index media_assets_owner_id_idx on public.media_assets (owner_id);
create index media_assets_organization_id_idx on public.media_assets (organization_id);

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

create trigger media_assets_set_updated_at before update on public.media_assets
  for each row execute function private.trigger_set_updated_at();
create trigger media_assets_stamp_published_at before insert or update of is_published on public.media_assets
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- courses
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
create index courses_organization_id_idx on public.courses (organization_id);
create index courses_author_id_idx on public.courses (author_id);
create index courses_subject_id_idx on public.courses (subject_id);
create index courses_thumbnail_media_id_idx on public.courses (thumbnail_media_id);
create index courses_published_idx on public.courses (is_published) where is_published;

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

create trigger courses_set_updated_at before update on public.courses
  for each row execute function private.trigger_set_updated_at();
create trigger courses_stamp_published_at before insert or update of is_published on public.courses
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- lessons
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
create index lessons_course_id_idx on public.lessons (course_id, order_index);
create index lessons_organization_id_idx on public.lessons (organization_id);
create index lessons_author_id_idx on public.lessons (author_id);
create index lessons_subject_id_idx on public.lessons (subject_id);
create index lessons_cover_media_id_idx on public.lessons (cover_media_id);
create index lessons_type_published_idx on public.lessons (lesson_type, is_published);

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

-- A lesson of a course belongs to the course's organization, whatever was sent.
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

create trigger lessons_inherit_course_organization before insert or update of course_id on public.lessons
  for each row execute function private.trigger_inherit_course_organization();
create trigger lessons_set_updated_at before update on public.lessons
  for each row execute function private.trigger_set_updated_at();
create trigger lessons_stamp_published_at before insert or update of is_published on public.lessons
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- lesson_notes
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
create index lesson_notes_lesson_id_idx on public.lesson_notes (lesson_id);

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

create trigger lesson_notes_set_updated_at before update on public.lesson_notes
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- textbooks
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
create index textbooks_organization_id_idx on public.textbooks (organization_id);
create index textbooks_subject_id_idx on public.textbooks (subject_id);
create index textbooks_author_id_idx on public.textbooks (author_id);
create index textbooks_source_media_id_idx on public.textbooks (source_media_id);

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

create trigger textbooks_set_updated_at before update on public.textbooks
  for each row execute function private.trigger_set_updated_at();
create trigger textbooks_stamp_published_at before insert or update of is_published on public.textbooks
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- tests
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
create index tests_course_id_idx on public.tests (course_id);
create index tests_lesson_id_idx on public.tests (lesson_id);
create index tests_organization_id_idx on public.tests (organization_id);
create index tests_author_id_idx on public.tests (author_id);

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

create trigger tests_inherit_course_organization before insert or update of course_id on public.tests
  for each row execute function private.trigger_inherit_course_organization();
create trigger tests_set_updated_at before update on public.tests
  for each row execute function private.trigger_set_updated_at();
create trigger tests_stamp_published_at before insert or update of is_published on public.tests
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- policies
-- supabase/policies/subjects.sql
-- Policies of public.subjects: the global taxonomy, readable by every signed-in
-- user; only service_role writes it.

create policy "Signed-in users can read subjects"
  on public.subjects for select to authenticated
  using (true);

-- supabase/policies/media_assets.sql
-- Policies of public.media_assets: owners manage their uploads (a learner's
-- recordings are their activity: guardians and the staff of their organization
-- read them); published media of an organization is readable by its members,
-- global published media by everyone signed in; staff manage their
-- organization's media.

create policy "Owners can read their own media"
  on public.media_assets for select to authenticated
  using (owner_id = (select auth.uid()));

create policy "Signed-in users can read published media"
  on public.media_assets for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Guardians can read their students' media"
  on public.media_assets for select to authenticated
  using (owner_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' media"
  on public.media_assets for select to authenticated
  using (owner_id in (select private.staff_student_ids()));

create policy "Staff can read their organization's media"
  on public.media_assets for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Users can register their own uploads"
  on public.media_assets for insert to authenticated
  with check (
    owner_id = (select auth.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Owners can update their own unpublished media"
  on public.media_assets for update to authenticated
  using (owner_id = (select auth.uid()) and not is_published)
  with check (owner_id = (select auth.uid()) and not is_published);

create policy "Staff can update their organization's media"
  on public.media_assets for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Owners can delete their own media"
  on public.media_assets for delete to authenticated
  using (owner_id = (select auth.uid()));

create policy "Staff can delete their organization's media"
  on public.media_assets for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/courses.sql
-- Policies of public.courses: published courses are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global courses (no organization)
-- are written by service_role.

create policy "Signed-in users can read published courses"
  on public.courses for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own courses"
  on public.courses for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's courses"
  on public.courses for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create courses for their organization"
  on public.courses for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's courses"
  on public.courses for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's courses"
  on public.courses for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/lessons.sql
-- Policies of public.lessons: published lessons are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global lessons (no organization)
-- are written by service_role.

create policy "Signed-in users can read published lessons"
  on public.lessons for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own lessons"
  on public.lessons for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's lessons"
  on public.lessons for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create lessons for their organization"
  on public.lessons for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's lessons"
  on public.lessons for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's lessons"
  on public.lessons for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/lesson_notes.sql
-- Policies of public.lesson_notes: a note is visible with its lesson (the
-- lessons policies decide) and written by the staff of the lesson's organization.

create policy "Users can read the notes of lessons they can read"
  on public.lesson_notes for select to authenticated
  using (exists (select from public.lessons where lessons.id = lesson_notes.lesson_id));

create policy "Staff can add notes to their organization's lessons"
  on public.lesson_notes for insert to authenticated
  with check (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Staff can update notes of their organization's lessons"
  on public.lesson_notes for update to authenticated
  using (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())))
  with check (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete notes of their organization's lessons"
  on public.lesson_notes for delete to authenticated
  using (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

-- supabase/policies/textbooks.sql
-- Policies of public.textbooks: published textbooks are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global textbooks (no organization)
-- are written by service_role.

create policy "Signed-in users can read published textbooks"
  on public.textbooks for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own textbooks"
  on public.textbooks for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's textbooks"
  on public.textbooks for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create textbooks for their organization"
  on public.textbooks for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's textbooks"
  on public.textbooks for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's textbooks"
  on public.textbooks for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/tests.sql
-- Policies of public.tests: published tests are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global tests (no organization)
-- are written by service_role.

create policy "Signed-in users can read published tests"
  on public.tests for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own tests"
  on public.tests for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's tests"
  on public.tests for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create tests for their organization"
  on public.tests for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's tests"
  on public.tests for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's tests"
  on public.tests for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
