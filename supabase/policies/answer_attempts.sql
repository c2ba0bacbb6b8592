-- Policies of public.answer_attempts: learners read their answers, guardians their
-- students', and staff of the question's organization while the learner is a student
-- there. Answers are recorded only through public.submit_answer (authenticated holds no
-- INSERT on the table: grading, the award and progress are its steps, in order);
-- nobody but service_role changes or deletes an attempt.

create policy "Learners, guardians and staff can read answer attempts"
  on public.answer_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.question_organization_id(answer_attempts.question_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));
