-- Published content is readable, drafts only by staff; correct answers are never readable by students.
begin;
create extension if not exists pgtap with schema extensions;
select plan(12);

-- The isolation world: see tests.create_isolation_world() in 000-setup-tests-hooks.test.sql.
select tests.create_isolation_world();

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
