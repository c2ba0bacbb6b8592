-- Policy matrix, key cases: a linked guardian reads their student's activity
-- and never writes it; an unlinked guardian (a parent of the same
-- organization) sees none of it. (All cases: tests/test_policy_matrix.py.)
begin;
create extension if not exists pgtap with schema extensions;
select plan(11);

-- The matrix's world: see tests.create_matrix_world() in 000-setup-tests-hooks.test.sql.
select tests.create_matrix_world();

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
