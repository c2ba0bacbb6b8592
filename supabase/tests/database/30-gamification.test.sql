-- Gamification (issue 4): server-owned XP state, increment_xp's privileges,
-- idempotency, levels, and leaderboards seen only from inside the organization.
begin;
create extension if not exists pgtap with schema extensions;
select plan(14);

select tests.create_supabase_user('gamer_a', metadata => '{"nickname": "gamer a"}');
select tests.create_supabase_user('gamer_b', metadata => '{"nickname": "gamer b"}');
select tests.create_supabase_user('outsider', metadata => '{"nickname": "outsider"}');
insert into public.organizations (id, name, slug, kind) values
  ('00000000-0000-4000-8000-0000000000a1', 'Test School', 'test-school-30', 'school'),
  ('00000000-0000-4000-8000-0000000000a2', 'Other School', 'other-school-30', 'school');
insert into public.organization_members (organization_id, user_id, role) values
  ('00000000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('gamer_a'), 'student'),
  ('00000000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('gamer_b'), 'student'),
  ('00000000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('outsider'), 'student');

-- The amounts below are exact: seeded achievements (whose rewards would add XP) sit this test out.
update public.achievements set is_active = false;

select has_table('public', 'xp_transactions', 'the XP ledger exists');
select tests.rls_enabled('public');
select is((select attgenerated::text from pg_catalog.pg_attribute
            where attrelid = 'public.xp_profiles'::regclass and attname = 'level'), 's',
  'level is a generated column');

-- Each award names the organization it is earned in (XP of no organization counts on no board).
select is((private.increment_xp(tests.get_supabase_uid('gamer_a'), 130, 'test', 'bonus', 'k1',
                                '00000000-0000-4000-8000-0000000000a1') ->> 'level')::int, 2,
  'increment_xp returns the new level');
select is((private.increment_xp(tests.get_supabase_uid('gamer_a'), 500, 'test', 'bonus', 'k1') ->> 'amount')::int, 130,
  'a replayed key returns the first result');
select is((select xp from public.xp_profiles where user_id = tests.get_supabase_uid('gamer_a')), 130::bigint,
  'the replay added nothing');
select throws_ok($$ select private.increment_xp(tests.get_supabase_uid('gamer_b'), -1, 'hint', 'hint', 'k2') $$,
  '23514', null, 'spending never makes the balance negative');
select private.increment_xp(tests.get_supabase_uid('gamer_b'), 40, 'test', 'learning', 'k3',
                            '00000000-0000-4000-8000-0000000000a1');

select tests.authenticate_as('gamer_a');
select throws_ok($$ select public.increment_xp(tests.get_supabase_uid('gamer_a'), 10, 'x', 'bonus', 'k9') $$,
  '42501', null, 'a student cannot call increment_xp');
select throws_ok($$ update public.xp_profiles set xp = 99999 $$, '42501', null,
  'a student cannot update their own xp');
select throws_ok($$ delete from public.xp_transactions $$, '42501', null, 'a student cannot delete the ledger');
select results_eq(
  $$ select rank, nickname, score from public.get_leaderboard('00000000-0000-4000-8000-0000000000a1') $$,
  $$ values (1::bigint, 'gamer a', 130::bigint), (2::bigint, 'gamer b', 40::bigint) $$,
  'the organization board ranks by XP, by nickname');
select results_eq(
  $$ select rank from public.get_leaderboard_around_me('00000000-0000-4000-8000-0000000000a1') where is_me $$,
  $$ values (1::bigint) $$, 'my rank');
select throws_ok($$ select * from public.get_leaderboard('00000000-0000-4000-8000-0000000000a2') $$,
  '42501', null, 'another organization''s board is refused');
select is_empty($$ select * from public.xp_transactions where user_id <> auth.uid() $$,
  'a student reads only their own ledger');

select * from finish();
rollback;
