-- create enrollments
--
-- Enrollments in courses and tracks, whose progress percentage a trigger keeps
-- from lesson_progress (AI Learning Assistant; also the Math engine's
-- user_track_progress), and Spool's learning paths. Progress, completion and
-- server timestamps are written by triggers, never by students.

-- ---------------------------------------------------------------- types
create type public.enrollment_status as enum ('active', 'paused', 'completed', 'dropped');
create type public.learning_path_status as enum ('active', 'paused', 'completed', 'abandoned');

-- ---------------------------------------------------------------- enrollments
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
create index enrollments_course_id_idx on public.enrollments (course_id);
create index enrollments_organization_id_idx on public.enrollments (organization_id);
create index enrollments_current_lesson_id_idx on public.enrollments (current_lesson_id);

alter table public.enrollments enable row level security;
comment on table public.enrollments is
  'A learner enrolled in a course or track; progress_percentage, lessons_completed and completed_at are '
  'kept by a trigger from lesson_progress.';

revoke all on table public.enrollments from anon, authenticated;
grant select on table public.enrollments to authenticated;
grant insert (user_id, course_id, status, current_lesson_id) on table public.enrollments to authenticated;
grant update (status, current_lesson_id) on table public.enrollments to authenticated;
grant all on table public.enrollments to service_role;

create trigger enrollments_inherit_course_organization before insert or update of course_id on public.enrollments
  for each row execute function private.trigger_inherit_course_organization();

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
create trigger enrollments_touch before update on public.enrollments
  for each row execute function private.trigger_touch_enrollment();

-- ---------------------------------------------------------------- lesson_progress
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
create index lesson_progress_lesson_id_idx on public.lesson_progress (lesson_id);
create index lesson_progress_course_id_idx on public.lesson_progress (user_id, course_id);

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
create trigger lesson_progress_stamp before insert or update on public.lesson_progress
  for each row execute function private.trigger_stamp_lesson_progress();

-- The enrollment's progress is the share of the course's published lessons
-- the learner completed; 100 % completes it, less reopens a completed one.
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
create trigger lesson_progress_refresh_enrollment after insert or update or delete on public.lesson_progress
  for each row execute function private.trigger_refresh_enrollment_progress();

-- A new enrollment starts from the lessons already completed.
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
create trigger enrollments_initialise_progress after insert on public.enrollments
  for each row execute function private.trigger_initialise_enrollment_progress();

-- ---------------------------------------------------------------- learning_paths
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
create index learning_paths_course_id_idx on public.learning_paths (course_id);
create index learning_paths_textbook_id_idx on public.learning_paths (textbook_id);
create index learning_paths_current_concept_id_idx on public.learning_paths (current_concept_id);
create index learning_paths_next_concept_id_idx on public.learning_paths (next_concept_id);

alter table public.learning_paths enable row level security;
comment on table public.learning_paths is
  'Spool''s learning path of a learner in a subject; the metrics and next_concept_id are server-owned.';

revoke all on table public.learning_paths from anon, authenticated;
grant select on table public.learning_paths to authenticated;
grant insert (user_id, subject_id, course_id, textbook_id, current_concept_id, daily_target_minutes)
  on table public.learning_paths to authenticated;
grant update (current_concept_id, daily_target_minutes, status) on table public.learning_paths to authenticated;
grant all on table public.learning_paths to service_role;

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
create trigger learning_paths_touch before update on public.learning_paths
  for each row execute function private.trigger_touch_learning_path();

-- ---------------------------------------------------------------- policies
-- supabase/policies/enrollments.sql
-- Policies of public.enrollments: learners enroll themselves in courses they can
-- read and pause or drop them; staff enroll their students. Guardians and staff
-- read. Progress columns are written by triggers only (column privileges).

create policy "Students can read their own enrollments"
  on public.enrollments for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' enrollments"
  on public.enrollments for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' enrollments"
  on public.enrollments for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can enroll themselves in courses they can read"
  on public.enrollments for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select from public.courses where courses.id = enrollments.course_id));

create policy "Staff can enroll their students in their organization's courses"
  on public.enrollments for insert to authenticated
  with check (
    user_id in (select private.staff_student_ids())
    and course_id in (select id from public.courses where organization_id in (select private.staff_org_ids())));

create policy "Students can update their own enrollments"
  on public.enrollments for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Staff can update their students' enrollments"
  on public.enrollments for update to authenticated
  using (user_id in (select private.staff_student_ids()))
  with check (user_id in (select private.staff_student_ids()));

-- supabase/policies/lesson_progress.sql
-- Policies of public.lesson_progress: learners record their own progress in lessons
-- they can read; guardians and staff read it.

create policy "Students can read their own lesson progress"
  on public.lesson_progress for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' lesson progress"
  on public.lesson_progress for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' lesson progress"
  on public.lesson_progress for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can record progress in lessons they can read"
  on public.lesson_progress for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select from public.lessons where lessons.id = lesson_progress.lesson_id));

create policy "Students can update their own lesson progress"
  on public.lesson_progress for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- supabase/policies/learning_paths.sql
-- Policies of public.learning_paths: a learner starts and steers their own paths;
-- guardians and staff read them; metrics are server-owned.

create policy "Students can read their own learning paths"
  on public.learning_paths for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' learning paths"
  on public.learning_paths for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' learning paths"
  on public.learning_paths for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can start their own learning paths"
  on public.learning_paths for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can update their own learning paths"
  on public.learning_paths for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
