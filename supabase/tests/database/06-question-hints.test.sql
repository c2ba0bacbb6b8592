-- Hints are hidden like answer keys: only the question's staff read and write them; learners pay through use_hint().
begin;
create extension if not exists pgtap with schema extensions;
select plan(15);

-- The isolation world: see tests.create_isolation_world() in 000-setup-tests-hooks.test.sql.
select tests.create_isolation_world();
insert into public.question_hints (question_id, hint)
values ('0e000000-0000-4000-8000-000000000001', 'Count on from 4');
-- One free hint a day, then 2 XP each; the student holds 5 XP.
insert into public.gamification_settings (organization_id, free_hints_per_day, hint_cost)
values ('0a000000-0000-4000-8000-000000000001', 1, 2);
select private.increment_xp(tests.get_supabase_uid('student'), 5, 'pocket money', 'bonus', 'hints-pgtap');

select tests.authenticate_as('student');
select results_eq($$ select count(*)::int from public.question_hints $$, $$ values (0) $$,
  'a student reads no hint directly');
select throws_ok($$ select hint from public.questions $$, '42703', null,
  'questions carry no hint column a student could select');
select results_eq($$ select count(*)::int from public.questions $$, $$ values (1) $$,
  'while the question itself stays readable');
select is(public.use_hint('0e000000-0000-4000-8000-000000000001', 'p1') - 'question_id',
  '{"hint": "Count on from 4", "cost": 0, "free_hints_left": 0, "balance": 5, "replayed": false}'::jsonb,
  'use_hint returns the hint, free within the daily allowance');
select is(public.use_hint('0e000000-0000-4000-8000-000000000001', 'p2') - 'question_id',
  '{"hint": "Count on from 4", "cost": 2, "free_hints_left": 0, "balance": 3, "replayed": false}'::jsonb,
  'beyond it the hint still comes back, paid with XP');
select is(public.use_hint('0e000000-0000-4000-8000-000000000001', 'p2') ->> 'hint', 'Count on from 4',
  'a replayed hint returns the same text without charging again');
select throws_ok($$ insert into public.question_hints (question_id, hint)
                    values ('0e000000-0000-4000-8000-000000000001', 'free answers') $$,
  '42501', null, 'a student cannot write a hint');

select tests.authenticate_as('guardian');
select results_eq($$ select count(*)::int from public.question_hints $$, $$ values (0) $$,
  'a guardian reads no hint');

select tests.authenticate_as('other_org_educator');
select results_eq($$ select count(*)::int from public.question_hints $$, $$ values (0) $$,
  'an educator of another organization reads no hint of this one');
select results_eq(
  $$ with changed as (update public.question_hints set hint = 'hijacked' returning 1)
     select count(*)::int from changed $$,
  $$ values (0) $$, 'nor changes one');

select tests.authenticate_as('educator');
select results_eq($$ select hint from public.question_hints $$, $$ values ('Count on from 4') $$,
  'an educator reads their organization''s hints');
select results_eq(
  $$ with changed as (update public.question_hints set hint = 'Start at 4, count 3 more' returning 1)
     select count(*)::int from changed $$,
  $$ values (1) $$, 'and edits them');
select lives_ok($$ delete from public.question_hints $$, 'and removes them');

select tests.authenticate_as('student');
select is(public.use_hint('0e000000-0000-4000-8000-000000000001', 'p3') - 'question_id',
  '{"hint": null, "cost": 2, "free_hints_left": 0, "balance": 1, "replayed": false}'::jsonb,
  'a question without a hint gives a null hint, charged as before the move');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.question_hints $$, '42501', 'permission denied for table question_hints',
  'anon cannot read hints');

select * from finish();
rollback;
