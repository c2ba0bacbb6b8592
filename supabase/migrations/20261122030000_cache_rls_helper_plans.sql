-- cache rls helper plans
--
-- The tenancy helpers every policy calls (private.member_org_ids() and the
-- like) were `language sql` set-returning security definer functions: such a
-- function cannot be inlined, so PostgreSQL parsed and planned its query on
-- every call — about 0.3–0.8 ms each, several per request, which made RLS
-- cost 2.5–5.5× on the dashboards' queries (bench/rls_overhead.py). As
-- plpgsql, `return query` keeps its plan for the session, and a call costs
-- tens of microseconds. Same names, signatures, results, grants and comments
-- (create or replace keeps them); nothing else changes.

create or replace function private.member_org_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select organization_id from public.organization_members where user_id = (select auth.uid());
end
$$;

create or replace function private.staff_org_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select organization_id from public.organization_members
    where user_id = (select auth.uid()) and role in ('admin', 'educator');
end
$$;

create or replace function private.admin_org_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select organization_id from public.organization_members
    where user_id = (select auth.uid()) and role = 'admin';
end
$$;

create or replace function private.guardian_student_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select student_id from public.guardianships where guardian_id = (select auth.uid());
end
$$;

create or replace function private.student_guardian_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select guardian_id from public.guardianships where student_id = (select auth.uid());
end
$$;

create or replace function private.staff_student_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select student.user_id
    from public.organization_members staff
    join public.organization_members student
      on student.organization_id = staff.organization_id and student.role = 'student'
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator');
end
$$;

create or replace function private.staff_member_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select member.user_id
    from public.organization_members staff
    join public.organization_members member on member.organization_id = staff.organization_id
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator');
end
$$;

create or replace function private.member_org_staff_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select staff.user_id
    from public.organization_members me
    join public.organization_members staff
      on staff.organization_id = me.organization_id and staff.role in ('admin', 'educator')
    where me.user_id = (select auth.uid());
end
$$;
