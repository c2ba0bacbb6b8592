-- Policy matrix, key cases: nothing crosses organizations. Staff and students
-- of organization B see none of organization A's people, activity or content,
-- and cannot write into it. (All cases: tests/test_policy_matrix.py.)
begin;
create extension if not exists pgtap with schema extensions;
select plan(12);

-- The matrix's world: see tests.create_matrix_world() in 000-setup-tests-hooks.test.sql.
select tests.create_matrix_world();

select tests.authenticate_as('other_educator');
select is((select count(*)::integer from public.answer_attempts), 0, 'an educator of B sees no attempts of A');
select is((select count(*)::integer from public.learning_sessions), 0, 'an educator of B sees no sessions of A');
select is((select count(*)::integer from public.profiles where id = tests.get_supabase_uid('student')), 0,
          'an educator of B cannot read the profile of a student of A');
select is((select count(*)::integer from public.organization_members
           where organization_id = '5a000000-0000-4000-a000-00000000000a'), 0,
          'an educator of B cannot list the members of A');
select is((select count(*)::integer from public.courses where organization_id = '5a000000-0000-4000-a000-00000000000a'),
          0, 'an educator of B sees neither published nor draft courses of A');
select is_empty($$update public.learning_sessions set active_seconds = 1 returning id$$,
                'an educator of B updates no session of A');
select throws_ok($$insert into public.enrollments (user_id, course_id)
                  values (tests.get_supabase_uid('student'), '5a000000-0000-4000-a000-0000000000c2')$$,
                 '42501', null, 'an educator of B cannot enroll a student of A');
select throws_ok($$insert into public.guardianships (guardian_id, student_id)
                  values (tests.get_supabase_uid('other_educator'), tests.get_supabase_uid('student'))$$,
                 '42501', null, 'an educator of B cannot make themselves guardian of a student of A');

select tests.authenticate_as('other_student');
select is((select count(*)::integer from public.courses), 0, 'a student of B sees no course of A, even published');
select is((select count(*)::integer from public.organizations where id = '5a000000-0000-4000-a000-00000000000a'), 0,
          'a student of B cannot read organization A');

select tests.authenticate_as('educator');
select is((select count(*)::integer from public.profiles where id = tests.get_supabase_uid('other_student')), 0,
          'an educator of A cannot read the profile of a student of B');
select is((select count(*)::integer from public.answer_attempts), 1, 'an educator of A sees their student''s attempt');

select * from finish();
rollback;
