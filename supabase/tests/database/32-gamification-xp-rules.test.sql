-- Gamification (issue 4): the XP ledger, increment_xp's checks, levels and tiers,
-- server-verified awards with an organization's own rules, the anti-farming
-- limits (first occurrence, rate limit, daily cap), the hint economy and who may
-- set the rules — each refusal checked as the role that would attempt it.
-- Persona world: tests.create_matrix_world() (organization A 5a…0a, B 5a…0b).
begin;
create extension if not exists pgtap with schema extensions;
select plan(48);

update public.achievements set is_active = false;
update public.daily_challenges set is_active = false;
select tests.create_matrix_world();
select tests.create_supabase_user(persona, metadata => jsonb_build_object('nickname', persona))
from unnest(array['third', 'fourth', 'broke']) as persona;
insert into public.organization_members (organization_id, user_id, role)
select '5a000000-0000-4000-a000-00000000000a', tests.get_supabase_uid(persona), 'student'
from unnest(array['third', 'fourth', 'broke']) as persona;
-- Organization A's own rules (the defaults are 10/5/0, 20, 50, 1000, 60 per 60 s, 10 free hints at 5 XP).
insert into public.gamification_settings (organization_id, correct_second_try, correct_later_try, lesson_complete,
  perfect_score, daily_xp_cap, rate_limit_awards, free_hints_per_day, hint_cost)
values ('5a000000-0000-4000-a000-00000000000a', 4, 2, 7, 3, 40, 5, 1, 3);
-- The lesson gets two more questions (5+6, 2+2), a draft lesson and one without questions; B gets a lesson and question.
insert into public.questions (id, course_id, lesson_id, question_type, operand1, operand2, operation, is_published)
values ('5a000000-0000-4000-a000-0000000000e1', '5a000000-0000-4000-a000-0000000000c2',
        '5a000000-0000-4000-a000-0000000000c4', 'math_fact', 5, 6, '+', true),
       ('5a000000-0000-4000-a000-0000000000e2', '5a000000-0000-4000-a000-0000000000c2',
        '5a000000-0000-4000-a000-0000000000c4', 'math_fact', 2, 2, '+', true);
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
values ('5a000000-0000-4000-a000-0000000000e1', '11', 11), ('5a000000-0000-4000-a000-0000000000e2', '4', 4);
-- Lesson completion follows the lesson's own rule (issue 14): the classmate gets 3 of 6 attempts right below.
update public.lessons set minimum_accuracy = 50 where id = '5a000000-0000-4000-a000-0000000000c4';
insert into public.lessons (id, course_id, title, order_index, is_published)
values ('5a000000-0000-4000-a000-0000000000f1', '5a000000-0000-4000-a000-0000000000c2', 'Draft', 2, false),
       ('5a000000-0000-4000-a000-0000000000f2', '5a000000-0000-4000-a000-0000000000c2', 'Empty', 3, true);
insert into public.courses (id, organization_id, kind, title, is_published)
values ('5b000000-0000-4000-a000-0000000000c2', '5a000000-0000-4000-a000-00000000000b', 'track', 'B track', true);
insert into public.lessons (id, course_id, title, order_index, is_published)
values ('5b000000-0000-4000-a000-0000000000c4', '5b000000-0000-4000-a000-0000000000c2', 'B lesson', 1, true);
insert into public.questions (id, course_id, lesson_id, question_type, operand1, operand2, operation, is_published)
values ('5b000000-0000-4000-a000-0000000000c5', '5b000000-0000-4000-a000-0000000000c2',
        '5b000000-0000-4000-a000-0000000000c4', 'math_fact', 1, 1, '+', true);
insert into public.question_hints (question_id, hint) values ('5b000000-0000-4000-a000-0000000000c5', 'Count on');
insert into public.learning_sessions (id, user_id, session_type, container)
values ('5a000000-0000-4000-a000-0000000000d2', tests.get_supabase_uid('classmate'), 'container', 'learn'),
       ('5a000000-0000-4000-a000-0000000000d3', tests.get_supabase_uid('student'), 'container', 'learn');

-- ---------------------------------------------------------------- ledger (as service_role, the server)
select tests.authenticate_as_service_role();
select is((public.increment_xp(tests.get_supabase_uid('student'), 30, 'bonus', 'bonus', 'l1') ->> 'balance')::int, 40,
  'service_role adds XP through public.increment_xp (10 from the world''s answer + 30)');
