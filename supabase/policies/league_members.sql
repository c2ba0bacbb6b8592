-- Policies of public.league_members: students read their own placements (the
-- group's standings come from get_my_league, by nickname); guardians and staff
-- read their students'.

create policy "Users can read their own league placements"
  on public.league_members for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' league placements"
  on public.league_members for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their organization's league placements"
  on public.league_members for select to authenticated
  using (organization_id in (select private.staff_org_ids()));
