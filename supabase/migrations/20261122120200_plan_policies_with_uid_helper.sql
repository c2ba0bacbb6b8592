-- plan policies with the uid helper
--
-- Every policy now names the caller as `(select private.uid())` instead of
-- `(select auth.uid())` (20261122120000: the same value, without auth.uid()'s
-- SQL body parsed into each policy at every plan), and reads "the learner's
-- guardians and staff" or "the people linked to me" through one helper
-- instead of two or four (20261122120100). Who can read or write what is
-- unchanged: each expression is the one it replaces with those two
-- substitutions, and the policy matrix checks every table, persona and
-- command. The policy files in supabase/policies/ hold the same text.
--
-- Measured on bench/rls_overhead.py's data (100,000 students), planning time
-- added by RLS, authenticated minus service_role: SignifyAI §5.1 204 → 84 µs,
-- §5.2 58 → 28 µs, §5.3 79 → 48 µs, the Math engine's grid 76 → 46 µs.
-- ---------------------------------------------------------------- ai_usage
drop policy "Learners, guardians and staff can read AI usage" on public.ai_usage;

create policy "Learners, guardians and staff can read AI usage"
  on public.ai_usage for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- analytics_events
drop policy "Learners, guardians and staff can read analytics events" on public.analytics_events;
drop policy "Users can record their own events in their organizations" on public.analytics_events;

create policy "Learners, guardians and staff can read analytics events"
  on public.analytics_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids())
  );

create policy "Users can record their own events in their organizations"
  on public.analytics_events for insert to authenticated
  with check (
    user_id = (select private.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids()))
  );

-- ---------------------------------------------------------------- analytics_rollups
drop policy "Learners, guardians and staff can read practice metrics" on analytics.user_mode_daily;
drop policy "Learners, guardians and staff can read daily summaries" on analytics.user_daily;
drop policy "Learners, guardians and staff can read event rollups" on analytics.event_dimension_daily;

create policy "Learners, guardians and staff can read practice metrics"
  on analytics.user_mode_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids())
  );

create policy "Learners, guardians and staff can read daily summaries"
  on analytics.user_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids())
  );

create policy "Learners, guardians and staff can read event rollups"
  on analytics.event_dimension_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids())
  );

-- ---------------------------------------------------------------- answer_attempts
drop policy "Learners, guardians and staff can read answer attempts" on public.answer_attempts;
drop policy "Students can answer in their own active sessions" on public.answer_attempts;

create policy "Learners, guardians and staff can read answer attempts"
  on public.answer_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can answer in their own active sessions"
  on public.answer_attempts for insert to authenticated
  with check (
    user_id = (select private.uid())
    and session_id in (
      select id from public.learning_sessions
      where user_id = (select private.uid()) and status in ('active', 'paused'))
    and exists (select from public.questions where questions.id = answer_attempts.question_id));

-- ---------------------------------------------------------------- assessments
drop policy "Learners, guardians and staff can read assessments" on public.assessments;
drop policy "Students can start their own assessments" on public.assessments;
drop policy "Students can answer their own open assessments" on public.assessments;

create policy "Learners, guardians and staff can read assessments"
  on public.assessments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own assessments"
  on public.assessments for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can answer their own open assessments"
  on public.assessments for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- challenge_progress
drop policy "Learners, guardians and staff can read challenge progress" on public.challenge_progress;

create policy "Learners, guardians and staff can read challenge progress"
  on public.challenge_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- chat_messages
drop policy "Learners, guardians and staff can read chat messages" on public.chat_messages;
drop policy "Students can post in their own tutor chats" on public.chat_messages;

create policy "Learners, guardians and staff can read chat messages"
  on public.chat_messages for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can post in their own tutor chats"
  on public.chat_messages for insert to authenticated
  with check (
    sender = 'user'
    and chat_id in (select id from public.chat_sessions where user_id = (select private.uid())));

-- ---------------------------------------------------------------- chat_sessions
drop policy "Learners, guardians and staff can read tutor chats" on public.chat_sessions;
drop policy "Students can start their own tutor chats" on public.chat_sessions;
drop policy "Students can rename or close their own tutor chats" on public.chat_sessions;
drop policy "Students can delete their own tutor chats" on public.chat_sessions;

create policy "Learners, guardians and staff can read tutor chats"
  on public.chat_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own tutor chats"
  on public.chat_sessions for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can rename or close their own tutor chats"
  on public.chat_sessions for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

create policy "Students can delete their own tutor chats"
  on public.chat_sessions for delete to authenticated
  using (user_id = (select private.uid()));

-- ---------------------------------------------------------------- coding_attempts
drop policy "Learners, guardians and staff can read coding attempts" on public.coding_attempts;
drop policy "Students can submit code to tests they can read" on public.coding_attempts;
drop policy "Students can update their own open coding attempts" on public.coding_attempts;

