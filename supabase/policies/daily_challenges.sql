-- Policies of public.daily_challenges: signed-in users read the global ones and
-- their organizations'; admins manage their organization's (within
-- public.platform_limits); global: service_role.

create policy "Signed-in users can read their daily challenges"
  on public.daily_challenges for select to authenticated
  using (organization_id is null or organization_id in (select private.member_org_ids()));

create policy "Admins can create daily challenges for their organization"
  on public.daily_challenges for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can update their organization's daily challenges"
  on public.daily_challenges for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can delete their organization's daily challenges"
  on public.daily_challenges for delete to authenticated
  using (organization_id in (select private.admin_org_ids()));
