-- create partition maintenance
--
-- private.create_monthly_partitions creates the monthly partitions of a table
-- partitioned by range on a timestamptz column, in UTC months. A partition in
-- `public` is itself reachable through the Data API, so each new partition gets
-- row level security, its parent's select policies copied (a direct read sees
-- exactly what a read through the parent sees) and select-only grants (writes
-- go through the parent, whose policies and column grants apply).

create function private.create_monthly_partitions(parent regclass, first_month date, months integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  parent_schema text;
  parent_name text;
  month_start date;
  partition_name text;
  policy record;
  created integer := 0;
begin
  if months is null or months < 1 or months > 120 then
    raise exception using errcode = '22023', message = format('months must be between 1 and 120, not %s', months);
  end if;
  select n.nspname, c.relname into parent_schema, parent_name
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.oid = parent and c.relkind = 'p';
  if parent_name is null then
    raise exception using errcode = '42809', message = format('%s is not a partitioned table', parent);
  end if;

  for month_index in 0 .. months - 1 loop
    month_start := (date_trunc('month', first_month) + make_interval(months => month_index))::date;
    partition_name := format('%s_y%sm%s', parent_name, to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
    continue when exists (
      select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = parent_schema and c.relname = partition_name
    );
    -- Bounds are written with an explicit UTC offset: a bare date would be read in the session's TimeZone.
    execute format('create table %I.%I partition of %I.%I for values from (%L) to (%L)',
      parent_schema, partition_name, parent_schema, parent_name,
      to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char((month_start + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
    execute format('alter table %I.%I enable row level security', parent_schema, partition_name);
    execute format('comment on table %I.%I is %L', parent_schema, partition_name,
      format('%s for %s (UTC); read it through %s.', parent_name, to_char(month_start, 'YYYY-MM'), parent));
    execute format('revoke all on table %I.%I from public, anon, authenticated', parent_schema, partition_name);
    execute format('grant select on table %I.%I to authenticated', parent_schema, partition_name);
    execute format('grant all on table %I.%I to service_role', parent_schema, partition_name);
    for policy in
      select p.polname,
             pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expression,
             coalesce((select string_agg(quote_ident(r.rolname), ', ') from pg_catalog.pg_roles r
                       where r.oid = any (p.polroles)), 'public') as roles
      from pg_catalog.pg_policy p
      where p.polrelid = parent and p.polcmd = 'r' and p.polpermissive
    loop
      execute format('create policy %I on %I.%I for select to %s using (%s)',
        policy.polname, parent_schema, partition_name, policy.roles, policy.using_expression);
    end loop;
    created := created + 1;
  end loop;
  return created;
end
$$;
comment on function private.create_monthly_partitions(regclass, date, integer) is
  'Creates the missing monthly (UTC) partitions of a range-partitioned table for `months` months from '
  'first_month, with RLS, the parent''s select policies and select-only grants; returns how many it created.';
-- Only the owner (migrations, workers) creates partitions.
revoke execute on function private.create_monthly_partitions(regclass, date, integer) from public;
