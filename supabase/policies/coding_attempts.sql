-- Policies of public.coding_attempts: learners submit code to tests they can
-- read; results and scores are the server's. Guardians and staff read.

create policy "Learners, guardians and staff can read coding attempts"
  on public.coding_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can submit code to tests they can read"
  on public.coding_attempts for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.tests where tests.id = coding_attempts.test_id));

create policy "Students can update their own open coding attempts"
  on public.coding_attempts for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
