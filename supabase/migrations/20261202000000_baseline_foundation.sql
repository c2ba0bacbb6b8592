-- baseline: foundation
--
-- learnkit 0.1.0's baseline for this domain: identical to supabase/schemas/00_foundation.sql when 0.1.0 was cut
-- (the 97 migrations before it were squashed; no database depended on them, see CHANGELOG.md).
-- Never edit it: change the declared file, then `learnkit db diff -f <name>` writes the next migration.

-- Foundation: the private schema, the default privileges every later function inherits, and the helpers all
-- domains share (updated_at stamps, time zone checks, the policy caller private.uid(), input bounds).
--
-- private is not exposed by the Data API (pgrst.db_schemas = 'public'): security definer helpers live here.
-- Functions get no EXECUTE for public by default; each one is granted explicitly where it is declared.

-- ======================================================================
-- schemas
-- ======================================================================

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

alter default privileges revoke execute on functions from public;

alter default privileges in schema public revoke execute on functions from anon, authenticated;

alter default privileges in schema extensions grant execute on functions to public;

-- ======================================================================
-- tables
-- ======================================================================

create table private.time_zone_names (
  name text primary key
);
grant select on table private.time_zone_names to authenticated, service_role;
comment on table private.time_zone_names is
  'Cache of pg_timezone_names for fast IANA time zone validation.';
alter table private.time_zone_names enable row level security;

-- ======================================================================
-- reference rows
-- ======================================================================

insert into private.time_zone_names (name) select name from pg_catalog.pg_timezone_names;

-- ======================================================================
-- functions
-- ======================================================================

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

create function private.uid() returns uuid
language plpgsql stable
set search_path = ''
as $$
begin
  return auth.uid();
end
$$;
comment on function private.uid() is
  'auth.uid() for policies: the same value, without re-parsing auth.uid()''s SQL body at every plan.';
revoke execute on function private.uid() from public;
grant execute on function private.uid() to anon, authenticated, service_role;

create function private.check_input_bounds(target regclass, item jsonb, limits text[])
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  spec text;
  field text;
  max_size bigint;
  value jsonb;
  size bigint;
begin
  foreach spec in array limits loop
    field := split_part(spec, ':', 1);
    max_size := split_part(spec, ':', 2)::bigint;
    value := item -> field;
    if value is null or jsonb_typeof(value) = 'null' then
      continue;
    elsif split_part(spec, ':', 3) <> 'json' then
      size := char_length(value #>> '{}');
      if size > max_size then
        raise exception using
          errcode = '22001',
          message = format('%s.%s is too long: %s characters, at most %s allowed', target, field, size, max_size);
      end if;
    else
      size := octet_length(value::text);
      if size > max_size then
        raise exception using
          errcode = '22001',
          message = format('%s.%s is too large: %s bytes of JSON, at most %s allowed', target, field, size,
                           max_size);
      end if;
    end if;
  end loop;
end
$$;
comment on function private.check_input_bounds(regclass, jsonb, text[]) is
  'Raises 22001 when a field of `item` (a row as jsonb) is over its limit; `limits` are ''column:limit'' '
  '(characters, for text) or ''column:limit:json'' (bytes of the JSON text, for jsonb and arrays) strings. '
  'Used by trigger_bound_input().';
revoke execute on function private.check_input_bounds(regclass, jsonb, text[]) from public;
grant execute on function private.check_input_bounds(regclass, jsonb, text[])
  to anon, authenticated, service_role;

create function private.trigger_bound_input()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.check_input_bounds(tg_relid::regclass, to_jsonb(new), tg_argv);
  return new;
end
$$;
comment on function private.trigger_bound_input() is
  'BEFORE INSERT OR UPDATE trigger: the columns named in its arguments (''column:limit[:json]'') are within '
  'their limits, else 22001.';
revoke execute on function private.trigger_bound_input() from public;

create function private.check_argument_length(argument text, value text, max_length integer)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if char_length(value) > max_length then
    raise exception using
      errcode = '22001',
      message = format('argument %s is too long: %s characters, at most %s allowed', argument,
                       char_length(value), max_length);
  end if;
  return value;
end
$$;
comment on function private.check_argument_length(text, text, integer) is
  'Returns `value` when it has at most `max_length` characters, else raises 22001 naming the RPC argument.';
revoke execute on function private.check_argument_length(text, text, integer) from public;
grant execute on function private.check_argument_length(text, text, integer) to anon, authenticated, service_role;
