-- create private schema
--
-- The schema `private` holds what row level security and triggers need but the
-- API must not expose: security definer helpers and trigger functions.
-- Also denies function execution by default: every function learnkit creates
-- afterwards is granted explicitly, function by function.

-- ---------------------------------------------------------------- schema
create schema if not exists private;
revoke all on schema private from public;
-- Policies call private helpers as the requesting role, which needs usage.
grant usage on schema private to anon, authenticated, service_role;

-- ---------------------------------------------------------------- deny by default
-- Functions created from now on are executable by nobody until granted. The
-- extensions schema keeps PostgreSQL's usual public execute, so extensions
-- installed later (pgtap, pg_trgm, ...) work for every role as before.
alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;
alter default privileges in schema extensions grant execute on functions to public;

-- ---------------------------------------------------------------- updated_at
create function private.trigger_set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.trigger_set_updated_at() is
  'Keeps updated_at a server timestamp: whatever a client sends is replaced by now().';

-- ---------------------------------------------------------------- time zones
-- pg_timezone_names reads the whole tz database on every query (about 30 ms),
-- too slow for sign-up at scale, so valid names are copied here once and the
-- catalogue is only consulted for names missing from the copy.
create table private.time_zone_names (
  name text primary key
);
insert into private.time_zone_names (name) select name from pg_catalog.pg_timezone_names;
grant select on table private.time_zone_names to authenticated, service_role;
comment on table private.time_zone_names is
  'Cache of pg_timezone_names for fast IANA time zone validation.';

create function private.is_valid_time_zone(candidate text) returns boolean
language sql stable
set search_path = ''
as $$
  select candidate is not null and (
    exists (select from private.time_zone_names where name = candidate)
    or exists (select from pg_catalog.pg_timezone_names where name = candidate)
  )
$$;
comment on function private.is_valid_time_zone(text) is
  'True for an IANA time zone name PostgreSQL knows (e.g. Europe/Paris, UTC).';
grant execute on function private.is_valid_time_zone(text) to authenticated, service_role;

create function private.trigger_validate_time_zone() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not private.is_valid_time_zone(new.time_zone) then
    raise exception using
      errcode = '22023',
      message = format('unknown time zone %L', new.time_zone),
      hint = 'Use an IANA time zone name such as Europe/Paris or America/New_York.';
  end if;
  return new;
end
$$;
comment on function private.trigger_validate_time_zone() is
  'Rejects a time_zone column value that is not an IANA name known to PostgreSQL.';
