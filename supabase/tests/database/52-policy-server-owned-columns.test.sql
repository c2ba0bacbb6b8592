-- Policy matrix, key cases: a student writes their own activity but never
-- what the server owns (correctness, scores, progress, XP, server
-- timestamps): 42501 from column privileges. (All cases:
-- tests/test_policy_matrix.py; every column: tests/test_schema_security.py.)
begin;
create extension if not exists pgtap with schema extensions;
select plan(9);

-- The matrix's world: see tests.create_matrix_world() in 000-setup-tests-hooks.test.sql.
select tests.create_matrix_world();

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
