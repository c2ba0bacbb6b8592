-- Policies of public.organizations: members read their organizations, any
-- signed-in user may found one (becoming its admin), admins edit it. Billing
-- columns and deletion belong to service_role. A creator reads the
-- organization without a membership only in the transaction that created it
-- (insert ... returning runs before the trigger adds them as admin), so a
-- creator who left keeps no access.

create policy "Members and new creators can read organizations"
  on public.organizations for select to authenticated
  using (
    id in (select private.member_org_ids())
    or (created_by = (select private.uid()) and created_at = (select now())));

create policy "Signed-in users can create an organization they own"
  on public.organizations for insert to authenticated
  with check (created_by = (select private.uid()));

create policy "Admins can update their organizations"
  on public.organizations for update to authenticated
  using (id in (select private.admin_org_ids()))
  with check (id in (select private.admin_org_ids()));
