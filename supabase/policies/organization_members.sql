-- Policies of public.organization_members: you see your own memberships, staff
-- see their organizations' rosters, admins manage them, anyone may leave.

create policy "Users can read their own memberships and staff their rosters"
  on public.organization_members for select to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.staff_org_ids()));

create policy "Admins can add members to their organizations"
  on public.organization_members for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can change members' roles in their organizations"
  on public.organization_members for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Users can leave organizations and admins remove members"
  on public.organization_members for delete to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.admin_org_ids()));
