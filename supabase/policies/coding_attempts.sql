-- Policies of public.coding_attempts: learners submit code to tests they can
-- read; results and scores are the server's. Guardians read, and staff of the
-- test's (else question's) organization while the learner is a student there.

create policy "Learners, guardians and staff can read coding attempts"
  on public.coding_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when coding_attempts.test_id is not null
            then private.test_organization_id(coding_attempts.test_id)
          else private.question_organization_id(coding_attempts.question_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can submit code to tests they can read"
  on public.coding_attempts for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.tests where tests.id = coding_attempts.test_id));

create policy "Students can update their own open coding attempts"
  on public.coding_attempts for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
