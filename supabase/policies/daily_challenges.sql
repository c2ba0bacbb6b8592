-- Policies of public.daily_challenges: signed-in users read the global ones and
-- their organizations'; staff manage their organization's; global: service_role.

create policy "Signed-in users can read their daily challenges"
  on public.daily_challenges for select to authenticated
  using (organization_id is null or organization_id in (select private.member_org_ids()));

create policy "Staff can create daily challenges for their organization"
  on public.daily_challenges for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can update their organization's daily challenges"
  on public.daily_challenges for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's daily challenges"
  on public.daily_challenges for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
