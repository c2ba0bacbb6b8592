-- create child overview
--
-- A guardian's overview of one linked child (nickname, XP, level, streak,
-- this week's sessions and accuracy) as one RPC: public.get_child_overview().
-- Read through the tables, the overview costs a policy check on each of the
-- five tables it touches (guardianships, profiles, xp_profiles,
-- learning_sessions, answer_attempts), four of them calling a helper for a
-- guardian: 1.6-1.7x the unsecured query (docs/performance.md). The function
-- checks the guardianship once and then reads the child's rows as their owner.
--
-- The security definer body lives in `private` (not exposed by the API), with
-- an empty search_path and fully qualified names; `public.get_child_overview`
-- is the security invoker wrapper PostgREST serves at /rpc/get_child_overview
-- (POST {"student_id": …}).
-- Anyone but a linked guardian (the child included, staff, other parents) gets
-- 42501, whether or not the student exists. Nothing else changes.

-- ---------------------------------------------------------------- the checked read
create function private.child_overview(student_id uuid)
returns table (nickname text, xp bigint, level integer, current_streak integer, sessions_this_week bigint,
               accuracy_this_week numeric)
language plpgsql stable security definer rows 1
set search_path = ''
as $$
declare
  caller uuid := auth.uid();  -- read once (it parses the request's JWT claims)
begin
  -- The bench's unsecured baseline (bench/sql/rls_overhead.sql, child_overview) is this statement
  -- without the guardianship test: that test is all the security this read costs.
  return query
    select p.nickname, x.xp, x.level, x.current_streak,
           (select count(*) from public.learning_sessions s
            where s.user_id = p.id and s.started_at > now() - interval '7 days'),
           (select round(avg(case when a.is_correct then 100 else 0 end), 1) from public.answer_attempts a
            where a.user_id = p.id and a.answered_at > now() - interval '7 days')
    from public.profiles p
    left join public.xp_profiles x on x.user_id = p.id
    where p.id = child_overview.student_id
      and exists (select from public.guardianships g
                  where g.guardian_id = caller and g.student_id = p.id);
  if not found then
    raise exception using
      errcode = '42501',
      message = format('no linked student %s whose overview you may read', child_overview.student_id),
      hint = 'Only a guardian linked to the student (public.guardianships) can read their overview.';
  end if;
end
$$;
comment on function private.child_overview(uuid) is
  'The body of public.get_child_overview(): checks that auth.uid() is a linked guardian of `student_id` '
  '(42501 otherwise), then reads the overview bypassing row level security.';
revoke execute on function private.child_overview(uuid) from public;
grant execute on function private.child_overview(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------- the API
-- language sql with no `set` clause, so the planner inlines it into the caller's query and the call
-- costs nothing over private.child_overview() itself; a plpgsql wrapper (`return query`) or a `set
-- search_path` (which forbids inlining) cost 20-80 us a call (bench/rls_overhead.py). Safe without a
-- pinned search_path: it is security invoker (runs with the caller's rights) and its one name is
-- schema-qualified.
create function public.get_child_overview(student_id uuid)
returns table (nickname text, xp bigint, level integer, current_streak integer, sessions_this_week bigint,
               accuracy_this_week numeric)
language sql stable security invoker rows 1
as $$
  select * from private.child_overview(get_child_overview.student_id)
$$;
comment on function public.get_child_overview(uuid) is
  'A guardian''s overview of one linked student: nickname, XP, level, current streak, sessions started and '
  'answer accuracy (percent) over the last 7 days. Raises 42501 unless the caller is a guardian linked to '
  '`student_id` (public.guardianships).';
revoke execute on function public.get_child_overview(uuid) from public;
grant execute on function public.get_child_overview(uuid) to authenticated, service_role;
