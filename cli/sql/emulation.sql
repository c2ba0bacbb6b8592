-- Supabase emulation for plain PostgreSQL.
--
-- Gives a database without Supabase's `auth` schema what learnkit's migrations
-- and policies expect from hosted Supabase: the API roles, Supabase's grants and
-- default privileges in public, the `extensions` schema, `auth.users` with
-- Supabase's columns, and auth.uid()/role()/email()/jwt() as Supabase defines
-- them. learnkit applies it only where no `auth` schema exists, so it never
-- touches a hosted project. It is not a migration: `supabase db push` must
-- never see it.

-- ---------------------------------------------------------------- roles
-- Roles are cluster-wide: create them only once per server.
do $roles$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$roles$;

grant anon, authenticated, service_role to authenticator;
-- The owner must be able to `set role` to act as PostgREST does.
do $grant_to_owner$
begin
  execute format('grant anon, authenticated, service_role to %I', current_user);
end
$grant_to_owner$;

-- ---------------------------------------------------------------- schemas
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;

create schema auth;
grant usage on schema auth to anon, authenticated, service_role;

-- Supabase's grants in public: the API roles may use everything, RLS decides.
grant usage on schema public to postgres, anon, authenticated, service_role;
grant all on all tables in schema public to postgres, anon, authenticated, service_role;
grant all on all sequences in schema public to postgres, anon, authenticated, service_role;
grant all on all functions in schema public to postgres, anon, authenticated, service_role;
alter default privileges in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges in schema public
  grant all on functions to postgres, anon, authenticated, service_role;

-- ---------------------------------------------------------------- auth.users
create table auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
create index users_instance_id_idx on auth.users (instance_id);
create unique index users_email_partial_key on auth.users (email) where is_sso_user = false;
create index users_is_anonymous_idx on auth.users (is_anonymous);
comment on table auth.users is
  'Auth: Stores user login data within a secure schema. (learnkit emulation of Supabase Auth)';

-- GoTrue fills these on sign-up; the emulation does it for rows inserted by hand.
create function auth.fill_user_defaults() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.instance_id := coalesce(new.instance_id, '00000000-0000-0000-0000-000000000000');
  new.aud := coalesce(new.aud, 'authenticated');
  new.role := coalesce(new.role, 'authenticated');
  new.raw_app_meta_data := coalesce(
    new.raw_app_meta_data, '{"provider": "email", "providers": ["email"]}'::jsonb);
  new.raw_user_meta_data := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  new.created_at := coalesce(new.created_at, now());
  new.updated_at := coalesce(new.updated_at, now());
  return new;
end
$$;
create trigger users_fill_defaults before insert on auth.users
  for each row execute function auth.fill_user_defaults();

-- ---------------------------------------------------------------- auth functions
-- As Supabase defines them: the JWT claims PostgREST puts in request.jwt.claims,
-- with the legacy request.jwt.claim.<name> settings read first.
create function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

create function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';

create function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

create function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;
grant all on auth.users to service_role;

-- ---------------------------------------------------------------- storage
-- The part of Supabase Storage that SQL sees: buckets and object rows.
create schema storage;
grant usage on schema storage to anon, authenticated, service_role;

create table storage.buckets (
  id text not null primary key,
  name text not null unique,
  owner uuid,
  public boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);

create table storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  unique (bucket_id, name)
);
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
-- As a hosted project has them: Storage's default privileges give the API roles ALL on
-- its tables, TRUNCATE included (supabase/postgres init-scripts/00000000000002-storage-schema.sql,
-- supabase/storage migrations/tenant/0002-storage-schema.sql). Not narrowed here: the
-- emulation must not be safer than production (tests/test_trust_inputs.py).
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;

create function storage.foldername(name text) returns text[]
language sql immutable
as $$
  select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1]
$$;
grant execute on function storage.foldername(text) to anon, authenticated, service_role;

-- Database-level settings (pgrst.db_schemas, search_path) are applied by the
-- `database_settings` query in emulation_queries.sql, because `create database
-- … template` does not copy them and every clone needs them again.
