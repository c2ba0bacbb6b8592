-- Policies of public.skill_progress: per-skill progress. Learners record what
-- they viewed; status, scores and mastery are server-owned. Guardians read it,
-- and staff of the concept's organization while the learner is a student there.

create policy "Learners, guardians and staff can read skill progress"
  on public.skill_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(skill_progress.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start tracking their own skills"
  on public.skill_progress for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update what they viewed of their own skills"
  on public.skill_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
