-- Policy matrix, key cases: a student writes their own activity but never
-- what the server owns (correctness, scores, progress, XP, server
-- timestamps): 42501 from column privileges. (All cases:
-- tests/test_policy_matrix.py; every column: tests/test_schema_security.py.)
begin;
create extension if not exists pgtap with schema extensions;
select plan(9);

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

select tests.authenticate_as('student');
select isnt_empty($$update public.learning_sessions set active_seconds = 120 returning id$$,
                  'a student updates what they own of their session');
select throws_ok($$update public.learning_sessions set score = 100$$, '42501', null,
                 'a student cannot set their session''s score');
select throws_ok($$update public.learning_sessions set xp_earned = 1000$$, '42501', null,
                 'a student cannot set the XP a session earned');
select throws_ok($$update public.answer_attempts set is_correct = true$$, '42501', null,
                 'a student cannot mark their attempt correct');
select throws_ok($$insert into public.answer_attempts (session_id, question_id, answer, response_time_ms, is_correct)
                  values ('5a000000-0000-4000-a000-0000000000d1', '5a000000-0000-4000-a000-0000000000c5', '5', 900,
                          true)$$, '42501', null, 'a student cannot grade a new attempt');
select throws_ok($$update public.enrollments set progress_percentage = 100$$, '42501', null,
                 'a student cannot set their course progress');
select throws_ok($$update public.question_progress set mastery = 1$$, '42501', null,
                 'a student cannot set their mastery');
select throws_ok($$update public.xp_profiles set xp = 1000000$$, '42501', null, 'a student cannot set their XP');
select throws_ok($$update public.profiles set last_active_at = now()$$, '42501', null,
                 'a student cannot set a server timestamp');

select * from finish();
rollback;
