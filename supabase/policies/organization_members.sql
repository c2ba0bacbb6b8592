-- Policies of public.organization_members: you see your own memberships, staff
-- see their organizations' rosters, anyone may leave and admins remove
-- members. Nobody inserts a membership: it comes from an accepted invitation
-- (public.accept_invitation) or from founding the organization. Admins change
-- roles only among staff, so no role change puts anyone under staff authority
-- without their consent.

create policy "Users can read their own memberships and staff their rosters"
  on public.organization_members for select to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.staff_org_ids()));

create policy "Admins can change staff roles in their organizations"
  on public.organization_members for update to authenticated
  using (organization_id in (select private.admin_org_ids()) and role in ('admin', 'educator'))
  with check (organization_id in (select private.admin_org_ids()) and role in ('admin', 'educator'));

create policy "Users can leave organizations and admins remove members"
  on public.organization_members for delete to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.admin_org_ids()));
