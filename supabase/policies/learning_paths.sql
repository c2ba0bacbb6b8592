-- Policies of public.learning_paths: a learner starts and steers their own paths;
-- guardians and staff read them; metrics are server-owned.

create policy "Learners, guardians and staff can read learning paths"
  on public.learning_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own learning paths"
  on public.learning_paths for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning paths"
  on public.learning_paths for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
