-- Policies of public.guardianships: the guardian, the student and the staff
-- of an organization vouching for the link (public.guardianship_vouches) see
-- it; nobody inserts one (the guardian accepts a guardian invitation and the
-- student confirms it, public.accept_invitation and
-- public.confirm_guardian_invitation) and staff end their organization's
-- vouch, not the link; the guardian may end their own link.

create policy "Guardians, students and vouching staff can read guardianships"
  on public.guardianships for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or (guardian_id, student_id) in (
      select v.guardian_id, v.student_id from public.guardianship_vouches as v
      where v.organization_id in (select private.staff_org_ids())));

create policy "Guardians can end their own guardianships"
  on public.guardianships for delete to authenticated
  using (guardian_id = (select private.uid()));