select is(public.increment_xp(tests.get_supabase_uid('student'), -15, 'correction: bonus twice', 'bonus', 'l2')
            - array['transaction_id', 'created_at', 'local_day', 'user_id', 'level', 'lifetime_xp', 'idempotency_key'],
  '{"kind": "spent", "category": "bonus", "amount": 15, "delta": -15, "reason": "correction: bonus twice",
    "balance": 25, "replayed": false}'::jsonb,
  'a correction is a compensating spent entry');
select is((public.increment_xp(tests.get_supabase_uid('student'), -99, 'x', 'bonus', 'l2') ->> 'amount')::int, 15,
  'a replayed spend returns its first result');
select results_eq(
  $$ select s.xp, s.lifetime_xp, sum(t.delta)::bigint, (sum(t.amount) filter (where t.kind = 'earned'))::bigint
     from public.xp_profiles s join public.xp_transactions t using (user_id)
     where s.user_id = tests.get_supabase_uid('student') group by s.xp, s.lifetime_xp $$,
  $$ values (25::bigint, 40::bigint, 25::bigint, 40::bigint) $$,
  'balance = sum of the ledger''s deltas, lifetime XP = sum of what was earned');
select throws_ok($$ update public.xp_transactions set amount = 1 $$, '42501', null,
  'not even service_role updates the ledger');
select throws_ok($$ delete from public.xp_transactions $$, '42501', null, 'not even service_role deletes from it');
-- The analytics events of XP changes are written by the process-awards job.
reset role;
select private.drain_awards();
select tests.authenticate_as_service_role();
select results_eq(
  $$ select event_type, (event_data ->> 'amount')::int from public.analytics_events
     where user_id = tests.get_supabase_uid('student') and event_type like 'xp.%' order by 1, 2 $$,
  $$ values ('xp.earned', 10), ('xp.earned', 30), ('xp.spent', 15) $$,
  'every XP change records an analytics event');
select throws_ok($$ select public.increment_xp(tests.get_supabase_uid('student'), 5, '  ', 'bonus', 'l3') $$,
  '22023', 'a reason of 1 to 200 characters is required', 'a blank reason is refused');
select throws_ok($$ select public.increment_xp(tests.get_supabase_uid('student'), 5, 'x', 'bonus', repeat('k', 201)) $$,
  '22023', 'an idempotency key of 1 to 200 characters is required', 'an over-long key is refused');
select throws_ok($$ select public.increment_xp(tests.get_supabase_uid('student'), -100001, 'x', 'hint', 'l4') $$,
  '22023', null, 'a spend beyond the bound is refused');
select throws_ok($$ select public.increment_xp(gen_random_uuid(), 5, 'x', 'bonus', 'l5') $$,
  'P0002', null, 'an unknown learner is refused');
select tests.authenticate_as_anon();
select throws_ok($$ select public.increment_xp(tests.get_supabase_uid('student'), 5, 'x', 'bonus', 'l6') $$,
  '42501', null, 'anon cannot call increment_xp');
select tests.authenticate_as('student');
select throws_ok(
  $$ select private.award_learning_xp(auth.uid(), 50, 'x', 'k', null, null, null, now()) $$,
  '42501', null, 'a student cannot reach the award internals either');

-- ---------------------------------------------------------------- today, week, levels, tiers
select tests.authenticate_as_service_role();
select
    private.increment_xp(tests.get_supabase_uid('fourth'), 100, 'old', 'bonus', 'd1', at => now() - interval '8 days');
select private.increment_xp(tests.get_supabase_uid('fourth'), 30, 'new', 'bonus', 'd2');
select results_eq(
  $$ select today_xp, week_xp, lifetime_xp, level, next_level_xp, pathiq_tier from public.xp_profiles
     where user_id = tests.get_supabase_uid('fourth') $$,
  $$ values (30, 30, 130::bigint, 2, 276::bigint, 'explorer') $$,
  'today''s and this week''s XP start afresh on a new local day and week; level and tier follow lifetime XP');
select is(
  (select array_agg(public.pathiq_tier(n) order by n) from unnest(array[1, 4, 5, 9, 10, 14, 15, 19, 20, 29, 30]) as n),
  array['explorer', 'explorer', 'pathfinder', 'pathfinder', 'trailblazer', 'trailblazer', 'navigator', 'navigator',
        'pioneer', 'pioneer', 'luminary'],
  'PathIQ tiers change at levels 5, 10, 15, 20 and 30');

-- ---------------------------------------------------------------- answers: server-graded, by the organization's rules
select tests.authenticate_as('classmate');
select throws_ok(
  $$ insert into public.answer_attempts (session_id, question_id, answer, response_time_ms, is_correct)
     values ('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000e1', '0', 900, true) $$,
  '42501', null, 'a student cannot claim an answer is correct');
