-- Policies of public.organizations: members read their organizations, any
-- signed-in user may found one (becoming its admin), admins edit it. Billing
-- columns and deletion belong to service_role.

create policy "Members and creators can read their organizations"
  on public.organizations for select to authenticated
  using (
    created_by = (select private.uid())
    or id in (select private.member_org_ids()));

create policy "Signed-in users can create an organization they own"
  on public.organizations for insert to authenticated
  with check (created_by = (select private.uid()));

create policy "Admins can update their organizations"
  on public.organizations for update to authenticated
  using (id in (select private.admin_org_ids()))
  with check (id in (select private.admin_org_ids()));
