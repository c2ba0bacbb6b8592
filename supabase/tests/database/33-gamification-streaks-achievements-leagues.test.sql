-- Gamification (issue 4): weekly streaks, milestones per streak and per
-- organization, freezes (earliest first, several missed days, never more than
-- held), the live streak display, every achievement criterion, secret
-- achievements seen by nobody else, every daily challenge type, and weekly
-- leagues promoting and demoting across weeks. Persona world:
-- tests.create_matrix_world(); learners act through the student RPCs, the clock
-- moves through the server functions' `at` argument (as service_role).
begin;
create extension if not exists pgtap with schema extensions;
select plan(25);

update public.achievements set is_active = false;
update public.daily_challenges set is_active = false;
select tests.create_matrix_world();
select tests.create_supabase_user(persona, metadata => jsonb_build_object('nickname', persona))
from unnest(array['weekly', 'milestone', 'freezer', 'lapsed', 'poor']) as persona;
insert into public.organization_members (organization_id, user_id, role)
select '5a000000-0000-4000-a000-00000000000a', tests.get_supabase_uid(persona), 'student'
from unnest(array['weekly', 'milestone', 'freezer', 'lapsed', 'poor']) as persona;
-- Organization A pays a 7 XP bonus at a 2-day streak.
insert into public.gamification_settings (organization_id, streak_milestones)
values ('5a000000-0000-4000-a000-00000000000a', '{"2": 7}');

create function pg_temp.learn(persona text, day date, key text) returns jsonb
language plpgsql as $$
declare
  paid jsonb := private.increment_xp(tests.get_supabase_uid(persona), 10, 'practice', 'learning', key,
                                     at => (day + time '12:00') at time zone 'UTC');
begin
  perform private.drain_awards();  -- the streak's milestone comes from the process-awards job
  return paid;
end
$$;
create function pg_temp.streak_of(persona text) returns table (current_streak integer, best_streak integer,
  current_weekly_streak integer, best_weekly_streak integer, streak_freezes smallint)
language sql as $$
  select current_streak, best_streak, current_weekly_streak, best_weekly_streak, streak_freezes
  from public.xp_profiles where user_id = tests.get_supabase_uid(persona)
$$;
grant execute on function pg_temp.learn(text, date, text), pg_temp.streak_of(text) to service_role;

select tests.authenticate_as_service_role();

-- ---------------------------------------------------------------- weekly streaks (Monday 2 March 2026)
select pg_temp.learn('weekly', '2026-03-02', 'w1'), pg_temp.learn('weekly', '2026-03-04', 'w2');
select is((select current_weekly_streak from pg_temp.streak_of('weekly')), 1, 'two days of one week: weekly streak 1');
select pg_temp.learn('weekly', '2026-03-15', 'w3');
select is((select current_weekly_streak from pg_temp.streak_of('weekly')), 2, 'the next week (its Sunday): 2');
select pg_temp.learn('weekly', '2026-03-23', 'w4');
select results_eq(
  $$ select current_streak, current_weekly_streak, best_weekly_streak from pg_temp.streak_of('weekly') $$,
  $$ values (1, 1, 2) $$, 'a week without activity restarts the weekly streak at 1; the best stays 2');

-- ---------------------------------------------------------------- milestones: once per streak, the organization's
select pg_temp.learn('milestone', d::date, 'm' || d::date) from unnest(array['2026-03-02', '2026-03-03', '2026-03-05',
  '2026-03-06', '2026-03-07']) as d;
select results_eq(
  $$ select amount, idempotency_key from public.xp_transactions
     where user_id = tests.get_supabase_uid('milestone') and category = 'streak' order by id $$,
  $$ values (7, 'streak:2026-03-02:2'), (7, 'streak:2026-03-05:2') $$,
  'organization A''s 2-day milestone pays 7, once per streak (a new streak earns it again)');

-- ---------------------------------------------------------------- freezes
select private.increment_xp(tests.get_supabase_uid('freezer'), 200, 'gift', 'bonus', 'f0', at => '2026-03-01 12:00+00');
select pg_temp.learn('freezer', '2026-03-02', 'f1');
select private.purchase_streak_freeze(tests.get_supabase_uid('freezer'), 'fz1', '2026-03-02 13:00+00'),
       private.purchase_streak_freeze(tests.get_supabase_uid('freezer'), 'fz2', '2026-03-02 14:00+00');
select pg_temp.learn('freezer', '2026-03-05', 'f2');
select results_eq($$ select current_streak, streak_freezes from pg_temp.streak_of('freezer') $$,
  $$ values (2, 0::smallint) $$, 'two freezes cover two missed days: the streak goes on (frozen days do not count)');
select results_eq($$ select consumed_on from public.streak_freezes where user_id = tests.get_supabase_uid('freezer')
                     order by id $$,
  $$ values ('2026-03-03'::date), ('2026-03-04'::date) $$, 'the earliest-bought freeze covers the first missed day');
