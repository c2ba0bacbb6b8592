-- Policies of public.challenge_progress: read by the learner, their guardians
-- and their organizations' staff; written only by learnkit's XP functions.

create policy "Users can read their own challenge progress"
  on public.challenge_progress for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' challenge progress"
  on public.challenge_progress for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' challenge progress"
  on public.challenge_progress for select to authenticated
  using (user_id in (select private.staff_student_ids()));
