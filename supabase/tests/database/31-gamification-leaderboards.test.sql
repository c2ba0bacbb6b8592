-- Gamification (issue 4), leaderboards as the students see them: every metric,
-- period and scope (the organization is the tenant-wide board), top-N and
-- my-rank±k with their limits, nickname and avatar only, opted-out learners
-- anonymised, live after an award made through the student RPC, and no board of
-- another organization. Names come from the board's own entries (mirrored by
-- triggers): a learner's new nickname, avatar or opt-out shows at once, a
-- deleted learner leaves no entry. Persona world: tests.create_matrix_world().
begin;
create extension if not exists pgtap with schema extensions;
select plan(46);

-- Exact scores: the seed's achievements and challenges (whose rewards add XP) sit this file out.
update public.achievements set is_active = false;
update public.daily_challenges set is_active = false;

-- Organization A's students: student (grade 3, enrolled in the track, 10 XP from the world's answer),
-- classmate (grade 3), third (grade 4) and fourth (no grade, opted out, with an avatar).
select tests.create_matrix_world();
insert into public.achievements (organization_id, slug, name, description, criteria, target, xp_reward)
values ('5a000000-0000-4000-a000-00000000000a', 'board-200', 'Two hundred', 'Earn 200 XP', 'xp_total', 200, 0);
select tests.create_supabase_user('third', metadata => '{"nickname": "third"}');
select
    tests.create_supabase_user('fourth', metadata => '{"nickname": "fourth", "avatar_url": "https://img.test/4.png"}');
insert into public.organization_members (organization_id, user_id, role)
select '5a000000-0000-4000-a000-00000000000a', tests.get_supabase_uid(persona), 'student'
from unnest(array['third', 'fourth']) as persona;
update public.profiles set grade_level = '3'
where id in (tests.get_supabase_uid('student'), tests.get_supabase_uid('classmate'));
update public.profiles set grade_level = '4' where id = tests.get_supabase_uid('third');
update public.xp_profiles set leaderboard_opt_out = true where user_id = tests.get_supabase_uid('fourth');
insert into public.enrollments (user_id, course_id)
select tests.get_supabase_uid(persona), '5a000000-0000-4000-a000-0000000000c2'
from unnest(array['third', 'fourth']) as persona;

-- All-time: fourth 300, classmate 120, student 50, third 50. This week and today: classmate's XP is
-- from 8 days ago (a past week), so it counts 0; so does its streak (last activity day 8 days ago).
-- (XP of no organization counts on no board: each award names the organization it is earned in.)
select private.increment_xp(tests.get_supabase_uid('student'), 40, 'gift', 'bonus', 'lb-s',
                            '5a000000-0000-4000-a000-00000000000a');
select private.increment_xp(tests.get_supabase_uid('classmate'), 120, 'practice', 'learning', 'lb-c',
                            '5a000000-0000-4000-a000-00000000000a', at => now() - interval '8 days');
select private.increment_xp(tests.get_supabase_uid('third'), 50, 'practice', 'learning', 'lb-t',
                            '5a000000-0000-4000-a000-00000000000a');
select private.increment_xp(tests.get_supabase_uid('fourth'), 300, 'gift', 'bonus', 'lb-f',
                            '5a000000-0000-4000-a000-00000000000a');
select private.increment_xp(tests.get_supabase_uid('other_student'), 999, 'gift', 'bonus', 'lb-o',
                            '5a000000-0000-4000-a000-00000000000b');
-- What the awards leave for later (achievements, rank counts) is applied by the process-awards job.
select private.drain_awards();

select tests.authenticate_as('student');

-- ---------------------------------------------------------------- metrics
select results_eq(
  $$ select rank, nickname, avatar_url, score, is_me
     from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a') order by rank, nickname $$,
  $$ values (1::bigint, 'Anonymous learner', null::text, 300::bigint, false), (2, 'classmate', null, 120, false),
            (3, 'student', null, 50, true), (3, 'third', null, 50, false) $$,
  'all-time XP: competition ranks (ties share 3), opted-out learner anonymised without avatar, my row flagged');
