-- Students read and write only their own activity; anon reads nothing.
begin;
create extension if not exists pgtap with schema extensions;
select plan(15);

-- Personas and content (as the owner, before switching role): two
-- organizations, the matrix's people, a published track with a lesson, a draft
-- lesson, a question with its hidden key, and one practice session of the student.
-- (in a do block: printed uuids could be misread as TAP lines)
do $$
begin
  perform tests.create_supabase_user(persona)
  from unnest(array['student', 'classmate', 'other_org_student', 'guardian', 'unlinked_guardian',
                    'educator', 'other_org_educator', 'admin']) persona;
end
$$;
insert into public.organizations (id, name, kind, max_students) values
  ('0a000000-0000-4000-8000-000000000001', 'Maple Microschool', 'microschool', 30),
  ('0b000000-0000-4000-8000-000000000001', 'Harbor School', 'school', 30);
insert into public.organization_members (organization_id, user_id, role)
select org::uuid, tests.get_supabase_uid(persona), role::public.organization_role
from (values
  ('0a000000-0000-4000-8000-000000000001', 'admin', 'admin'),
  ('0a000000-0000-4000-8000-000000000001', 'educator', 'educator'),
  ('0a000000-0000-4000-8000-000000000001', 'student', 'student'),
  ('0a000000-0000-4000-8000-000000000001', 'classmate', 'student'),
  ('0a000000-0000-4000-8000-000000000001', 'guardian', 'parent'),
  ('0a000000-0000-4000-8000-000000000001', 'unlinked_guardian', 'parent'),
  ('0b000000-0000-4000-8000-000000000001', 'other_org_educator', 'educator'),
  ('0b000000-0000-4000-8000-000000000001', 'other_org_student', 'student')) as m (org, persona, role);
insert into public.guardianships (guardian_id, student_id)
values (tests.get_supabase_uid('guardian'), tests.get_supabase_uid('student'));
insert into public.courses (id, organization_id, kind, title, is_published)
values (
    '0c000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', 'track', 'Addition facts', true
);
insert into public.lessons (id, course_id, title, order_index, is_published) values
  ('0d000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', 'Adding to 10', 1, true),
  ('0d000000-0000-4000-8000-000000000002', '0c000000-0000-4000-8000-000000000001', 'Adding to 20 (draft)', 2, false);
insert into public.questions (id, course_id, lesson_id, question_type, operand1, operand2, operation, is_published)
values ('0e000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001',
        '0d000000-0000-4000-8000-000000000001', 'math_fact', 3, 4, '+', true);
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
values ('0e000000-0000-4000-8000-000000000001', '7', 7);
insert into public.learning_sessions (id, user_id, session_type, mode, course_id)
values ('0f000000-0000-4000-8000-000000000001', tests.get_supabase_uid('student'), 'practice', 'timed',
        '0c000000-0000-4000-8000-000000000001');
insert into public.enrollments (user_id, course_id)
values (tests.get_supabase_uid('student'), '0c000000-0000-4000-8000-000000000001');

select tests.authenticate_as('student');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (1) $$,
  'a student reads their own session');
select results_eq($$ select count(*)::int from public.profiles where id = tests.get_supabase_uid('student') $$,
  $$ values (1) $$, 'a student reads their own profile');
select results_eq($$ select count(*)::int from public.profiles where id = tests.get_supabase_uid('classmate') $$,
  $$ values (0) $$, 'a student cannot read a classmate''s profile');
select lives_ok($$ insert into public.learning_sessions (session_type, mode) values ('practice', 'untimed') $$,
  'a student starts their own session');
select throws_ok(
  $$ insert into public.learning_sessions (user_id, session_type)
    values (tests.get_supabase_uid('classmate'), 'practice') $$,
  '42501', 'new row violates row-level security policy for table "learning_sessions"',
  'a student cannot start a session for a classmate');
select throws_ok($$ update public.learning_sessions set score = 100 $$,
  '42501', 'permission denied for table learning_sessions', 'a student cannot write their score');
select throws_ok($$ update public.enrollments set progress_percentage = 100 $$,
  '42501', 'permission denied for table enrollments', 'a student cannot write their progress');
select results_eq(
  $$ insert into public.answer_attempts (session_id, question_id, answer, response_time_ms)
     values ('0f000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001', '7', 1800)
     returning is_correct, attempt_number $$,
  $$ values (true, 1) $$, 'the server grades the student''s answer');
select throws_ok(
  $$ insert into public.organization_members (organization_id, user_id, role)
     values ('0b000000-0000-4000-8000-000000000001', tests.get_supabase_uid('student'), 'student') $$,
  '42501', 'new row violates row-level security policy for table "organization_members"',
  'a student cannot join another organization');

select tests.authenticate_as('classmate');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (0) $$,
  'a classmate cannot read the student''s session');
select results_eq(
  $$ with changed as (update public.learning_sessions set status = 'abandoned' returning 1)
    select count(*)::int from changed $$,
  $$ values (0) $$, 'a classmate cannot change the student''s session');
select results_eq($$ select count(*)::int from public.answer_attempts $$, $$ values (0) $$,
  'a classmate cannot read the student''s answers');

select tests.authenticate_as('other_org_student');
select results_eq($$ select count(*)::int from public.courses $$, $$ values (0) $$,
  'a student of another organization cannot read this organization''s published course');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.learning_sessions $$, '42501', 'permission denied for table learning_sessions',
  'anon cannot read sessions');
select throws_ok($$ select * from public.profiles $$, '42501', 'permission denied for table profiles',
  'anon cannot read profiles');

select * from finish();
rollback;
