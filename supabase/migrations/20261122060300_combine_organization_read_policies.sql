-- combine organization read policies
--
-- organizations, organization_members and guardian_actions had two or three
-- permissive select policies for authenticated. PostgreSQL ORs permissive
-- policies in reverse order of their names, so a member reading their own
-- memberships called private.staff_org_ids() first, and a guardian reading
-- their own actions paid for private.staff_student_ids(). `learnkit db advise`
-- reports it as multiple_permissive_policies.
--
-- Each table now has one select policy, column tests on auth.uid() first and
-- membership helpers after. On guardian_actions,
-- `(select auth.uid()) in (guardian_id, student_id)` is the old pair of tests
-- `guardian_id = …` / `student_id = …` with one auth.uid() call, as on
-- guardianships (20261122040200). Every expression is exactly the OR of the
-- policies it replaces, so who can read what is unchanged; the policy matrix
-- checks it.

-- ---------------------------------------------------------------- organizations
drop policy "Members can read their organizations" on public.organizations;
drop policy "Creators can read the organizations they created" on public.organizations;

create policy "Members and creators can read their organizations"
  on public.organizations for select to authenticated
  using (
    created_by = (select auth.uid())
    or id in (select private.member_org_ids()));

-- ---------------------------------------------------------------- organization_members
drop policy "Users can read their own memberships" on public.organization_members;
drop policy "Staff can read their organizations' members" on public.organization_members;

create policy "Users can read their own memberships and staff their rosters"
  on public.organization_members for select to authenticated
  using (
    user_id = (select auth.uid())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- guardian_actions
drop policy "Guardians can read their own actions" on public.guardian_actions;
drop policy "Students can read their guardians' actions about them" on public.guardian_actions;
drop policy "Staff can read guardian actions about their students" on public.guardian_actions;

create policy "Guardians, students and staff can read guardian actions"
  on public.guardian_actions for select to authenticated
  using (
    (select auth.uid()) in (guardian_id, student_id)
    or student_id in (select private.staff_student_ids()));
