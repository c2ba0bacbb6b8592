-- Policies of public.user_achievements: learners read their progress except on
-- secret achievements not yet unlocked; guardians and staff read unlocked ones
-- and progress on visible ones. Written only by learnkit's XP functions.

create policy "Learners, guardians and staff can read achievement progress"
  on public.user_achievements for select to authenticated
  using (
    (user_id = (select private.uid())
      or user_id in (select private.linked_learner_ids()))
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));
