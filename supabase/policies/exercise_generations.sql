-- Policies of public.exercise_generations: exercises generated for a learner. Only the
-- server writes them; the solution and prompt columns are not granted to
-- authenticated at all (column privileges). The learner and guardians read them,
-- and staff of the concept's organization while the learner is a student there.

create policy "Learners, guardians and staff can read generated exercises"
  on public.exercise_generations for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(exercise_generations.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));
