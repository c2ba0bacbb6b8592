-- Test helpers for every pgTAP file, in schema `tests` (the helpers of
-- basejump's supabase_test_helpers, as plain SQL so no dbdev is needed).
--
-- Runs first, and unlike the other files is not rolled back: the helpers must
-- outlive it. Both `supabase test db` and `learnkit test db` run it first
-- because files run in name order.

create extension if not exists pgtap with schema extensions;
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- A user in auth.users, found again by its identifier.
create or replace function tests.create_supabase_user(
  identifier text, email text default null, phone text default null, metadata jsonb default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  user_id uuid := gen_random_uuid();
begin
  insert into auth.users (id, email, phone, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
  values (
    user_id,
    coalesce(email, concat(user_id, '@test.learnkit.dev')),
    phone,
    jsonb_build_object('test_identifier', identifier) || coalesce(metadata, '{}'::jsonb),
    '{"provider": "email", "providers": ["email"]}'::jsonb,
    now(), now()
  );
  return user_id;
end
$$;

-- auth.users is not readable once a test has switched role, hence definer.
create or replace function tests.get_supabase_user(identifier text) returns jsonb
language sql stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'id', id, 'email', email, 'phone', phone, 'is_anonymous', is_anonymous,
    'user_metadata', raw_user_meta_data, 'app_metadata', raw_app_meta_data)
  from auth.users
  where raw_user_meta_data ->> 'test_identifier' = identifier
$$;

create or replace function tests.get_supabase_uid(identifier text) returns uuid
language plpgsql stable
set search_path = ''
as $$
declare
  user_id uuid := (tests.get_supabase_user(identifier) ->> 'id')::uuid;
begin
  if user_id is null then
    raise exception using errcode = 'P0002', message = format('no test user with identifier %s', identifier);
  end if;
  return user_id;
end
$$;

-- As PostgREST does for a signed-in user's request: role and JWT claims, local
-- to the transaction. (Security invoker: set role is refused in definer functions.)
create or replace function tests.authenticate_as(identifier text) returns void
language plpgsql
set search_path = ''
as $$
declare
  user_data jsonb := tests.get_supabase_user(identifier);
begin
  if user_data is null then
    raise exception using errcode = 'P0002', message = format('no test user with identifier %s', identifier);
  end if;
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', user_data ->> 'id',
    'role', 'authenticated',
    'aud', 'authenticated',
    'email', user_data ->> 'email',
    'phone', coalesce(user_data ->> 'phone', ''),
    'is_anonymous', (user_data ->> 'is_anonymous')::boolean,
    'aal', 'aal1',
    'amr', jsonb_build_array(jsonb_build_object('method', 'password', 'timestamp', extract(epoch from now())::bigint)),
    'session_id', gen_random_uuid(),
    'iat', extract(epoch from now())::bigint,
    'exp', extract(epoch from now())::bigint + 3600,
    'user_metadata', user_data -> 'user_metadata',
    'app_metadata', user_data -> 'app_metadata'
  )::text, true);
end
$$;

create or replace function tests.authenticate_as_anon() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
end
$$;

create or replace function tests.authenticate_as_service_role() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
end
$$;

-- Back to an anonymous request with no JWT at all.
create or replace function tests.clear_authentication() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- pgTAP assertions that row level security is on (plpgsql: pgTAP's is() is
-- resolved when called, through the search_path that includes extensions).
create or replace function tests.rls_enabled(testing_schema text) returns text
language plpgsql
as $$
begin
  return is(
    (select count(*)::integer
     from pg_catalog.pg_class pc
     join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
     where pn.nspname = testing_schema and pc.relkind in ('r', 'p') and not pc.relrowsecurity),
    0,
    format('All tables in the %s schema should have row level security enabled', testing_schema));
end
$$;

create or replace function tests.rls_enabled(testing_schema text, testing_table text) returns text
language plpgsql
as $$
begin
  return ok(
    coalesce((select pc.relrowsecurity
              from pg_catalog.pg_class pc
              join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
              where pn.nspname = testing_schema and pc.relname = testing_table), false),
    format('Table %s.%s should have row level security enabled', testing_schema, testing_table));
end
$$;

revoke execute on all functions in schema tests from public;
grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(2);
select has_function('tests', 'authenticate_as', array['text'], 'the test helpers are installed');
select has_extension('extensions', 'pgtap', 'pgTAP is installed in schema extensions');
select * from finish();
rollback;
