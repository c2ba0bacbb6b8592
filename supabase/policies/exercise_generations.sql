-- Policies of public.exercise_generations: exercises generated for a learner. Only the
-- server writes them; the solution and prompt columns are not granted to
-- authenticated at all (column privileges).

create policy "Learners, guardians and staff can read generated exercises"
  on public.exercise_generations for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
