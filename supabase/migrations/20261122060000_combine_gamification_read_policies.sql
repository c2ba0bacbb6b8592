-- combine gamification read policies
--
-- The gamification tables had one permissive select policy per persona for
-- authenticated (the learner, their guardians, their organizations' staff).
-- PostgreSQL ORs permissive policies in reverse order of their names, so on
-- xp_profiles "Staff can read their students' XP profiles" ran before
-- "Guardians can read …" and a guardian paid for private.staff_student_ids()
-- before their own helper (bench/rls_overhead.py: SignifyAI §5.1 and the
-- guardian's child overview read xp_profiles); the same held on every table
-- below. `learnkit db advise` reports it as multiple_permissive_policies.
--
-- Each table now has one select policy, learner first (auth.uid() alone, no
-- helper), then guardians, then staff, as in 20261122040100. achievements and
-- gamification_settings test their columns (global, not secret) before any
-- helper runs. Every expression is exactly the OR of the policies it replaces,
-- except that on user_achievements the shared "unlocked or not secret" test,
-- written three times before, is factored out: (a and x) or (b and x) or
-- (c and x) = (a or b or c) and x. Who can read what is unchanged; the policy
-- matrix checks it.

-- ---------------------------------------------------------------- xp_profiles
drop policy "Users can read their own XP profile" on public.xp_profiles;
drop policy "Guardians can read their students' XP profiles" on public.xp_profiles;
drop policy "Staff can read their students' XP profiles" on public.xp_profiles;

create policy "Learners, guardians and staff can read XP profiles"
  on public.xp_profiles for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- xp_transactions
drop policy "Users can read their own XP transactions" on public.xp_transactions;
drop policy "Guardians can read their students' XP transactions" on public.xp_transactions;
drop policy "Staff can read their students' XP transactions" on public.xp_transactions;

create policy "Learners, guardians and staff can read XP transactions"
  on public.xp_transactions for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- xp_activity_days
drop policy "Users can read their own activity days" on public.xp_activity_days;
drop policy "Guardians can read their students' activity days" on public.xp_activity_days;
drop policy "Staff can read their students' activity days" on public.xp_activity_days;

create policy "Learners, guardians and staff can read activity days"
  on public.xp_activity_days for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- streak_freezes
drop policy "Users can read their own streak freezes" on public.streak_freezes;
drop policy "Guardians can read their students' streak freezes" on public.streak_freezes;
drop policy "Staff can read their students' streak freezes" on public.streak_freezes;

create policy "Learners, guardians and staff can read streak freezes"
  on public.streak_freezes for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- challenge_progress
drop policy "Users can read their own challenge progress" on public.challenge_progress;
drop policy "Guardians can read their students' challenge progress" on public.challenge_progress;
drop policy "Staff can read their students' challenge progress" on public.challenge_progress;

create policy "Learners, guardians and staff can read challenge progress"
  on public.challenge_progress for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- hint_uses
drop policy "Users can read their own hint uses" on public.hint_uses;
drop policy "Guardians can read their students' hint uses" on public.hint_uses;
drop policy "Staff can read their students' hint uses" on public.hint_uses;

create policy "Learners, guardians and staff can read hint uses"
  on public.hint_uses for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- user_achievements
drop policy "Users can read their progress on visible or unlocked achievements" on public.user_achievements;
drop policy "Guardians can read their students' achievements" on public.user_achievements;
drop policy "Staff can read their students' achievements" on public.user_achievements;

create policy "Learners, guardians and staff can read achievement progress"
  on public.user_achievements for select to authenticated
  using (
    (user_id = (select auth.uid())
      or user_id in (select private.guardian_student_ids())
      or user_id in (select private.staff_student_ids()))
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));

-- ---------------------------------------------------------------- achievements
drop policy "Signed-in users can read visible achievements" on public.achievements;
drop policy "Users can read the secret achievements they unlocked" on public.achievements;
drop policy "Staff can read their organization's achievements" on public.achievements;

create policy "Users can read visible and unlocked achievements, staff all"
  on public.achievements for select to authenticated
  using (
    (not is_secret and organization_id is null)
    or (not is_secret and organization_id in (select private.member_org_ids()))
    or id in (select private.unlocked_achievement_ids())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- league_members
drop policy "Users can read their own league placements" on public.league_members;
drop policy "Guardians can read their students' league placements" on public.league_members;
drop policy "Staff can read their organization's league placements" on public.league_members;

create policy "Learners, guardians and staff can read league placements"
  on public.league_members for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- league_groups
drop policy "Students can read their league groups" on public.league_groups;
drop policy "Staff can read their organization's league groups" on public.league_groups;

create policy "Students and staff can read league groups"
  on public.league_groups for select to authenticated
  using (
    id in (select private.my_league_group_ids())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- gamification_settings
drop policy "Signed-in users can read the platform's default rules" on public.gamification_settings;
drop policy "Members can read their organizations' rules" on public.gamification_settings;

create policy "Users can read the default and their organizations' rules"
  on public.gamification_settings for select to authenticated
  using (
    organization_id is null
    or organization_id in (select private.member_org_ids()));
