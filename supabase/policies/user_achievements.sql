-- Policies of public.user_achievements: learners read their progress except on
-- secret achievements not yet unlocked; guardians and staff read unlocked ones
-- and progress on visible ones. Written only by learnkit's XP functions.

create policy "Users can read their progress on visible or unlocked achievements"
  on public.user_achievements for select to authenticated
  using (user_id = (select auth.uid())
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));

create policy "Guardians can read their students' achievements"
  on public.user_achievements for select to authenticated
  using (user_id in (select private.guardian_student_ids())
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));

create policy "Staff can read their students' achievements"
  on public.user_achievements for select to authenticated
  using (user_id in (select private.staff_student_ids())
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));
