-- Policies of public.guardian_actions: an append-only audit log of rows of no
-- organization. Guardians record their own actions on their own students;
-- only the acting guardian and the student read it (no staff, not even of a
-- vouching organization: issue 14, item 3); nobody updates or deletes.

create policy "Guardians and students can read guardian actions"
  on public.guardian_actions for select to authenticated
  using ((select private.uid()) in (guardian_id, student_id));

create policy "Guardians can record actions about their students"
  on public.guardian_actions for insert to authenticated
  with check (guardian_id = (select private.uid()) and private.is_guardian_of(student_id));