select results_eq(
  $$ select rank, score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', metric => 'level')
     order by rank $$,
  $$ values (1::bigint, 3::bigint), (2, 2), (3, 1), (3, 1) $$,
  'level board: 300 XP is level 3, 120 level 2, 50 level 1');
select results_eq(
  $$ select rank, nickname, score
     from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', metric => 'streak')
     order by rank, nickname $$,
  $$ values (1::bigint, 'student', 1::bigint), (1, 'third', 1), (3, 'Anonymous learner', 0), (3, 'classmate', 0) $$,
  'streak board: alive streaks only (classmate''s stored streak of 1 ended 8 days ago and shows 0)');
select results_eq(
  $$ select rank, nickname, score
     from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', metric => 'achievements') limit 1 $$,
  $$ values (1::bigint, 'Anonymous learner', 1::bigint) $$,
  'achievements board counts unlocked achievements');

-- ---------------------------------------------------------------- periods
select results_eq(
  $$ select rank, nickname, score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', period => 'week')
     order by rank, nickname $$,
  $$ values (1::bigint, 'Anonymous learner', 300::bigint), (2, 'student', 50), (2, 'third', 50), (4, 'classmate', 0) $$,
  'this week''s board counts only XP of the viewer''s current week');
select results_eq(
  $$ select rank, nickname, score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', period => 'today')
     order by rank, nickname $$,
  $$ values (1::bigint, 'Anonymous learner', 300::bigint), (2, 'student', 50), (2, 'third', 50), (4, 'classmate', 0) $$,
  'today''s board counts only XP of the viewer''s local today');
select throws_ok(
  $$ select *
     from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', metric => 'level', period => 'today') $$,
  '22023', 'the level leaderboard has no today period', 'only the xp metric has week and today periods');
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', period => 'month') $$,
  '22023', 'unknown leaderboard period ''month''', 'an unknown period is refused');

-- ---------------------------------------------------------------- scopes
select results_eq(
  $$ select rank, nickname, score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'grade')
     order by rank $$,
  $$ values (1::bigint, 'classmate', 120::bigint), (2, 'student', 50) $$,
  'grade scope defaults to the viewer''s grade (3)');
select results_eq(
  $$ select nickname, score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'grade',
                                                        scope_id => '4') $$,
  $$ values ('third', 50::bigint) $$,
  'grade scope with an explicit grade');
select throws_ok(
  $$ select *
     from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'grade', scope_id => '13') $$,
  '22023', 'unknown grade level ''13''', 'an unknown grade is refused');
select results_eq(
  $$ select rank, nickname, score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'course',
                                                              scope_id => '5a000000-0000-4000-a000-0000000000c2')
     order by rank, nickname $$,
  $$ values (1::bigint, 'Anonymous learner', 300::bigint), (2, 'student', 50), (2, 'third', 50) $$,
  'course scope: only the course''s enrolled students (classmate is not enrolled)');
select results_eq(
  $$ select count(*)::int from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'course',
                                                      scope_id => '5a000000-0000-4000-a000-0000000000c3') $$,
  $$ values (0) $$, 'a course nobody is enrolled in has an empty board');
select throws_ok(
  $$ select *
     from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'course', scope_id => 'maths') $$,
  '22023', 'scope_id ''maths'' is not a course id', 'a course scope needs a course id');
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'course') $$,
  '22023', 'the course scope needs a course id (scope_id)', 'a course scope without a course is refused');
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'planet') $$,
  '22023', 'unknown leaderboard scope ''planet''', 'an unknown scope is refused');

