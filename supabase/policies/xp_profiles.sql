-- Policies of public.xp_profiles: learners read their own, guardians their
-- children's (global XP spans every organization: staff read the XP earned in
-- theirs in organization_xp). The learner may update only leaderboard_opt_out
-- (column privilege); XP, level, streaks and counters are written by learnkit's functions.

create policy "Learners and guardians can read XP profiles"
  on public.xp_profiles for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

create policy "Users can hide themselves from leaderboards"
  on public.xp_profiles for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
