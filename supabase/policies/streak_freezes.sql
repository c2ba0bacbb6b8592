-- Policies of public.streak_freezes: read by the learner, their guardians and
-- their organizations' staff; bought only through buy_streak_freeze().

create policy "Learners, guardians and staff can read streak freezes"
  on public.streak_freezes for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
