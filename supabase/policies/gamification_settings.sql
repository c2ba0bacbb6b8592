-- Policies of public.gamification_settings: every signed-in user reads the
-- platform defaults; members read their organizations' rules; admins write them.

create policy "Users can read the default and their organizations' rules"
  on public.gamification_settings for select to authenticated
  using (
    organization_id is null
    or organization_id in (select private.member_org_ids()));

create policy "Admins can set their organizations' rules"
  on public.gamification_settings for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can change their organizations' rules"
  on public.gamification_settings for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can remove their organizations' rules"
  on public.gamification_settings for delete to authenticated
  using (organization_id in (select private.admin_org_ids()));
