-- Policies of public.achievements: signed-in users read the visible ones (global
-- or of their organizations); a secret one only once they have unlocked it.
-- Admins define their organization's achievements (within public.platform_limits);
-- global ones are service_role's.

create policy "Users can read visible and unlocked achievements, staff all"
  on public.achievements for select to authenticated
  using (
    (not is_secret and organization_id is null)
    or (not is_secret and organization_id in (select private.member_org_ids()))
    or id in (select private.unlocked_achievement_ids())
    or organization_id in (select private.staff_org_ids()));

create policy "Admins can create achievements for their organization"
  on public.achievements for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can update their organization's achievements"
  on public.achievements for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));
