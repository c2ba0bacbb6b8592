-- Policies of public.answer_attempts: learners record answers in their own open
-- sessions to questions they can read; guardians read them, and staff of the
-- question's organization while the learner is a student there. Nobody but
-- service_role changes or deletes an attempt.

create policy "Learners, guardians and staff can read answer attempts"
  on public.answer_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.question_organization_id(answer_attempts.question_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can answer in their own active sessions"
  on public.answer_attempts for insert to authenticated
  with check (
    user_id = (select private.uid())
    and session_id in (
      select id from public.learning_sessions
      where user_id = (select private.uid()) and status in ('active', 'paused'))
    and exists (select from public.questions where questions.id = answer_attempts.question_id));
