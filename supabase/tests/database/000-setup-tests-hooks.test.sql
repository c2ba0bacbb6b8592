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

-- The isolation world of files 02-05 (as the owner, before switching role): two
-- organizations, the matrix's people, a published track with a lesson, a draft
-- lesson, a question with its hidden key, and one practice session of the student.
create or replace function tests.create_isolation_world() returns void
language plpgsql
as $$
begin
  perform tests.create_supabase_user(persona)
  from unnest(array['student', 'classmate', 'other_org_student', 'guardian', 'unlinked_guardian',
                    'educator', 'other_org_educator', 'admin']) as persona;
  insert into public.organizations (id, name, kind, max_students) values
    ('0a000000-0000-4000-8000-000000000001', 'Maple Microschool', 'microschool', 30),
    ('0b000000-0000-4000-8000-000000000001', 'Harbor School', 'school', 30);
  insert into public.organization_members (organization_id, user_id, role)
  select org::uuid, tests.get_supabase_uid(persona), role::public.organization_role
  from (values
    ('0a000000-0000-4000-8000-000000000001', 'admin', 'admin'),
    ('0a000000-0000-4000-8000-000000000001', 'educator', 'educator'),
    ('0a000000-0000-4000-8000-000000000001', 'student', 'student'),
    ('0a000000-0000-4000-8000-000000000001', 'classmate', 'student'),
    ('0a000000-0000-4000-8000-000000000001', 'guardian', 'parent'),
    ('0a000000-0000-4000-8000-000000000001', 'unlinked_guardian', 'parent'),
    ('0b000000-0000-4000-8000-000000000001', 'other_org_educator', 'educator'),
    ('0b000000-0000-4000-8000-000000000001', 'other_org_student', 'student')) as m (org, persona, role);
  insert into public.guardianships (guardian_id, student_id)
  values (tests.get_supabase_uid('guardian'), tests.get_supabase_uid('student'));
  insert into public.courses (id, organization_id, kind, title, is_published)
  values (
      '0c000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', 'track', 'Addition facts', true
  );
  insert into public.lessons (id, course_id, title, order_index, is_published) values
    ('0d000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', 'Adding to 10', 1, true),
    ('0d000000-0000-4000-8000-000000000002', '0c000000-0000-4000-8000-000000000001', 'Adding to 20 (draft)', 2, false);
  insert into public.questions (id, course_id, lesson_id, question_type, operand1, operand2, operation, is_published)
  values ('0e000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001',
          '0d000000-0000-4000-8000-000000000001', 'math_fact', 3, 4, '+', true);
  insert into public.question_answer_keys (question_id, correct_answer, correct_value)
  values ('0e000000-0000-4000-8000-000000000001', '7', 7);
  insert into public.learning_sessions (id, user_id, session_type, mode, course_id)
  values ('0f000000-0000-4000-8000-000000000001', tests.get_supabase_uid('student'), 'practice', 'timed',
          '0c000000-0000-4000-8000-000000000001');
  insert into public.enrollments (user_id, course_id)
  values (tests.get_supabase_uid('student'), '0c000000-0000-4000-8000-000000000001');
end
$$;

-- The policy matrix's world, small, for files 50-53: organization A (student,
-- classmate, linked and unlinked guardian, educator, admin) and organization B
-- (student, educator), a subject, a published and a draft course, a lesson, a
-- question with its key, and the student's enrollment, session and answer.
create or replace function tests.create_matrix_world() returns void
language plpgsql
as $$
begin
  perform tests.create_supabase_user(persona, metadata => jsonb_build_object('nickname', persona))
  from unnest(array['student', 'classmate', 'other_student', 'guardian', 'unlinked_guardian', 'educator',
                    'other_educator', 'admin']) as persona;
  insert into public.organizations (id, name, slug, kind)
  values ('5a000000-0000-4000-a000-00000000000a', 'Maple Microschool', 'maple-pgtap', 'microschool'),
         ('5a000000-0000-4000-a000-00000000000b', 'Harbor School', 'harbor-pgtap', 'school');
  insert into public.organization_members (organization_id, user_id, role)
  select org::uuid, tests.get_supabase_uid(persona), role::public.organization_role
  from (values ('5a000000-0000-4000-a000-00000000000a', 'student', 'student'),
               ('5a000000-0000-4000-a000-00000000000a', 'classmate', 'student'),
               ('5a000000-0000-4000-a000-00000000000a', 'guardian', 'parent'),
               ('5a000000-0000-4000-a000-00000000000a', 'unlinked_guardian', 'parent'),
               ('5a000000-0000-4000-a000-00000000000a', 'educator', 'educator'),
               ('5a000000-0000-4000-a000-00000000000a', 'admin', 'admin'),
               ('5a000000-0000-4000-a000-00000000000b', 'other_student', 'student'),
               ('5a000000-0000-4000-a000-00000000000b', 'other_educator', 'educator')) as m (org, persona, role);
  insert into public.guardianships (guardian_id, student_id)
  values (tests.get_supabase_uid('guardian'), tests.get_supabase_uid('student'));
  insert into public.subjects (id, slug, name) values ('5a000000-0000-4000-a000-0000000000c1', 'math-pgtap', 'Maths');
  insert into public.courses (id, organization_id, subject_id, kind, slug, title, is_published)
  values ('5a000000-0000-4000-a000-0000000000c2', '5a000000-0000-4000-a000-00000000000a',
          '5a000000-0000-4000-a000-0000000000c1', 'track', 'addition', 'Addition facts', true),
         ('5a000000-0000-4000-a000-0000000000c3', '5a000000-0000-4000-a000-00000000000a',
          '5a000000-0000-4000-a000-0000000000c1', 'course', 'draft', 'Draft course', false);
  insert into public.lessons (id, course_id, title, lesson_type, order_index, is_published)
  values ('5a000000-0000-4000-a000-0000000000c4', '5a000000-0000-4000-a000-0000000000c2', 'Adding to 10',
          'math_facts', 1, true);
  insert into public.questions (id, course_id, lesson_id, question_type, operand1, operand2, operation, is_published)
  values ('5a000000-0000-4000-a000-0000000000c5', '5a000000-0000-4000-a000-0000000000c2',
          '5a000000-0000-4000-a000-0000000000c4', 'math_fact', 3, 4, '+', true);
  insert into public.question_answer_keys (question_id, correct_answer, correct_value)
  values ('5a000000-0000-4000-a000-0000000000c5', '7', 7);
  insert into public.enrollments (user_id, course_id)
  values (tests.get_supabase_uid('student'), '5a000000-0000-4000-a000-0000000000c2');
  insert into public.learning_sessions (id, user_id, session_type, course_id)
  values ('5a000000-0000-4000-a000-0000000000d1', tests.get_supabase_uid('student'), 'practice',
          '5a000000-0000-4000-a000-0000000000c2');
  perform private.record_answer(tests.get_supabase_uid('student'), '5a000000-0000-4000-a000-0000000000d1',
          '5a000000-0000-4000-a000-0000000000c5', '7', 1500, 0, null, now(), trust_reported_time => true);
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
