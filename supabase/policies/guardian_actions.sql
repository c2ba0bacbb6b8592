-- Policies of public.guardian_actions: an append-only audit log. Guardians
-- record their own actions on their own students; the guardian, the student
-- and the student's organization staff read it; nobody updates or deletes.

create policy "Guardians, students and staff can read guardian actions"
  on public.guardian_actions for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or student_id in (select private.staff_student_ids()));

create policy "Guardians can record actions about their students"
  on public.guardian_actions for insert to authenticated
  with check (guardian_id = (select private.uid()) and private.is_guardian_of(student_id));
