-- Policies of public.question_progress: server-owned per-question progress. The
-- learner, their guardians and their organization's staff read it; only the
-- attempt trigger (security definer) and service_role write it.

create policy "Students can read their own question progress"
  on public.question_progress for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' question progress"
  on public.question_progress for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' question progress"
  on public.question_progress for select to authenticated
  using (user_id in (select private.staff_student_ids()));
