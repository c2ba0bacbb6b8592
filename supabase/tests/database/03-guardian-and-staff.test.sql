-- Guardians read (never write) their linked students' activity; staff read their organization's students; nothing crosses organizations.
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

select tests.authenticate_as('guardian');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (1) $$,
  'a linked guardian reads the student''s session');
select results_eq($$ select count(*)::int from public.enrollments $$, $$ values (1) $$,
  'a linked guardian reads the student''s enrollment');
select results_eq(
  $$ with changed as (update public.learning_sessions set status = 'abandoned' returning 1)
    select count(*)::int from changed $$,
  $$ values (0) $$, 'a guardian cannot change the student''s session');
select throws_ok(
  $$ insert into public.learning_sessions (user_id, session_type)
    values (tests.get_supabase_uid('student'), 'practice') $$,
  '42501', 'new row violates row-level security policy for table "learning_sessions"',
  'a guardian cannot start a session for the student');
select lives_ok(
  $$ insert into public.guardian_actions (student_id, action)
    values (tests.get_supabase_uid('student'), 'view_report') $$,
  'a guardian records an action about their student in the audit log');
select throws_ok($$ delete from public.guardian_actions $$, '42501', 'permission denied for table guardian_actions',
  'the audit log cannot be deleted from');

select tests.authenticate_as('unlinked_guardian');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (0) $$,
  'an unlinked guardian cannot read the student''s session');
select throws_ok(
  $$ insert into public.guardian_actions (student_id, action)
    values (tests.get_supabase_uid('student'), 'override_skill') $$,
  '42501', 'new row violates row-level security policy for table "guardian_actions"',
  'an unlinked guardian cannot act on the student');

select tests.authenticate_as('educator');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (1) $$,
  'an educator reads the session of their organization''s student');
select results_eq($$ select count(*)::int from public.profiles where id = tests.get_supabase_uid('student') $$,
  $$ values (1) $$, 'an educator reads their student''s profile');

select tests.authenticate_as('other_org_educator');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (0) $$,
  'an educator of another organization cannot read the student''s session');
select results_eq($$ select count(*)::int from public.profiles where id = tests.get_supabase_uid('student') $$,
  $$ values (0) $$, 'an educator of another organization cannot read the student''s profile');
select throws_ok(
  $$ insert into public.guardianships (guardian_id, student_id)
     values (tests.get_supabase_uid('unlinked_guardian'), tests.get_supabase_uid('student')) $$,
  '42501', 'new row violates row-level security policy for table "guardianships"',
  'an educator of another organization cannot link a guardian to the student');

select tests.authenticate_as('admin');
select results_eq($$ select count(*)::int from public.organization_members $$, $$ values (6) $$,
  'an admin reads their organization''s roster and no other');
select throws_ok($$ update public.organizations set max_students = 1000 $$,
  '42501', 'permission denied for table organizations', 'an admin cannot raise the student limit');

select * from finish();
rollback;