select throws_ok(
  $$ insert into public.answer_attempts (session_id, question_id, answer, response_time_ms, xp_awarded)
     values ('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000e1', '11', 900, 500) $$,
  '42501', null, 'a student cannot set the XP an answer earns');
select throws_ok(
  $$ insert into public.answer_attempts (session_id, question_id, answer, response_time_ms)
     values ('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000c5', '7', 900) $$,
  '42501', null, 'a student cannot record an answer but through submit_answer');
select results_eq(
  $$ select r ->> 'is_correct', (r ->> 'xp_awarded')::int, r ->> 'award_rule' from (values
       (public.submit_answer('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000c5', '7', 900)))
       as answers (r) $$,
  $$ values ('true', 10, 'correct_first_try') $$,
  'submit_answer grades and awards by the server''s rules');
select results_eq(
  $$ select r ->> 'award_rule', (r ->> 'xp_awarded')::int from (values
       (public.submit_answer('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000e1', '1', 900)),
       (public.submit_answer('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000e1', '11', 900)),
       (public.submit_answer('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000e2', '1', 900)),
       (public.submit_answer('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000e2', '2', 900)),
       (public.submit_answer('5a000000-0000-4000-a000-0000000000d2', '5a000000-0000-4000-a000-0000000000e2', '4', 900)))
       as answers (r) $$,
  $$ values ('incorrect', 0), ('correct_second_try', 4), ('incorrect', 0), ('incorrect', 0),
            ('correct_later_try', 2) $$,
  'organization A pays its own second-try (4) and later-try (2) amounts; wrong answers pay nothing');
select results_eq(
  $$ select public.complete_lesson('5a000000-0000-4000-a000-0000000000c4') - 'balance' - 'lesson_id' $$,
  $$ values ('{"perfect": false, "xp_awarded": 7, "replayed": false}'::jsonb) $$,
  'a lesson not right first time everywhere pays organization A''s lesson_complete (7), no perfect score');
select throws_ok($$ select public.complete_lesson('5a000000-0000-4000-a000-0000000000f1') $$,
  'P0002', null, 'a draft lesson cannot be completed');
select throws_ok($$ select public.complete_lesson('5a000000-0000-4000-a000-0000000000f2') $$,
  '23514', null, 'a lesson without questions cannot be verified, so pays nothing');
select throws_ok($$ select public.complete_lesson('5b000000-0000-4000-a000-0000000000c4') $$,
  'P0002', null, 'another organization''s lesson cannot be completed');
select throws_ok($$ select public.finish_container('5a000000-0000-4000-a000-0000000000d3') $$,
  'P0002', null, 'a student cannot finish someone else''s container');
select tests.authenticate_as('student');
select throws_ok($$ select public.finish_container('5a000000-0000-4000-a000-0000000000d1') $$,
  '22023', null, 'a practice session is not a container');
select throws_ok($$ select public.finish_container('5a000000-0000-4000-a000-0000000000d3') $$,
  '23514', 'answer at least one question before finishing the container', 'an empty container pays nothing');
update public.learning_sessions set status = 'abandoned' where id = '5a000000-0000-4000-a000-0000000000d3';
select throws_ok($$ select public.finish_container('5a000000-0000-4000-a000-0000000000d3') $$,
  '23514', null, 'an abandoned container cannot be finished for XP');
select tests.authenticate_as_anon();
select throws_ok($$ select public.complete_lesson('5a000000-0000-4000-a000-0000000000c4') $$,
  '42501', null, 'anon completes no lesson');

-- ---------------------------------------------------------------- rate limit and daily cap (A: 5 awards a minute, 40 a day)
select tests.authenticate_as_service_role();
select is(
  (select array_agg((private.award_learning_xp(tests.get_supabase_uid('third'), 2, 'x', 'r' || n,
     '5a000000-0000-4000-a000-00000000000a', null, null, now() - interval '2 minutes') ->> 'awarded')::int)
   from generate_series(1, 5) as n),
  array[2, 2, 2, 2, 2], 'five awards in one minute');
select is(
  (select array_agg((private.award_learning_xp(tests.get_supabase_uid('third'), 2, 'x', 's' || n,
     '5a000000-0000-4000-a000-00000000000a', null, null, now()) ->> 'awarded')::int)
   from generate_series(1, 5) as n),
  array[2, 2, 2, 2, 2], 'five more once the window has passed');