create policy "Learners, guardians and staff can read coding attempts"
  on public.coding_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can submit code to tests they can read"
  on public.coding_attempts for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.tests where tests.id = coding_attempts.test_id));

create policy "Students can update their own open coding attempts"
  on public.coding_attempts for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- concepts
drop policy "Users can read published concepts, authors and staff drafts" on public.concepts;
drop policy "Staff can create concepts for their organization" on public.concepts;

create policy "Users can read published concepts, authors and staff drafts"
  on public.concepts for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create concepts for their organization"
  on public.concepts for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- content_examples
drop policy "Users can read published examples, authors and staff drafts" on public.content_examples;
drop policy "Staff can create content examples for their organization" on public.content_examples;

create policy "Users can read published examples, authors and staff drafts"
  on public.content_examples for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create content examples for their organization"
  on public.content_examples for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- content_hooks
drop policy "Users can read published hooks, authors and staff drafts" on public.content_hooks;
drop policy "Staff can create content hooks for their organization" on public.content_hooks;

create policy "Users can read published hooks, authors and staff drafts"
  on public.content_hooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create content hooks for their organization"
  on public.content_hooks for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- courses
drop policy "Users can read published courses, authors and staff drafts" on public.courses;
drop policy "Staff can create courses for their organization" on public.courses;

create policy "Users can read published courses, authors and staff drafts"
  on public.courses for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create courses for their organization"
  on public.courses for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- enrollments
drop policy "Learners, guardians and staff can read enrollments" on public.enrollments;
drop policy "Students can enroll themselves and staff their students" on public.enrollments;
drop policy "Students and their organizations' staff can update enrollments" on public.enrollments;

create policy "Learners, guardians and staff can read enrollments"
  on public.enrollments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can enroll themselves and staff their students"
  on public.enrollments for insert to authenticated
  with check (
    (user_id = (select private.uid())
      and exists (select from public.courses where courses.id = enrollments.course_id))
    or (user_id in (select private.staff_student_ids())
      and course_id in (select id from public.courses where organization_id in (select private.staff_org_ids()))));

create policy "Students and their organizations' staff can update enrollments"
  on public.enrollments for update to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.staff_student_ids()))
  with check (
    user_id = (select private.uid())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- error_logs
drop policy "Users can read the errors they reported" on public.error_logs;
drop policy "Users can report their own errors" on public.error_logs;

create policy "Users can read the errors they reported"
  on public.error_logs for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can report their own errors"
  on public.error_logs for insert to authenticated
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- exercise_generations
drop policy "Learners, guardians and staff can read generated exercises" on public.exercise_generations;

create policy "Learners, guardians and staff can read generated exercises"
  on public.exercise_generations for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- feedback
drop policy "Users can read their feedback, staff feedback on their content" on public.feedback;
drop policy "Users can give feedback" on public.feedback;

create policy "Users can read their feedback, staff feedback on their content"
  on public.feedback for select to authenticated
  using (
    user_id = (select private.uid())
    or course_id in (select id from public.courses where organization_id in (select private.staff_org_ids()))
    or lesson_id in (select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Users can give feedback"
  on public.feedback for insert to authenticated
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- guardian_actions
drop policy "Guardians, students and staff can read guardian actions" on public.guardian_actions;
drop policy "Guardians can record actions about their students" on public.guardian_actions;

create policy "Guardians, students and staff can read guardian actions"
  on public.guardian_actions for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or student_id in (select private.staff_student_ids()));

create policy "Guardians can record actions about their students"
  on public.guardian_actions for insert to authenticated
  with check (guardian_id = (select private.uid()) and private.is_guardian_of(student_id));

-- ---------------------------------------------------------------- guardianships
drop policy "Guardians, students and staff can read their guardianships" on public.guardianships;

create policy "Guardians, students and staff can read their guardianships"
  on public.guardianships for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or student_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- hint_uses
drop policy "Learners, guardians and staff can read hint uses" on public.hint_uses;

create policy "Learners, guardians and staff can read hint uses"
  on public.hint_uses for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- journey_summaries
drop policy "Learners, guardians and staff can read journey summaries" on public.journey_summaries;
drop policy "Students can start their own journeys" on public.journey_summaries;
drop policy "Students can change their own journey's career and companion" on public.journey_summaries;

create policy "Learners, guardians and staff can read journey summaries"
  on public.journey_summaries for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own journeys"
  on public.journey_summaries for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can change their own journey's career and companion"
  on public.journey_summaries for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- league_members
drop policy "Learners, guardians and staff can read league placements" on public.league_members;

create policy "Learners, guardians and staff can read league placements"
  on public.league_members for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- learning_events
drop policy "Learners, guardians and staff can read learning events" on public.learning_events;

create policy "Learners, guardians and staff can read learning events"
  on public.learning_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids())
  );