-- ---------------------------------------------------------------- top-N and my rank ± k
select results_eq(
  $$ select count(*)::int from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', top_n => 2) $$,
  $$ values (2) $$, 'top_n limits the board');
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', top_n => 101) $$,
  '22023', 'size must be between 0 and 100', 'at most the top 100');
select throws_ok(
  $$ select * from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a', neighbours => 26) $$,
  '22023', 'size must be between 0 and 25', 'at most 25 neighbours each side');

select tests.authenticate_as('classmate');
select results_eq(
  $$ select rank, is_me
     from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a', neighbours => 1) $$,
  $$ values (1::bigint, false), (2, true), (3, false) $$,
  'my rank with one neighbour each side (all-time XP, from the count tree)');
select results_eq(
  $$ select rank, is_me from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a', metric => 'level',
                                                               neighbours => 1) $$,
  $$ values (1::bigint, false), (2, true), (3, false) $$,
  'my rank with neighbours on a ranked-in-scope board (level)');
select results_eq(
  $$ select rank, nickname, score, is_me from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a',
                                                                   scope => 'grade', neighbours => 5) $$,
  $$ values (1::bigint, 'classmate', 120::bigint, true), (2, 'student', 50, false) $$,
  'my rank within my grade');

-- ---------------------------------------------------------------- live, through the student RPC
select results_eq(
  $$ with session as (insert into public.learning_sessions (session_type) values ('practice') returning id)
     select (public.submit_answer(session.id, '5a000000-0000-4000-a000-0000000000c5', '7', 1200, 'live-1')
             ->> 'xp_awarded')::int from session $$,
  $$ values (10) $$, 'classmate answers correctly through submit_answer and earns 10 XP');
reset role;
select private.drain_awards();  -- the rank counts catch up (process-awards)
select tests.authenticate_as('classmate');
select tests.authenticate_as('student');
select results_eq(
  $$ select score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a') where nickname = 'classmate' $$,
  $$ values (130::bigint) $$, 'the award shows in the very next query (no cache)');
select results_eq(
  $$ select rank, score
     from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a', neighbours => 0) $$,
  $$ values (3::bigint, 50::bigint) $$, 'my rank alone (k = 0)');

-- ---------------------------------------------------------------- who is shown, and how
select is_empty(
  $$ select 1 from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', top_n => 100)
     where nickname like '%@%' $$,
  'boards never show an email');
select is(
  (select array_agg(a order by a) from unnest((select proargnames from pg_catalog.pg_proc
     where oid = 'public.get_leaderboard(uuid, text, text, text, text, integer)'::regprocedure)) as a
   where a not in ('organization_id', 'metric', 'period', 'scope', 'scope_id', 'top_n')),
  array['avatar_url', 'is_me', 'nickname', 'rank', 'score']::text[],
  'a board row is rank, nickname, avatar, score and is_me: no user id, no email');
select tests.authenticate_as('fourth');
select results_eq(
  $$ select nickname, avatar_url, is_me
     from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', top_n => 1) $$,
  $$ values ('fourth', 'https://img.test/4.png', true) $$,
  'a learner who opted out still sees themselves by name');
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'grade') $$,
  '22023', 'the grade scope needs a grade level (scope_id)', 'no grade, no default grade board');

select tests.authenticate_as('educator');
select is_empty(
  $$ select * from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a') $$,
  'staff are not on the students'' board: my rank is empty');

-- ---------------------------------------------------------------- only your organization's boards
select tests.authenticate_as('student');
select throws_ok(
  $$ select * from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000b') $$,
  '42501', 'you can only see the leaderboards of your organizations', 'my rank on another organization''s board');
select tests.authenticate_as('other_student');
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', scope => 'course',
                                          scope_id => '5a000000-0000-4000-a000-0000000000c2') $$,
  '42501', 'you can only see the leaderboards of your organizations',
  'a student of organization B cannot read any of A''s boards');
select tests.authenticate_as_anon();
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a') $$,
  '42501', null, 'anon reads no board');
