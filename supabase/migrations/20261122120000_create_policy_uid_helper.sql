-- create policy uid helper
--
-- private.uid() is auth.uid() for policies. Supabase's auth.uid() is a
-- `language sql` function, so the planner inlines it: every `(select
-- auth.uid())` in a policy has its SQL text parsed and analysed again each
-- time a statement touching the table is planned. With a request's statement
-- planned on every call (PostgREST behind a transaction pooler), that was
-- about 20 µs per policy a table adds, the largest part of row level
-- security's planning cost on the students' dashboards (bench/rls_overhead.py,
-- docs/performance.md). A plpgsql function is a plain call to the planner and
-- keeps its own plan; wrapped as `(select private.uid())` it is still
-- evaluated once per statement, as an initplan.
--
-- It returns exactly what auth.uid() returns (it calls it), so on hosted
-- Supabase, where auth.uid() is Supabase's own, policies keep its meaning.
-- Security invoker: it reads only the caller's request settings.

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