-- ---------------------------------------------------------------- learning_paths
drop policy "Learners, guardians and staff can read learning paths" on public.learning_paths;
drop policy "Students can start their own learning paths" on public.learning_paths;
drop policy "Students can update their own learning paths" on public.learning_paths;

create policy "Learners, guardians and staff can read learning paths"
  on public.learning_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own learning paths"
  on public.learning_paths for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning paths"
  on public.learning_paths for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- learning_sessions
drop policy "Learners, guardians and staff can read learning sessions" on public.learning_sessions;
drop policy "Students can start their own learning sessions" on public.learning_sessions;
drop policy "Students can update their own learning sessions" on public.learning_sessions;

create policy "Learners, guardians and staff can read learning sessions"
  on public.learning_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own learning sessions"
  on public.learning_sessions for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning sessions"
  on public.learning_sessions for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- lesson_progress
drop policy "Learners, guardians and staff can read lesson progress" on public.lesson_progress;
drop policy "Students can record progress in lessons they can read" on public.lesson_progress;
drop policy "Students can update their own lesson progress" on public.lesson_progress;

create policy "Learners, guardians and staff can read lesson progress"
  on public.lesson_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can record progress in lessons they can read"
  on public.lesson_progress for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.lessons where lessons.id = lesson_progress.lesson_id));

create policy "Students can update their own lesson progress"
  on public.lesson_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- lessons
drop policy "Users can read published lessons, authors and staff drafts" on public.lessons;
drop policy "Staff can create lessons for their organization" on public.lessons;

create policy "Users can read published lessons, authors and staff drafts"
  on public.lessons for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create lessons for their organization"
  on public.lessons for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- media_assets
drop policy "Users can read published, own and supervised media" on public.media_assets;
drop policy "Users can register their own uploads" on public.media_assets;
drop policy "Owners can update unpublished media, staff their organization's" on public.media_assets;
drop policy "Owners and the organization's staff can delete media" on public.media_assets;

create policy "Users can read published, own and supervised media"
  on public.media_assets for select to authenticated
  using (
    (is_published and organization_id is null)
    or owner_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or owner_id in (select private.linked_learner_ids())
    or organization_id in (select private.staff_org_ids()));

