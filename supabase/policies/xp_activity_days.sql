-- Policies of public.xp_activity_days: read by the learner, their guardians and
-- their organizations' staff; written only by learnkit's XP functions.

create policy "Learners, guardians and staff can read activity days"
  on public.xp_activity_days for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
