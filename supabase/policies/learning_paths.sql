-- Policies of public.learning_paths: a learner starts and steers their own paths;
-- guardians and staff read them; metrics are server-owned.

create policy "Learners, guardians and staff can read learning paths"
  on public.learning_paths for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

create policy "Students can start their own learning paths"
  on public.learning_paths for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can update their own learning paths"
  on public.learning_paths for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