reset role;
delete from public.organization_members
where organization_id = '5a000000-0000-4000-a000-00000000000a' and user_id = tests.get_supabase_uid('third');
select tests.authenticate_as('third');
select throws_ok(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a') $$,
  '42501', null, 'a student who left the organization loses its boards');
select tests.authenticate_as('student');
select is_empty(
  $$ select * from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a') where nickname = 'third' $$,
  'and is off them at once');

-- ---------------------------------------------------------------- names follow the learner at once
select tests.authenticate_as('classmate');
update public.profiles set nickname = 'Comet', avatar_url = 'https://img.test/comet.png'
where id = tests.get_supabase_uid('classmate');
select tests.authenticate_as('student');
select results_eq(
  $$ select nickname, avatar_url, score from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a')
     where score = 130 $$,
  $$ values ('Comet', 'https://img.test/comet.png', 130::bigint) $$,
  'a new nickname and avatar show on the board in the very next query');
select tests.authenticate_as('classmate');
update public.xp_profiles set leaderboard_opt_out = true where user_id = tests.get_supabase_uid('classmate');
select results_eq(
  $$ select nickname, avatar_url, is_me
     from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a', neighbours => 0) $$,
  $$ values ('Comet', 'https://img.test/comet.png', true) $$,
  'having just opted out, I still see my own name and avatar');
select tests.authenticate_as('student');
select results_eq(
  $$ select rank, nickname, avatar_url, is_me
     from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a', neighbours => 2) $$,
  $$ values (1::bigint, 'Anonymous learner', null::text, false), (2, 'Anonymous learner', null, false),
            (3, 'student', null, true) $$,
  'others see a learner who just opted out anonymised, without avatar, around them');
select is_empty(
  $$ select 1 from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', top_n => 100)
     where nickname = 'Comet' or avatar_url is not null $$,
  'and never by name or avatar on the top board');
select tests.authenticate_as('classmate');
update public.xp_profiles set leaderboard_opt_out = false where user_id = tests.get_supabase_uid('classmate');
select tests.authenticate_as('student');
select results_eq(
  $$ select nickname from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a') where score = 130 $$,
  $$ values ('Comet') $$,
  'opting back in shows the name again at once');
select throws_ok(
  $$ select nickname from private.leaderboard_entries $$,
  '42501', null, 'a student cannot read the board''s entries directly');
select throws_ok(
  $$ update private.leaderboard_entries set nickname = 'hacker' $$,
  '42501', null, 'nor write the mirrored names');

-- ---------------------------------------------------------------- deleted learners, other organizations
reset role;
create temporary table deleted_learner on commit drop as select tests.get_supabase_uid('fourth') as id;
delete from auth.users where id = (select id from deleted_learner);
select is_empty(
  $$ select 1 from private.leaderboard_entries where user_id = (select id from deleted_learner) $$,
  'a deleted learner leaves no leaderboard entry');
select tests.authenticate_as('student');
select results_eq(
  $$ select rank, nickname, score, is_me from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a') $$,
  $$ values (1::bigint, 'Comet', 130::bigint, false), (2, 'student', 50, true) $$,
  'the deleted learner is off the board and the ranks close up');
select results_eq(
  $$ select rank, score
     from public.get_leaderboard_around_me('5a000000-0000-4000-a000-00000000000a', neighbours => 0) $$,
  $$ values (2::bigint, 50::bigint) $$,
  'my rank from the count tree no longer counts the deleted learner');
select tests.authenticate_as('other_student');
update public.profiles set nickname = 'Harbor star' where id = tests.get_supabase_uid('other_student');
select tests.authenticate_as('student');
select is_empty(
  $$ select 1 from public.get_leaderboard('5a000000-0000-4000-a000-00000000000a', top_n => 100)
     where score = 999 or nickname = 'Harbor star' $$,
  'a student of organization B is never on A''s board, renamed or not');

select * from finish();
rollback;
