-- Policies of public.guardian_actions: an append-only audit log. Guardians
-- record their own actions on their own students; the guardian, the student
-- and the student's organization staff read it; nobody updates or deletes.

create policy "Guardians can read their own actions"
  on public.guardian_actions for select to authenticated
  using (guardian_id = (select auth.uid()));

create policy "Students can read their guardians' actions about them"
  on public.guardian_actions for select to authenticated
  using (student_id = (select auth.uid()));

create policy "Staff can read guardian actions about their students"
  on public.guardian_actions for select to authenticated
  using (student_id in (select private.staff_student_ids()));

create policy "Guardians can record actions about their students"
  on public.guardian_actions for insert to authenticated
  with check (guardian_id = (select auth.uid()) and private.is_guardian_of(student_id));
