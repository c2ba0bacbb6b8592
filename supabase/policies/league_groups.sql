-- Policies of public.league_groups: students read the groups they are in, staff
-- their organization's. Formed and closed only by close_league_week_v1.

create policy "Students and staff can read league groups"
  on public.league_groups for select to authenticated
  using (
    id in (select private.my_league_group_ids())
    or organization_id in (select private.staff_org_ids()));
