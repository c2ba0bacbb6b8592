-- Policies of public.guardianship_vouches: the guardian, the student and the
-- vouching organization's staff see a vouch; only that staff withdraw it (the
-- link lapses with its last vouch). Vouches are written by
-- public.accept_invitation, never directly.

create policy "Guardians, students and the vouching staff can read vouches"
  on public.guardianship_vouches for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can withdraw their organization's vouches"
  on public.guardianship_vouches for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
