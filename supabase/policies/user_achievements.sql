-- Policies of public.user_achievements: learners read their progress except on
-- secret achievements not yet unlocked; guardians, and the staff of the
-- achievement's organization (while the learner is a student there), read
-- unlocked ones and progress on visible ones. Written only by learnkit's XP functions.

create policy "Learners, guardians and its staff can read achievement progress"
  on public.user_achievements for select to authenticated
  using (
    (user_id = (select private.uid())
      or user_id in (select private.guardian_student_ids())
      or ((select achievement.organization_id from public.achievements as achievement
           where achievement.id = user_achievements.achievement_id),
          user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair))
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));