select private.purchase_streak_freeze(tests.get_supabase_uid('freezer'), 'fz3', '2026-03-05 13:00+00');
select pg_temp.learn('freezer', '2026-03-09', 'f3');
select results_eq($$ select current_streak, best_streak, streak_freezes from pg_temp.streak_of('freezer') $$,
  $$ values (1, 2, 0::smallint) $$, 'three missed days with one freeze: the streak restarts at 1');

-- The live display: last active two local days ago, nothing to cover yesterday.
select private.increment_xp(tests.get_supabase_uid('lapsed'), 60, 'practice', 'learning', 'l1',
                            at => now() - interval '2 days');
select tests.authenticate_as('lapsed');
select results_eq($$ select current_streak, is_alive from public.get_my_streak() $$, $$ values (0, false) $$,
  'a streak with an uncovered missed day shows 0');
select tests.authenticate_as_service_role();
select private.purchase_streak_freeze(tests.get_supabase_uid('lapsed'), 'lz', now() - interval '2 days');
select tests.authenticate_as('lapsed');
select results_eq($$ select current_streak, is_alive, freezes_held from public.get_my_streak() $$,
  $$ values (1, true, 1) $$, 'a freeze held since before the missed day keeps it alive (not yet consumed)');
select tests.authenticate_as('poor');
select throws_ok($$ select public.buy_streak_freeze('p1') $$, '23514', null, 'no freeze without the XP for it');
select is_empty($$ select * from public.streak_freezes $$, 'and none was recorded');

-- ---------------------------------------------------------------- achievements: every criterion, secrets
-- The classmate, in one sitting through the student RPCs: a fast correct first answer, today's challenge,
-- the lesson (its only question, so perfect), and a mastered skill.
reset role;
insert into public.achievements (organization_id, slug, name, description, criteria, target, xp_reward, is_secret)
select '5a000000-0000-4000-a000-00000000000a', 't-' || replace(c, '_', '-'), 'First ' || c, 'Reach 1', c, 1,
       case when c = 'speed' then 15 else 0 end, c = 'skills_mastered'
from unnest(array['xp_total', 'streak', 'lessons_completed', 'perfect_scores', 'skills_mastered', 'speed',
                  'challenges_won']) as c;
insert into public.achievements (organization_id, slug, name, description, criteria, target)
values ('5a000000-0000-4000-a000-00000000000b', 'b-first', 'B first', 'B only', 'xp_total', 1);
insert into public.daily_challenges (organization_id, challenge_date, slug, name, description, challenge_type, target,
                                     xp_reward)
select org::uuid, (now() at time zone 'UTC')::date, t || '-' || right(org, 1), 'Today ' || t, 'One', t, 1, 3
from unnest(array['correct_answers', 'fast_answers', 'lessons_completed', 'perfect_scores', 'xp_earned']) as t,
     unnest(array['5a000000-0000-4000-a000-00000000000a', '5a000000-0000-4000-a000-00000000000b']) as org;
select tests.authenticate_as('classmate');
-- Speed is measured by the server (issue 14): the question is served, then answered (within the same instant here).
insert into public.learning_sessions (session_type, mode) values ('practice', 'pgtap-speed');
select public.serve_question((select id from public.learning_sessions where mode = 'pgtap-speed'),
                             '5a000000-0000-4000-a000-0000000000c5');
select results_eq(
  $$ select (public.submit_answer((select id from public.learning_sessions where mode = 'pgtap-speed'),
                                  '5a000000-0000-4000-a000-0000000000c5', '7', 800) ->> 'xp_awarded')::int,
            (public.complete_lesson('5a000000-0000-4000-a000-0000000000c4') ->> 'perfect')::boolean $$,
  $$ values (10, true) $$,
  'classmate is served a question, answers fast and right, then completes the lesson perfectly'
);
reset role;
-- Achievements and challenges follow with the process-awards job.
select private.drain_awards();
insert into public.concepts (id, organization_id, subject_id, code, name, is_published)
values ('5a000000-0000-4000-a000-0000000000a1', '5a000000-0000-4000-a000-00000000000a',
        '5a000000-0000-4000-a000-0000000000c1', 'math.add10.pgtap33', 'Addition to 10', true);
-- status is derived (server-owned): a final mastery score at the concept's threshold masters it
insert into public.skill_progress (user_id, concept_id, final_mastery_score)
values (tests.get_supabase_uid('classmate'), '5a000000-0000-4000-a000-0000000000a1', 1);
select private.drain_awards();
select tests.authenticate_as('classmate');
select results_eq(
  $$ select a.criteria, ua.percentage, ua.unlocked_at is not null from public.user_achievements ua
     join public.achievements a on a.id = ua.achievement_id order by a.criteria $$,
  $$ values ('challenges_won', 100::smallint, true), ('lessons_completed', 100::smallint, true),
            ('perfect_scores', 100::smallint, true),
            ('skills_mastered', 100::smallint, true), ('speed', 100::smallint, true), ('streak', 100::smallint, true),
            ('xp_total', 100::smallint, true) $$,
  'every criterion unlocks (the secret one included, now visible to its earner); none of organization B''s');
