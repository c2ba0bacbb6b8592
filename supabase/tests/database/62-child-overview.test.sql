-- public.get_child_overview(): a linked guardian reads their child's overview; everyone else gets 42501.
begin;
create extension if not exists pgtap with schema extensions;
select plan(10);

-- The isolation world: see tests.create_isolation_world() in 000-setup-tests-hooks.test.sql.
select tests.create_isolation_world();

select function_privs_are('public', 'get_child_overview', array['uuid'], 'anon', array[]::text[],
  'anon may not execute the child overview');
select is((select prosecdef from pg_catalog.pg_proc where oid = 'public.get_child_overview(uuid)'::regprocedure),
  false, 'the exposed function is security invoker');
select is((select proconfig from pg_catalog.pg_proc where oid = 'private.child_overview(uuid)'::regprocedure),
  array['search_path=""'], 'its security definer body pins an empty search_path');

select tests.authenticate_as('guardian');
select results_eq(
  format('select nickname, sessions_this_week from public.get_child_overview(%L)', tests.get_supabase_uid('student')),
  format('values (%L::text, 1::bigint)', (select nickname from public.profiles
                                          where id = tests.get_supabase_uid('student'))),
  'a linked guardian reads the child''s overview (this week''s session)');
select throws_ok(
  format('select * from public.get_child_overview(%L)', tests.get_supabase_uid('classmate')),
  '42501', null, 'a guardian cannot read another family''s child');

select tests.authenticate_as('unlinked_guardian');
select throws_ok(
  format('select * from public.get_child_overview(%L)', tests.get_supabase_uid('student')),
  '42501', null, 'an unlinked guardian is refused');

select tests.authenticate_as('student');
select throws_ok(
  format('select * from public.get_child_overview(%L)', tests.get_supabase_uid('student')),
  '42501', null, 'the student is refused (the overview is a guardian''s view)');

select tests.authenticate_as('other_org_educator');
select throws_ok(
  format('select * from public.get_child_overview(%L)', tests.get_supabase_uid('student')),
  '42501', null, 'staff of another organization are refused');

select tests.authenticate_as('educator');
select throws_ok(
  format('select * from public.get_child_overview(%L)', tests.get_supabase_uid('student')),
  '42501', null, 'staff of the student''s organization are refused too (they read through RLS)');

select tests.authenticate_as_anon();
select throws_ok(
  format('select * from public.get_child_overview(%L)', tests.get_supabase_uid('student')),
  '42501', null, 'anon is refused');

select * from finish();
rollback;
