-- Policy matrix, key cases: an anonymous request (the anon key, no user)
-- reads nothing personal and writes nothing: anon holds no privilege on any
-- table in public. (All cases: tests/test_policy_matrix.py.)
begin;
create extension if not exists pgtap with schema extensions;
select plan(9);

-- The matrix's world: see tests.create_matrix_world() in 000-setup-tests-hooks.test.sql.
select tests.create_matrix_world();

select is((select count(*)::integer from information_schema.role_table_grants
           where grantee = 'anon' and table_schema = 'public'), 0, 'anon holds no privilege on any public table');

select tests.authenticate_as_anon();
select throws_ok($$select * from public.profiles$$, '42501', null, 'anon cannot read profiles');
select throws_ok($$select * from public.answer_attempts$$, '42501', null, 'anon cannot read answer attempts');
select throws_ok($$select * from public.learning_sessions$$, '42501', null, 'anon cannot read sessions');
select throws_ok($$select * from public.organization_members$$, '42501', null, 'anon cannot read memberships');
select throws_ok($$select * from public.guardianships$$, '42501', null, 'anon cannot read guardianships');
select throws_ok($$select * from public.courses$$, '42501', null, 'anon cannot read courses, even published');
select throws_ok($$select * from public.xp_profiles$$, '42501', null, 'anon cannot read XP');
select throws_ok($$insert into public.organizations (name, kind) values ('Spam', 'school')$$, '42501', null,
                 'anon cannot create an organization');

select * from finish();
rollback;
