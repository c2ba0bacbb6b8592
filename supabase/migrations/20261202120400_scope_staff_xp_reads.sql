-- scope staff xp reads
--
-- Issue 14, items 3 and 4 for the gamification tables. Staff read a learner's
-- XP profile, ledger, activity days, freezes, hints, achievements and
-- challenge progress whenever the learner was a student of ANY organization
-- they staff (private.linked_learner_ids()): an admin of an organization one
-- founded saw the learner's global XP and level, and their rows from other
-- organizations. Now:
--   * Rows that span every organization — xp_profiles (global XP, level,
--     streaks), xp_activity_days, streak_freezes — are the learner's and their
--     guardians' alone; staff read the XP earned in their organization in
--     public.organization_xp (20261202120300).
--   * Rows of one organization are read by the staff of THAT organization
--     while the learner is a student there (private.staff_learner_pairs()):
--     the ledger by its organization_id (where the XP was earned), hint uses by
--     their question's, achievement progress by the achievement's and
--     challenge progress by the challenge's organization. Platform-wide
--     achievements and challenges (no organization) stay the learner's and
--     guardians'.
--   * league_members and league_groups already check the row's organization.
-- Replaces the select policies of those seven tables.

-- ---------------------------------------------------------------- spanning every organization
drop policy "Learners, guardians and staff can read XP profiles" on public.xp_profiles;
create policy "Learners and guardians can read XP profiles"
  on public.xp_profiles for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

drop policy "Learners, guardians and staff can read activity days" on public.xp_activity_days;
create policy "Learners and guardians can read activity days"
  on public.xp_activity_days for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

drop policy "Learners, guardians and staff can read streak freezes" on public.streak_freezes;
create policy "Learners and guardians can read streak freezes"
  on public.streak_freezes for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ---------------------------------------------------------------- of one organization
-- The ledger's staff arm filters on (organization_id, user_id): user_id leads the existing
-- (user_id, created_at) index; no new index, so an award writes no more ledger index entries.
drop policy "Learners, guardians and staff can read XP transactions" on public.xp_transactions;
create policy "Learners, guardians and the organization's staff can read XP transactions"
  on public.xp_transactions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));

drop policy "Learners, guardians and staff can read hint uses" on public.hint_uses;
create policy "Learners, guardians and the question's staff can read hint uses"
  on public.hint_uses for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or ((select question.organization_id from public.questions as question
         where question.id = hint_uses.question_id),
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

drop policy "Learners, guardians and staff can read achievement progress" on public.user_achievements;
create policy "Learners, guardians and the achievement's staff can read achievement progress"
  on public.user_achievements for select to authenticated
  using (
    (user_id = (select private.uid())
      or user_id in (select private.guardian_student_ids())
      or ((select achievement.organization_id from public.achievements as achievement
           where achievement.id = user_achievements.achievement_id),
          user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair))
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));

drop policy "Learners, guardians and staff can read challenge progress" on public.challenge_progress;
create policy "Learners, guardians and the challenge's staff can read challenge progress"
  on public.challenge_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or ((select challenge.organization_id from public.daily_challenges as challenge
         where challenge.id = challenge_progress.challenge_id),
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));
