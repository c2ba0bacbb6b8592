-- Policies of public.question_progress: server-owned per-question progress. The
-- learner and their guardians read it, and staff of the question's organization
-- while the learner is a student there; only the attempt trigger (security
-- definer) and service_role write it.

create policy "Learners, guardians and staff can read question progress"
  on public.question_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.question_organization_id(question_progress.question_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));
