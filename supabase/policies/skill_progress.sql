-- Policies of public.skill_progress: per-skill progress. Learners record what
-- they viewed; status, scores and mastery are server-owned. Guardians and
-- staff read it.

create policy "Learners, guardians and staff can read skill progress"
  on public.skill_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start tracking their own skills"
  on public.skill_progress for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update what they viewed of their own skills"
  on public.skill_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