select results_eq(
  $$ select category, count(*)::int, sum(amount)::int from public.xp_transactions group by 1 order by 1 $$,
  $$ values ('achievement', 1, 15), ('challenge', 5, 15), ('learning', 3, 80) $$,
  'rewards paid once each: one achievement reward, five of A''s challenges (not B''s), answer + lesson + perfect');
select results_eq(
  $$ select count(*)::int, count(*) filter (where completed_at is not null and percentage = 100)::int
     from public.get_my_challenges() $$,
  $$ values (5, 5) $$, 'today''s challenges, all completed, and only organization A''s');
select tests.authenticate_as('student');
select is_empty($$ select * from public.achievements where slug = 't-skills-mastered' $$,
  'a secret achievement stays invisible to others after someone earned it');
select tests.authenticate_as('educator');
select results_eq(
  $$ select count(*)::int from public.user_achievements where user_id = tests.get_supabase_uid('classmate') $$,
  $$ values (7) $$, 'staff see their student''s unlocked achievements, the secret one included');

-- ---------------------------------------------------------------- leagues (organization B: 4 students, groups of 2)
reset role;
select tests.create_supabase_user(persona, metadata => jsonb_build_object('nickname', persona))
from unnest(array['league_1', 'league_2', 'league_3']) as persona;
insert into public.organization_members (organization_id, user_id, role)
select '5a000000-0000-4000-a000-00000000000b', tests.get_supabase_uid(persona), 'student'
from unnest(array['league_1', 'league_2', 'league_3']) as persona;
insert into public.gamification_settings (organization_id, league_group_size, league_promote_count, league_demote_count)
values ('5a000000-0000-4000-a000-00000000000b', 2, 1, 1);
update public.achievements set is_active = false;
select tests.authenticate_as_service_role();
select is(private.form_league_week_v1('5a000000-0000-4000-a000-00000000000b', '2026-03-02'), 4,
  'four students formed into the week''s groups');
select is((select count(*)::int from public.league_groups where week_start = '2026-03-02'), 2, 'two groups of two');
-- Leagues rank the XP earned in their organization: each award names it.
select private.increment_xp(tests.get_supabase_uid(persona), xp, 'practice', 'learning', 'lg1',
                            '5a000000-0000-4000-a000-00000000000b', at => '2026-03-04 12:00+00')
from (values ('other_student', 10), ('league_1', 20), ('league_2', 30), ('league_3', 40)) as v (persona, xp);
select is(private.close_league_week_v1('5a000000-0000-4000-a000-00000000000b', '2026-03-02') - 'organization_id',
  '{"week_start": "2026-03-02", "groups_closed": 2, "promoted": 2, "demoted": 0, "next_week_start": "2026-03-09",
    "next_week_members": 4}'::jsonb,
  'the top of each group is promoted; nobody falls below bronze');
-- Week 2: only the silver learner with the lower id earns XP.
select private.increment_xp(m.user_id, 5, 'practice', 'learning', 'lg2', '5a000000-0000-4000-a000-00000000000b',
                            at => '2026-03-10 12:00+00')
from public.league_members as m where m.week_start = '2026-03-09' and m.tier = 'silver'
order by m.user_id limit 1;
select tests.authenticate_as_service_role();
select is(private.close_league_week_v1('5a000000-0000-4000-a000-00000000000b', '2026-03-09') ->> 'demoted', '1',
  'the bottom of the silver group is demoted');
select results_eq(
  $$ select tier::text, count(*)::int from public.league_members
     where week_start = '2026-03-16' group by 1 order by 1 $$,
  $$ values ('bronze', 3), ('gold', 1) $$, 'week 3: one promoted twice to gold, the demoted one back in bronze');
select is((select count(*)::int from public.league_groups where week_start = '2026-03-16'), 3,
  'groups are formed per tier: two bronze, one gold');
select tests.authenticate_as('league_3');
select results_eq(
  $$ select count(*) filter (where is_me)::int, count(distinct tier)::int, count(*) <= 2, bool_and(nickname <> '')
     from public.get_my_league('5a000000-0000-4000-a000-00000000000b') $$,
  $$ values (1, 1, true, true) $$, 'a student sees their current group: themselves and their group mate, one tier');
select throws_ok($$ select private.close_league_week_v1('5a000000-0000-4000-a000-00000000000b', '2026-03-16') $$,
  '42501', null, 'a student cannot close a league week');

select * from finish();
rollback;
