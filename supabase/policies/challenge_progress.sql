-- Policies of public.challenge_progress: read by the learner, their guardians
-- and the staff of the challenge's organization (while the learner is a student
-- there); written only by learnkit's XP functions.

create policy "Learners, guardians and its staff can read challenge progress"
  on public.challenge_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or ((select challenge.organization_id from public.daily_challenges as challenge
         where challenge.id = challenge_progress.challenge_id),
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));
