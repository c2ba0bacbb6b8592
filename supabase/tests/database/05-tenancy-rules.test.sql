-- Server-side rules: student limit, last admin, acyclic prerequisites, time zones, sign-up.
begin;
create extension if not exists pgtap with schema extensions;
select plan(6);

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

update public.organizations set max_students = 2 where id = '0a000000-0000-4000-8000-000000000001';
select throws_ok(
  $$ insert into public.organization_members (organization_id, user_id, role)
     values ('0a000000-0000-4000-8000-000000000001', tests.get_supabase_uid('other_org_student'), 'student') $$,
  '23514', 'organization ''Maple Microschool'' has reached its limit of 2 students',
  'an organization cannot exceed max_students');
select throws_ok(
  $$ delete from public.organization_members
     where organization_id = '0a000000-0000-4000-8000-000000000001' and user_id = tests.get_supabase_uid('admin') $$,
  '23514', 'an organization must keep at least one admin', 'the last admin cannot leave');
insert into public.concepts (id, code, name) values
  ('0c0c0000-0000-4000-8000-000000000001', 'pgtap.a', 'A'),
  ('0c0c0000-0000-4000-8000-000000000002', 'pgtap.b', 'B');
insert into public.concept_prerequisites (concept_id, prerequisite_id)
values ('0c0c0000-0000-4000-8000-000000000002', '0c0c0000-0000-4000-8000-000000000001');
select throws_ok(
  $$ insert into public.concept_prerequisites (concept_id, prerequisite_id)
     values ('0c0c0000-0000-4000-8000-000000000001', '0c0c0000-0000-4000-8000-000000000002') $$,
  '23514', 'this prerequisite would create a cycle in the concept graph', 'the concept graph stays acyclic');
select throws_ok(
  $$ update public.profiles set time_zone = 'Mars/Olympus_Mons' where id = tests.get_supabase_uid('student') $$,
  '22023', 'unknown time zone ''Mars/Olympus_Mons''', 'time zones must be IANA names');
do $$
begin
  perform tests.create_supabase_user('newcomer',
    metadata => '{"nickname": "Nova", "time_zone": "Asia/Tokyo", "grade_level": "4", "locale": "ja-JP"}');
end
$$;
select results_eq(
  $$ select nickname, time_zone, grade_level::text, locale
    from public.profiles where id = tests.get_supabase_uid('newcomer') $$,
  $$ values ('Nova', 'Asia/Tokyo', '4', 'ja-JP') $$, 'sign-up creates the profile from the metadata');
select results_eq(
  $$ select count(*)::int from public.user_settings where user_id = tests.get_supabase_uid('newcomer') $$,
  $$ values (1) $$, 'sign-up creates the settings');

select * from finish();
rollback;
