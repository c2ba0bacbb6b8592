-- Guardians read (never write) their linked students' activity; staff read their organization's students; nothing crosses organizations.
begin;
create extension if not exists pgtap with schema extensions;
select plan(15);

-- The isolation world: see tests.create_isolation_world() in 000-setup-tests-hooks.test.sql.
select tests.create_isolation_world();

select tests.authenticate_as('guardian');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (1) $$,
  'a linked guardian reads the student''s session');
select results_eq($$ select count(*)::int from public.enrollments $$, $$ values (1) $$,
  'a linked guardian reads the student''s enrollment');
select results_eq(
  $$ with changed as (update public.learning_sessions set status = 'abandoned' returning 1)
    select count(*)::int from changed $$,
  $$ values (0) $$, 'a guardian cannot change the student''s session');
select throws_ok(
  $$ insert into public.learning_sessions (user_id, session_type)
    values (tests.get_supabase_uid('student'), 'practice') $$,
  '42501', 'new row violates row-level security policy for table "learning_sessions"',
  'a guardian cannot start a session for the student');
select lives_ok(
  $$ insert into public.guardian_actions (student_id, action)
    values (tests.get_supabase_uid('student'), 'view_report') $$,
  'a guardian records an action about their student in the audit log');
select throws_ok($$ delete from public.guardian_actions $$, '42501', 'permission denied for table guardian_actions',
  'the audit log cannot be deleted from');

select tests.authenticate_as('unlinked_guardian');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (0) $$,
  'an unlinked guardian cannot read the student''s session');
select throws_ok(
  $$ insert into public.guardian_actions (student_id, action)
    values (tests.get_supabase_uid('student'), 'override_skill') $$,
  '42501', 'new row violates row-level security policy for table "guardian_actions"',
  'an unlinked guardian cannot act on the student');

select tests.authenticate_as('educator');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (1) $$,
  'an educator reads the session of their organization''s student');
select results_eq($$ select count(*)::int from public.profiles where id = tests.get_supabase_uid('student') $$,
  $$ values (1) $$, 'an educator reads their student''s profile');

select tests.authenticate_as('other_org_educator');
select results_eq($$ select count(*)::int from public.learning_sessions $$, $$ values (0) $$,
  'an educator of another organization cannot read the student''s session');
select results_eq($$ select count(*)::int from public.profiles where id = tests.get_supabase_uid('student') $$,
  $$ values (0) $$, 'an educator of another organization cannot read the student''s profile');
select throws_ok(
  $$ insert into public.guardianships (guardian_id, student_id)
     values (tests.get_supabase_uid('unlinked_guardian'), tests.get_supabase_uid('student')) $$,
  '42501', 'permission denied for table guardianships',
  'an educator of another organization cannot link a guardian to the student');

select tests.authenticate_as('admin');
select results_eq($$ select count(*)::int from public.organization_members $$, $$ values (6) $$,
  'an admin reads their organization''s roster and no other');
select throws_ok($$ update public.organizations set max_students = 1000 $$,
  '42501', 'permission denied for table organizations', 'an admin cannot raise the student limit');

select * from finish();
rollback;
