-- combine write policies
--
-- enrollments (insert, update), media_assets (update, delete) and
-- organization_members (delete) had two permissive policies for authenticated
-- on the same command: the learner's or owner's own, and staff's or admins'.
-- `learnkit db advise` reports it as multiple_permissive_policies.
--
-- Each command now has one policy, the user's own rows first (auth.uid()
-- alone), the membership helpers after. PostgreSQL ORs the using expressions
-- of permissive policies, and separately their with check expressions, so a
-- policy whose using is the OR of the old usings and whose with check is the
-- OR of the old checks admits exactly the same rows and new values: who can
-- write what is unchanged; the policy matrix checks it.

-- ---------------------------------------------------------------- enrollments
drop policy "Students can enroll themselves in courses they can read" on public.enrollments;
drop policy "Staff can enroll their students in their organization's courses" on public.enrollments;

create policy "Students can enroll themselves and staff their students"
  on public.enrollments for insert to authenticated
  with check (
    (user_id = (select auth.uid())
      and exists (select from public.courses where courses.id = enrollments.course_id))
    or (user_id in (select private.staff_student_ids())
      and course_id in (select id from public.courses where organization_id in (select private.staff_org_ids()))));

drop policy "Students can update their own enrollments" on public.enrollments;
drop policy "Staff can update their students' enrollments" on public.enrollments;

create policy "Students and their organizations' staff can update enrollments"
  on public.enrollments for update to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.staff_student_ids()))
  with check (
    user_id = (select auth.uid())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- media_assets
drop policy "Owners can update their own unpublished media" on public.media_assets;
drop policy "Staff can update their organization's media" on public.media_assets;

create policy "Owners can update unpublished media, staff their organization's"
  on public.media_assets for update to authenticated
  using (
    (owner_id = (select auth.uid()) and not is_published)
    or organization_id in (select private.staff_org_ids()))
  with check (
    (owner_id = (select auth.uid()) and not is_published)
    or organization_id in (select private.staff_org_ids()));

drop policy "Owners can delete their own media" on public.media_assets;
drop policy "Staff can delete their organization's media" on public.media_assets;

create policy "Owners and the organization's staff can delete media"
  on public.media_assets for delete to authenticated
  using (
    owner_id = (select auth.uid())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- organization_members
drop policy "Admins can remove members from their organizations" on public.organization_members;
drop policy "Users can leave an organization" on public.organization_members;

create policy "Users can leave organizations and admins remove members"
  on public.organization_members for delete to authenticated
  using (
    user_id = (select auth.uid())
    or organization_id in (select private.admin_org_ids()));
