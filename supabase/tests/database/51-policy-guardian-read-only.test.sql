-- Policy matrix, key cases: a linked guardian reads their student's activity
-- and never writes it; an unlinked guardian (a parent of the same
-- organization) sees none of it. (All cases: tests/test_policy_matrix.py.)
begin;
create extension if not exists pgtap with schema extensions;
select plan(11);

-- The matrix's world, small: organization A (student, classmate, linked and
-- unlinked guardian, educator, admin) and organization B (student, educator).
select count(tests.create_supabase_user(persona, metadata => jsonb_build_object('nickname', persona))) as users
from unnest(array['student', 'classmate', 'other_student', 'guardian', 'unlinked_guardian', 'educator',
                  'other_educator', 'admin']) as persona;
insert into public.organizations (id, name, slug, kind)
values ('5a000000-0000-4000-a000-00000000000a', 'Maple Microschool', 'maple-pgtap', 'microschool'),
       ('5a000000-0000-4000-a000-00000000000b', 'Harbor School', 'harbor-pgtap', 'school');
insert into public.organization_members (organization_id, user_id, role)
select org::uuid, tests.get_supabase_uid(persona), role::public.organization_role
from (values ('5a000000-0000-4000-a000-00000000000a', 'student', 'student'),
             ('5a000000-0000-4000-a000-00000000000a', 'classmate', 'student'),
             ('5a000000-0000-4000-a000-00000000000a', 'guardian', 'parent'),
             ('5a000000-0000-4000-a000-00000000000a', 'unlinked_guardian', 'parent'),
             ('5a000000-0000-4000-a000-00000000000a', 'educator', 'educator'),
             ('5a000000-0000-4000-a000-00000000000a', 'admin', 'admin'),
             ('5a000000-0000-4000-a000-00000000000b', 'other_student', 'student'),
             ('5a000000-0000-4000-a000-00000000000b', 'other_educator', 'educator')) as m (org, persona, role);
insert into public.guardianships (guardian_id, student_id)
values (tests.get_supabase_uid('guardian'), tests.get_supabase_uid('student'));
insert into public.subjects (id, slug, name) values ('5a000000-0000-4000-a000-0000000000c1', 'math-pgtap', 'Maths');
insert into public.courses (id, organization_id, subject_id, kind, slug, title, is_published)
values ('5a000000-0000-4000-a000-0000000000c2', '5a000000-0000-4000-a000-00000000000a',
        '5a000000-0000-4000-a000-0000000000c1', 'track', 'addition', 'Addition facts', true),
       ('5a000000-0000-4000-a000-0000000000c3', '5a000000-0000-4000-a000-00000000000a',
        '5a000000-0000-4000-a000-0000000000c1', 'course', 'draft', 'Draft course', false);
insert into public.lessons (id, course_id, title, lesson_type, order_index, is_published)
values ('5a000000-0000-4000-a000-0000000000c4', '5a000000-0000-4000-a000-0000000000c2', 'Adding to 10',
        'math_facts', 1, true);
insert into public.questions (id, course_id, lesson_id, question_type, operand1, operand2, operation, is_published)
values ('5a000000-0000-4000-a000-0000000000c5', '5a000000-0000-4000-a000-0000000000c2',
        '5a000000-0000-4000-a000-0000000000c4', 'math_fact', 3, 4, '+', true);
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
values ('5a000000-0000-4000-a000-0000000000c5', '7', 7);
insert into public.enrollments (user_id, course_id)
values (tests.get_supabase_uid('student'), '5a000000-0000-4000-a000-0000000000c2');
insert into public.learning_sessions (id, user_id, session_type, course_id)
values ('5a000000-0000-4000-a000-0000000000d1', tests.get_supabase_uid('student'), 'practice',
        '5a000000-0000-4000-a000-0000000000c2');
insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms)
values (tests.get_supabase_uid('student'), '5a000000-0000-4000-a000-0000000000d1',
        '5a000000-0000-4000-a000-0000000000c5', '7', 1500);

select tests.authenticate_as('guardian');
select is((select count(*)::integer from public.learning_sessions), 1, 'a linked guardian reads the child''s session');
select is((select count(*)::integer from public.answer_attempts), 1, 'a linked guardian reads the child''s attempt');
select is((select count(*)::integer from public.enrollments), 1, 'a linked guardian reads the child''s enrollment');
select is((select count(*)::integer from public.profiles where id = tests.get_supabase_uid('student')), 1,
          'a linked guardian reads the child''s profile');
select is_empty($$update public.learning_sessions set active_seconds = 99 returning id$$,
                'a linked guardian cannot update the child''s session');
select is_empty($$update public.profiles set nickname = 'renamed' where id = tests.get_supabase_uid('student')
                 returning id$$, 'a linked guardian cannot rename the child');
select throws_ok($$insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms)
                  values (tests.get_supabase_uid('student'), '5a000000-0000-4000-a000-0000000000d1',
                          '5a000000-0000-4000-a000-0000000000c5', '7', 900)$$,
                 '42501', null, 'a linked guardian cannot answer for the child');
select throws_ok($$delete from public.enrollments$$, '42501', null,
                 'a linked guardian cannot delete the child''s enrollment');

select tests.authenticate_as('unlinked_guardian');
select is((select count(*)::integer from public.learning_sessions), 0, 'an unlinked guardian sees no session');
select is((select count(*)::integer from public.answer_attempts), 0, 'an unlinked guardian sees no attempt');
select is((select count(*)::integer from public.profiles where id = tests.get_supabase_uid('student')), 0,
          'an unlinked guardian cannot read the student''s profile');

select * from finish();
rollback;
