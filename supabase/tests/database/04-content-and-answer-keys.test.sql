-- Published content is readable, drafts only by staff; correct answers are never readable by students.
begin;
create extension if not exists pgtap with schema extensions;
select plan(12);

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

insert into public.exercise_generations (user_id, generation_type, generated_exercise, expected_steps)
values (tests.get_supabase_uid('student'), 'initial', '{"prompt": "3 + 4"}', '["count on"]');

select tests.authenticate_as('student');
select results_eq($$ select title from public.lessons order by order_index $$, $$ values ('Adding to 10') $$,
  'a student reads published lessons but not drafts');
select results_eq($$ select count(*)::int from public.question_answer_keys $$, $$ values (0) $$,
  'a student reads no answer key');
select throws_ok($$ select expected_steps from public.exercise_generations $$,
  '42501', 'permission denied for table exercise_generations', 'a student cannot read an exercise''s expected steps');
select results_eq($$ select generated_exercise ->> 'prompt' from public.exercise_generations $$, $$ values ('3 + 4') $$,
  'a student reads the exercise itself');
select throws_ok(
  $$ insert into public.answer_attempts (session_id, question_id, answer, response_time_ms, is_correct)
     values ('0f000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001', '5', 900, true) $$,
  '42501', 'permission denied for table answer_attempts', 'a student cannot mark their own answer correct');
select throws_ok($$ update public.question_progress set mastery = 1 $$,
  '42501', 'permission denied for table question_progress', 'a student cannot write mastery');

select tests.authenticate_as('guardian');
select results_eq($$ select count(*)::int from public.question_answer_keys $$, $$ values (0) $$,
  'a guardian reads no answer key');

select tests.authenticate_as('educator');
select results_eq($$ select count(*)::int from public.lessons $$, $$ values (2) $$,
  'an educator reads their organization''s drafts');
select results_eq($$ select correct_value from public.question_answer_keys $$, $$ values (7.0000) $$,
  'an educator reads their organization''s answer keys');

select tests.authenticate_as('other_org_educator');
select results_eq($$ select count(*)::int from public.question_answer_keys $$, $$ values (0) $$,
  'an educator of another organization reads no key of this one');
select results_eq(
  $$ with changed as (update public.lessons set title = 'hijacked' returning 1) select count(*)::int from changed $$,
  $$ values (0) $$, 'an educator of another organization cannot edit this organization''s lessons');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.courses $$, '42501', 'permission denied for table courses',
  'anon cannot read courses');

select * from finish();
rollback;
