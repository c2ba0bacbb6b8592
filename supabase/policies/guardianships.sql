-- Policies of public.guardianships: the guardian, the student and the
-- student's organization staff see a link; staff create and remove links
-- between a parent and a student of an organization they staff.

create policy "Guardians, students and staff can read their guardianships"
  on public.guardianships for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or student_id in (select private.staff_student_ids()));

create policy "Staff can link a parent to a student of their organization"
  on public.guardianships for insert to authenticated
  with check (private.can_link_guardian(guardian_id, student_id));

create policy "Staff can unlink their students' guardians"
  on public.guardianships for delete to authenticated
  using (student_id in (select private.staff_student_ids()));
