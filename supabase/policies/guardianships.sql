-- Policies of public.guardianships: the guardian, the student and the
-- student's organization staff see a link; nobody inserts one (a guardian
-- accepts a guardian invitation, public.accept_invitation) and staff end their
-- organization's vouch (public.guardianship_vouches), not the link; the
-- guardian may end their own link.

create policy "Guardians, students and staff can read their guardianships"
  on public.guardianships for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or student_id in (select private.staff_student_ids()));

create policy "Guardians can end their own guardianships"
  on public.guardianships for delete to authenticated
  using (guardian_id = (select private.uid()));