select throws_ok(
  $$ select private.award_learning_xp(tests.get_supabase_uid('third'), 5, 'x', 't1',
       '5a000000-0000-4000-a000-00000000000a', null, null, now()) $$,
  'PT429', 'too many XP awards: at most 5 per 60 seconds', 'a sixth within the window is refused');
select is((private.award_learning_xp(tests.get_supabase_uid('fourth'), 5, 'x', 'u1',
    '5a000000-0000-4000-a000-00000000000a', null, null, now()) ->> 'awarded')::int, 5,
  'the limit is per learner');
select is((private.award_learning_xp(tests.get_supabase_uid('classmate'), 30, 'x', 'cap1',
    '5a000000-0000-4000-a000-00000000000a', null, null, now()) - 'transaction_id' - 'created_at'
    - 'local_day' - 'user_id' - 'level' - 'lifetime_xp' - 'idempotency_key' - 'reason' - 'balance' - 'category'
    - 'kind' - 'delta' - 'amount' - 'replayed'),
  '{"awarded": 17, "capped": true}'::jsonb,
  'the daily cap (40) cuts an award to what is left of the day (classmate earned 10 + 4 + 2 + 7 learning XP today)');
select
    is((private.increment_xp(tests.get_supabase_uid('classmate'), 25, 'gift', 'bonus', 'cap2') ->> 'amount')::int, 25,
  'bonus XP is not capped');
select is((private.award_learning_xp(tests.get_supabase_uid('classmate'), 30, 'x', 'cap3',
    '5a000000-0000-4000-a000-00000000000a', null, null, now() + interval '1 day') ->> 'awarded')::int, 30,
  'the cap starts afresh on the next local day');

-- ---------------------------------------------------------------- hints (A: 1 free a day, then 3 XP)
select private.take_hint(tests.get_supabase_uid('fourth'), '5a000000-0000-4000-a000-0000000000c5', 'h0',
                         now() - interval '1 day');
select tests.authenticate_as('fourth');
select is(public.use_hint('5a000000-0000-4000-a000-0000000000c5', 'h1') ->> 'cost', '0',
  'a new local day brings a new free hint (yesterday''s was used)');
select is(public.use_hint('5a000000-0000-4000-a000-0000000000e1', 'h2') - 'hint' - 'question_id',
  '{"cost": 3, "free_hints_left": 0, "balance": 132, "replayed": false}'::jsonb,
  'beyond the free hints a hint costs organization A''s hint_cost in XP');
select throws_ok($$ select public.use_hint('5b000000-0000-4000-a000-0000000000c5', 'h3') $$,
  'P0002', null, 'no hint for another organization''s question');
select throws_ok($$ select private.take_hint(tests.get_supabase_uid('student'), '5a000000-0000-4000-a000-0000000000c5',
                                             'h4') $$,
  '42501', null, 'a student cannot take a hint on someone else''s account');
select tests.authenticate_as('broke');
select
    is(
        public.use_hint('5a000000-0000-4000-a000-0000000000c5', 'b1') ->> 'cost',
        '0',
        'a learner with no XP gets the free hint'
    );
select throws_ok($$ select public.use_hint('5a000000-0000-4000-a000-0000000000e1', 'b2') $$,
  '23514', 'not enough XP for hint: balance 0, needs 3', 'but no paid hint: the balance never goes below zero');
select results_eq(
  $$ select (select count(*)::int from public.hint_uses), (select count(*)::int from public.xp_transactions),
            (select xp from public.xp_profiles) $$,
  $$ values (1, 0, 0::bigint) $$, 'the refused hint left nothing behind');

-- ---------------------------------------------------------------- who sets the rules
select tests.authenticate_as('admin');
select throws_ok(
  $$ insert into public.gamification_settings (organization_id, daily_xp_cap)
     values ('5a000000-0000-4000-a000-00000000000b', 1) $$,
  '42501', null, 'an admin cannot set another organization''s rules');
select is_empty(
  $$ update public.gamification_settings set daily_xp_cap = 1 where organization_id is null returning 1 $$,
  'an admin cannot change the platform defaults');
select results_eq(
  $$ update public.gamification_settings set hint_cost = 4
     where organization_id = '5a000000-0000-4000-a000-00000000000a'
     returning hint_cost $$,
  $$ values (4) $$, 'an admin changes their organization''s rules');
select tests.authenticate_as('educator');
select is_empty(
  $$ update public.gamification_settings set daily_xp_cap = 100000 returning 1 $$,
  'an educator cannot change the rules');
select tests.authenticate_as('student');
select is_empty($$ delete from public.gamification_settings returning 1 $$, 'a student cannot remove the rules');

select * from finish();
rollback;
