-- Students read and write only their own activity; anon reads nothing.
begin;
create extension if not exists pgtap with schema extensions;
select plan(16);

-- The isolation world: see tests.create_isolation_world() in 000-setup-tests-hooks.test.sql.
select tests.create_isolation_world();

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
  $$ select (public.submit_answer('0f000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001',
       '7', 1800) ->> 'is_correct')::boolean $$,
  $$ values (true) $$, 'the server grades the student''s answer');
select throws_ok(
  $$ insert into public.answer_attempts (session_id, question_id, answer, response_time_ms)
     values ('0f000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001', '7', 1800) $$,
  '42501', 'permission denied for table answer_attempts', 'answers are recorded only through submit_answer');
select throws_ok(
  $$ insert into public.organization_members (organization_id, user_id, role)
     values ('0b000000-0000-4000-8000-000000000001', tests.get_supabase_uid('student'), 'student') $$,
  '42501', 'permission denied for table organization_members',
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
