-- create linked people helpers
--
-- Policies on learners' rows read "the learner, their guardians, their
-- organizations' staff" as `user_id = me or user_id in (guardian's students)
-- or user_id in (staff's students)`: two hashed subplans per table, planned
-- and initialised on every request even when the first test already matched
-- (a student reading their own rows), about 20 µs each when every call is
-- planned. profiles had four. One helper per shape halves that for students
-- and costs guardians and staff one call instead of two or four
-- (bench/rls_overhead.py, docs/performance.md).
--
-- Each returns exactly the union of the helpers it replaces in the policies
-- (20261122120200); the policy matrix checks who reads what.

create function private.linked_learner_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select guardianship.student_id
    from public.guardianships guardianship
    where guardianship.guardian_id = (select auth.uid())
    union all
    select student.user_id
    from public.organization_members staff
    join public.organization_members student
      on student.organization_id = staff.organization_id and student.role = 'student'
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator');
end
$$;
comment on function private.linked_learner_ids() is
  'Learners the current user reads as their guardian or as staff of their organization: '
  'private.guardian_student_ids() and private.staff_student_ids() in one call.';

create function private.linked_profile_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select guardianship.student_id
    from public.guardianships guardianship
    where guardianship.guardian_id = (select auth.uid())
    union all
    select guardianship.guardian_id
    from public.guardianships guardianship
    where guardianship.student_id = (select auth.uid())
    union all
    select member.user_id
    from public.organization_members staff
    join public.organization_members member on member.organization_id = staff.organization_id
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator')
    union all
    select staff.user_id
    from public.organization_members me
    join public.organization_members staff
      on staff.organization_id = me.organization_id and staff.role in ('admin', 'educator')
    where me.user_id = (select auth.uid());
end
$$;
comment on function private.linked_profile_ids() is
  'People whose profile the current user reads besides their own: their students and guardians, '
  'their organizations'' members if staff, and their organizations'' staff.';

revoke execute on function private.linked_learner_ids(), private.linked_profile_ids() from public;
grant execute on function private.linked_learner_ids(), private.linked_profile_ids() to authenticated, service_role;
