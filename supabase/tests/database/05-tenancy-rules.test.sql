-- Server-side rules: student limit, last admin, acyclic prerequisites, time zones, sign-up.
begin;
create extension if not exists pgtap with schema extensions;
select plan(6);

-- The isolation world: see tests.create_isolation_world() in 000-setup-tests-hooks.test.sql.
select tests.create_isolation_world();

update public.organizations set max_students = 2 where id = '0a000000-0000-4000-8000-000000000001';
select throws_ok(
  $$ insert into public.organization_members (organization_id, user_id, role)
     values ('0a000000-0000-4000-8000-000000000001', tests.get_supabase_uid('other_org_student'), 'student') $$,
  '23514', 'organization ''Maple Microschool'' has reached its limit of 2 students',
  'an organization cannot exceed max_students');
select throws_ok(
  $$ delete from public.organization_members
     where organization_id = '0a000000-0000-4000-8000-000000000001' and user_id = tests.get_supabase_uid('admin') $$,
  '23514', 'an organization must keep at least one admin', 'the last admin cannot leave');
insert into public.concepts (id, code, name) values
  ('0c0c0000-0000-4000-8000-000000000001', 'pgtap.a', 'A'),
  ('0c0c0000-0000-4000-8000-000000000002', 'pgtap.b', 'B');
insert into public.concept_prerequisites (concept_id, prerequisite_id)
values ('0c0c0000-0000-4000-8000-000000000002', '0c0c0000-0000-4000-8000-000000000001');
select throws_ok(
  $$ insert into public.concept_prerequisites (concept_id, prerequisite_id)
     values ('0c0c0000-0000-4000-8000-000000000001', '0c0c0000-0000-4000-8000-000000000002') $$,
  '23514', 'this prerequisite would create a cycle in the concept graph', 'the concept graph stays acyclic');
select throws_ok(
  $$ update public.profiles set time_zone = 'Mars/Olympus_Mons' where id = tests.get_supabase_uid('student') $$,
  '22023', 'unknown time zone ''Mars/Olympus_Mons''', 'time zones must be IANA names');
do $$
begin
  perform tests.create_supabase_user('newcomer',
    metadata => '{"nickname": "Nova", "time_zone": "Asia/Tokyo", "grade_level": "4", "locale": "ja-JP"}');
end
$$;
select results_eq(
  $$ select nickname, time_zone, grade_level::text, locale
    from public.profiles where id = tests.get_supabase_uid('newcomer') $$,
  $$ values ('Nova', 'Asia/Tokyo', '4', 'ja-JP') $$, 'sign-up creates the profile from the metadata');
select results_eq(
  $$ select count(*)::int from public.user_settings where user_id = tests.get_supabase_uid('newcomer') $$,
  $$ values (1) $$, 'sign-up creates the settings');

select * from finish();
rollback;