create policy "Users can register their own uploads"
  on public.media_assets for insert to authenticated
  with check (
    owner_id = (select private.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Owners can update unpublished media, staff their organization's"
  on public.media_assets for update to authenticated
  using (
    (owner_id = (select private.uid()) and not is_published)
    or organization_id in (select private.staff_org_ids()))
  with check (
    (owner_id = (select private.uid()) and not is_published)
    or organization_id in (select private.staff_org_ids()));

create policy "Owners and the organization's staff can delete media"
  on public.media_assets for delete to authenticated
  using (
    owner_id = (select private.uid())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- notifications
drop policy "Users can read their own notifications" on public.notifications;
drop policy "Users can mark their own notifications read" on public.notifications;
drop policy "Users can delete their own notifications" on public.notifications;

create policy "Users can read their own notifications"
  on public.notifications for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can mark their own notifications read"
  on public.notifications for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

create policy "Users can delete their own notifications"
  on public.notifications for delete to authenticated
  using (user_id = (select private.uid()));

-- ---------------------------------------------------------------- organization_members
drop policy "Users can read their own memberships and staff their rosters" on public.organization_members;
drop policy "Users can leave organizations and admins remove members" on public.organization_members;

create policy "Users can read their own memberships and staff their rosters"
  on public.organization_members for select to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.staff_org_ids()));

create policy "Users can leave organizations and admins remove members"
  on public.organization_members for delete to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

-- ---------------------------------------------------------------- organizations
drop policy "Members and creators can read their organizations" on public.organizations;
drop policy "Signed-in users can create an organization they own" on public.organizations;

create policy "Members and creators can read their organizations"
  on public.organizations for select to authenticated
  using (
    created_by = (select private.uid())
    or id in (select private.member_org_ids()));

create policy "Signed-in users can create an organization they own"
  on public.organizations for insert to authenticated
  with check (created_by = (select private.uid()));

-- ---------------------------------------------------------------- profiles
drop policy "Users can read their own and their linked people's profiles" on public.profiles;
drop policy "Users can update their own profile" on public.profiles;

create policy "Users can read their own and their linked people's profiles"
  on public.profiles for select to authenticated
  using (
    id = (select private.uid())
    or id in (select private.linked_profile_ids()));

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using (id = (select private.uid()))
  with check (id = (select private.uid()));

-- ---------------------------------------------------------------- progress_reports
drop policy "Learners and guardians can read progress reports" on public.progress_reports;

create policy "Learners and guardians can read progress reports"
  on public.progress_reports for select to authenticated
  using (
    student_id = (select private.uid())
    or student_id in (select private.guardian_student_ids()));

-- ---------------------------------------------------------------- question_progress
drop policy "Learners, guardians and staff can read question progress" on public.question_progress;

create policy "Learners, guardians and staff can read question progress"
  on public.question_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- questions
drop policy "Users can read published questions, authors and staff drafts" on public.questions;
drop policy "Staff can create questions for their organization" on public.questions;

create policy "Users can read published questions, authors and staff drafts"
  on public.questions for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create questions for their organization"
  on public.questions for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- remediation_paths
drop policy "Learners, guardians and staff can read remediation paths" on public.remediation_paths;

create policy "Learners, guardians and staff can read remediation paths"
  on public.remediation_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- skill_progress
drop policy "Learners, guardians and staff can read skill progress" on public.skill_progress;
drop policy "Students can start tracking their own skills" on public.skill_progress;
drop policy "Students can update what they viewed of their own skills" on public.skill_progress;

create policy "Learners, guardians and staff can read skill progress"
  on public.skill_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start tracking their own skills"
  on public.skill_progress for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update what they viewed of their own skills"
  on public.skill_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- streak_freezes
drop policy "Learners, guardians and staff can read streak freezes" on public.streak_freezes;

create policy "Learners, guardians and staff can read streak freezes"
  on public.streak_freezes for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- tests
drop policy "Users can read published tests, authors and staff drafts" on public.tests;
drop policy "Staff can create tests for their organization" on public.tests;

create policy "Users can read published tests, authors and staff drafts"
  on public.tests for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create tests for their organization"
  on public.tests for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- textbooks
drop policy "Users can read published textbooks, authors and staff drafts" on public.textbooks;
drop policy "Staff can create textbooks for their organization" on public.textbooks;

create policy "Users can read published textbooks, authors and staff drafts"
  on public.textbooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create textbooks for their organization"
  on public.textbooks for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

-- ---------------------------------------------------------------- user_achievements
drop policy "Learners, guardians and staff can read achievement progress" on public.user_achievements;

create policy "Learners, guardians and staff can read achievement progress"
  on public.user_achievements for select to authenticated
  using (
    (user_id = (select private.uid())
      or user_id in (select private.linked_learner_ids()))
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));

-- ---------------------------------------------------------------- user_settings
drop policy "Users can read their own settings" on public.user_settings;
drop policy "Users can update their own settings" on public.user_settings;

create policy "Users can read their own settings"
  on public.user_settings for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can update their own settings"
  on public.user_settings for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- xp_activity_days
drop policy "Learners, guardians and staff can read activity days" on public.xp_activity_days;

create policy "Learners, guardians and staff can read activity days"
  on public.xp_activity_days for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- xp_profiles
drop policy "Learners, guardians and staff can read XP profiles" on public.xp_profiles;
drop policy "Users can hide themselves from leaderboards" on public.xp_profiles;

create policy "Learners, guardians and staff can read XP profiles"
  on public.xp_profiles for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Users can hide themselves from leaderboards"
  on public.xp_profiles for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ---------------------------------------------------------------- xp_transactions
drop policy "Learners, guardians and staff can read XP transactions" on public.xp_transactions;

create policy "Learners, guardians and staff can read XP transactions"
  on public.xp_transactions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

-- ---------------------------------------------------------------- partitions
-- Each monthly partition of analytics_events and learning_events carries a copy
-- of its parent's read policies (private.create_monthly_partitions): replace
-- the existing partitions' copies with the parents' new policies.
do $$
declare
  partition record;
  policy record;
begin
  for partition in
    select i.inhrelid::regclass as partition_table, i.inhparent as parent
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    where c.relispartition
      and i.inhparent in ('public.analytics_events'::regclass, 'public.learning_events'::regclass)
  loop
    for policy in select p.polname from pg_catalog.pg_policy p where p.polrelid = partition.partition_table loop
      execute format('drop policy %I on %s', policy.polname, partition.partition_table);
    end loop;
    for policy in
      select p.polname,
             pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expression,
             coalesce((select string_agg(quote_ident(r.rolname), ', ') from pg_catalog.pg_roles r
                       where r.oid = any (p.polroles)), 'public') as roles
      from pg_catalog.pg_policy p
      where p.polrelid = partition.parent and p.polcmd = 'r' and p.polpermissive
    loop
      execute format('create policy %I on %s for select to %s using (%s)',
        policy.polname, partition.partition_table, policy.roles, policy.using_expression);
    end loop;
  end loop;
end
$$;
