-- Policies of public.streak_freezes: read by the learner, their guardians and
-- their organizations' staff; bought only through buy_streak_freeze().

create policy "Users can read their own streak freezes"
  on public.streak_freezes for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' streak freezes"
  on public.streak_freezes for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' streak freezes"
  on public.streak_freezes for select to authenticated
  using (user_id in (select private.staff_student_ids()));
