-- Policy matrix, key cases: an anonymous request (the anon key, no user)
-- reads nothing personal and writes nothing: anon holds no privilege on any
-- table in public. (All cases: tests/test_policy_matrix.py.)
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

select is((select count(*)::integer from information_schema.role_table_grants
           where grantee = 'anon' and table_schema = 'public'), 0, 'anon holds no privilege on any public table');

select tests.authenticate_as_anon();
select throws_ok($$select * from public.profiles$$, '42501', null, 'anon cannot read profiles');
select throws_ok($$select * from public.answer_attempts$$, '42501', null, 'anon cannot read answer attempts');
select throws_ok($$select * from public.learning_sessions$$, '42501', null, 'anon cannot read sessions');
select throws_ok($$select * from public.organization_members$$, '42501', null, 'anon cannot read memberships');
select throws_ok($$select * from public.guardianships$$, '42501', null, 'anon cannot read guardianships');
select throws_ok($$select * from public.courses$$, '42501', null, 'anon cannot read courses, even published');
select throws_ok($$select * from public.xp_profiles$$, '42501', null, 'anon cannot read XP');
select throws_ok($$insert into public.organizations (name, kind) values ('Spam', 'school')$$, '42501', null,
                 'anon cannot create an organization');

select * from finish();
rollback;
