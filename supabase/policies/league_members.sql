-- Policies of public.league_members: students read their own placements (the
-- group's standings come from get_my_league, by nickname); guardians and staff
-- read their students'.

create policy "Learners, guardians and staff can read league placements"
  on public.league_members for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids()));
