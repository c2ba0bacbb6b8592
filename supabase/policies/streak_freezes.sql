-- Policies of public.streak_freezes: read by the learner and their guardians
-- (a streak spans every organization); bought only through buy_streak_freeze().

create policy "Learners and guardians can read streak freezes"
  on public.streak_freezes for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));
