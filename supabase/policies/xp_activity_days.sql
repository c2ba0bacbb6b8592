-- Policies of public.xp_activity_days: read by the learner and their guardians
-- (days span every organization); written only by learnkit's XP functions.

create policy "Learners and guardians can read activity days"
  on public.xp_activity_days for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));
