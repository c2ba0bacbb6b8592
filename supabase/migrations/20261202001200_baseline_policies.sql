-- baseline: policies
--
-- learnkit 0.1.0's baseline for this domain: identical to the files in supabase/policies/ (in name order) when 0.1.0 was cut
-- (the 97 migrations before it were squashed; no database depended on them, see CHANGELOG.md).
-- Never edit it: change the declared file, then `learnkit db diff -f <name>` writes the next migration.

-- ------------------------------------------------------------ supabase/policies/achievements.sql
-- Policies of public.achievements: signed-in users read the visible ones (global
-- or of their organizations); a secret one only once they have unlocked it.
-- Admins define their organization's achievements (within public.platform_limits);
-- global ones are service_role's.

create policy "Users can read visible and unlocked achievements, staff all"
  on public.achievements for select to authenticated
  using (
    (not is_secret and organization_id is null)
    or (not is_secret and organization_id in (select private.member_org_ids()))
    or id in (select private.unlocked_achievement_ids())
    or organization_id in (select private.staff_org_ids()));

create policy "Admins can create achievements for their organization"
  on public.achievements for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can update their organization's achievements"
  on public.achievements for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

-- ------------------------------------------------------------ supabase/policies/ai_usage.sql
-- Policies of public.ai_usage: tokens and latency of AI calls made for a
-- learner. Only service_role writes; the learner and guardians read (AI usage
-- belongs to no organization: staff do not).

create policy "Learners and their guardians can read AI usage"
  on public.ai_usage for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ------------------------------------------------------------ supabase/policies/analytics_events.sql
-- Policies of public.analytics_events (and, copied by private.create_monthly_partitions, of each of its
-- monthly partitions' select): learners read and record their own telemetry; guardians read their
-- students'; staff read the events recorded in their organizations by its current members. Nobody updates
-- or deletes.

create policy "Learners, guardians and staff can read analytics events"
  on public.analytics_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.member_id
                                      from private.staff_member_pairs() as pair)
  );

create policy "Users can record their own events in their organizations"
  on public.analytics_events for insert to authenticated
  with check (
    user_id = (select private.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids()))
  );

-- The first four months' partitions are made here, after the parent's policies, because each partition
-- copies its parent's select policies when private.create_monthly_partitions creates it; the
-- maintain-partitions job makes the months after.
select private.create_monthly_partitions('public.analytics_events', current_date, 4);

-- ------------------------------------------------------------ supabase/policies/analytics_rollups.sql
-- Policies of the rollup tables in schema analytics (user_mode_daily, user_daily, event_dimension_daily),
-- read through the security-invoker views in public: a learner's own days, a guardian's students' days.
-- A day sums a learner's activity in all their organizations, so it belongs to none: staff do not read
-- it (they read their organization's learning_events). Only the server writes them (the refresh-rollups
-- worker).

create policy "Learners and their guardians can read practice metrics"
  on analytics.user_mode_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
  );

create policy "Learners and their guardians can read daily summaries"
  on analytics.user_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
  );

create policy "Learners and their guardians can read event rollups"
  on analytics.event_dimension_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
  );

-- ------------------------------------------------------------ supabase/policies/answer_attempts.sql
-- Policies of public.answer_attempts: learners read their answers, guardians their
-- students', and staff of the question's organization while the learner is a student
-- there. Answers are recorded only through public.submit_answer (authenticated holds no
-- INSERT on the table: grading, the award and progress are its steps, in order);
-- nobody but service_role changes or deletes an attempt.

create policy "Learners, guardians and staff can read answer attempts"
  on public.answer_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.question_organization_id(answer_attempts.question_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ------------------------------------------------------------ supabase/policies/assessments.sql
-- Policies of public.assessments: a learner answers and submits their own
-- assessments; evaluation is the server's. Guardians read, and staff of the
-- concept's organization while the learner is a student there.

create policy "Learners, guardians and staff can read assessments"
  on public.assessments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(assessments.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start their own assessments"
  on public.assessments for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can answer their own open assessments"
  on public.assessments for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/challenge_progress.sql
-- Policies of public.challenge_progress: read by the learner, their guardians
-- and the staff of the challenge's organization (while the learner is a student
-- there); written only by learnkit's XP functions.

create policy "Learners, guardians and its staff can read challenge progress"
  on public.challenge_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or ((select challenge.organization_id from public.daily_challenges as challenge
         where challenge.id = challenge_progress.challenge_id),
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ------------------------------------------------------------ supabase/policies/chat_messages.sql
-- Policies of public.chat_messages: learners post user messages to their own
-- chats (sender defaults to user and is not theirs to set); tutor and system
-- messages come from service_role. The learner and their guardians read;
-- staff do not (tutor chats belong to no organization).

create policy "Learners and their guardians can read chat messages"
  on public.chat_messages for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

create policy "Students can post in their own tutor chats"
  on public.chat_messages for insert to authenticated
  with check (
    sender = 'user'
    and chat_id in (select id from public.chat_sessions where user_id = (select private.uid())));

-- ------------------------------------------------------------ supabase/policies/chat_sessions.sql
-- Policies of public.chat_sessions: a learner owns their tutor conversations;
-- guardians read them. A tutor chat belongs to no organization (even when it
-- is about a course): staff do not read it.

create policy "Learners and their guardians can read tutor chats"
  on public.chat_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

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

-- ------------------------------------------------------------ supabase/policies/coding_attempts.sql
-- Policies of public.coding_attempts: learners submit code to tests they can
-- read; results and scores are the server's. Guardians read, and staff of the
-- test's (else question's) organization while the learner is a student there.

create policy "Learners, guardians and staff can read coding attempts"
  on public.coding_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when coding_attempts.test_id is not null
            then private.test_organization_id(coding_attempts.test_id)
          else private.question_organization_id(coding_attempts.question_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can submit code to tests they can read"
  on public.coding_attempts for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.tests where tests.id = coding_attempts.test_id));

create policy "Students can update their own open coding attempts"
  on public.coding_attempts for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/concept_prerequisites.sql
-- Policies of public.concept_prerequisites: an edge is visible when both of its
-- concepts are (the concepts policies decide); the staff of the dependent
-- concept's organization write edges.

create policy "Users can read prerequisites between concepts they can read"
  on public.concept_prerequisites for select to authenticated
  using (
    exists (select from public.concepts where concepts.id = concept_prerequisites.concept_id)
    and exists (select from public.concepts where concepts.id = concept_prerequisites.prerequisite_id));

create policy "Staff can add prerequisites to their organization's concepts"
  on public.concept_prerequisites for insert to authenticated
  with check (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

create policy "Staff can update prerequisites of their organization's concepts"
  on public.concept_prerequisites for update to authenticated
  using (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())))
  with check (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete prerequisites of their organization's concepts"
  on public.concept_prerequisites for delete to authenticated
  using (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

-- ------------------------------------------------------------ supabase/policies/concepts.sql
-- Policies of public.concepts: published concepts are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global concepts (no organization) are
-- written by service_role.

create policy "Users read published concepts, staff their drafts"
  on public.concepts for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create concepts for their organization"
  on public.concepts for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's concepts"
  on public.concepts for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's concepts"
  on public.concepts for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/content_examples.sql
-- Policies of public.content_examples: published content examples are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global content examples (no organization) are
-- written by service_role.

create policy "Users read published examples, staff their drafts"
  on public.content_examples for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create content examples for their organization"
  on public.content_examples for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's content examples"
  on public.content_examples for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's content examples"
  on public.content_examples for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/content_hooks.sql
-- Policies of public.content_hooks: published content hooks are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global content hooks (no organization) are
-- written by service_role.

create policy "Users read published hooks, staff their drafts"
  on public.content_hooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create content hooks for their organization"
  on public.content_hooks for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's content hooks"
  on public.content_hooks for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's content hooks"
  on public.content_hooks for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/courses.sql
-- Policies of public.courses: published courses are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global courses (no organization) are
-- written by service_role.

create policy "Users read published courses, staff their drafts"
  on public.courses for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create courses for their organization"
  on public.courses for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's courses"
  on public.courses for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's courses"
  on public.courses for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/daily_challenges.sql
-- Policies of public.daily_challenges: signed-in users read the global ones and
-- their organizations'; admins manage their organization's (within
-- public.platform_limits); global: service_role.

create policy "Signed-in users can read their daily challenges"
  on public.daily_challenges for select to authenticated
  using (organization_id is null or organization_id in (select private.member_org_ids()));

create policy "Admins can create daily challenges for their organization"
  on public.daily_challenges for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can update their organization's daily challenges"
  on public.daily_challenges for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can delete their organization's daily challenges"
  on public.daily_challenges for delete to authenticated
  using (organization_id in (select private.admin_org_ids()));

-- ------------------------------------------------------------ supabase/policies/enrollments.sql
-- Policies of public.enrollments: learners enroll themselves in courses they can
-- read and pause or drop them. An enrollment belongs to its course's
-- organization (organization_id, copied from the course by a trigger): that
-- organization's staff, while the learner is a student there, read it, enroll
-- them and change it; staff of the learner's other organizations do not.
-- Guardians read. Progress columns are written by triggers only (column
-- privileges).

create policy "Learners, guardians and staff can read enrollments"
  on public.enrollments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));

create policy "Students can enroll themselves and staff their students"
  on public.enrollments for insert to authenticated
  with check (
    (user_id = (select private.uid())
      and exists (select from public.courses where courses.id = enrollments.course_id))
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));

create policy "Students and their organizations' staff can update enrollments"
  on public.enrollments for update to authenticated
  using (
    user_id = (select private.uid())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair))
  with check (
    user_id = (select private.uid())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));

-- ------------------------------------------------------------ supabase/policies/error_logs.sql
-- Policies of public.error_logs: a signed-in client reports its own errors
-- and reads them back; everything else is service_role's.

create policy "Users can read the errors they reported"
  on public.error_logs for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can report their own errors"
  on public.error_logs for insert to authenticated
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/exercise_generations.sql
-- Policies of public.exercise_generations: exercises generated for a learner. Only the
-- server writes them; the solution and prompt columns are not granted to
-- authenticated at all (column privileges). The learner and guardians read them,
-- and staff of the concept's organization while the learner is a student there.

create policy "Learners, guardians and staff can read generated exercises"
  on public.exercise_generations for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(exercise_generations.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ------------------------------------------------------------ supabase/policies/feedback.sql
-- Policies of public.feedback: users give and read their own feedback; staff
-- read feedback on their organization's courses, lessons and tests while its
-- author is a member there. Feedback on nothing of an organization's (a tutor
-- message, say) is the author's alone.

create policy "Users can read their feedback, staff feedback on their content"
  on public.feedback for select to authenticated
  using (
    user_id = (select private.uid())
    or (case
          when feedback.course_id is not null
            then private.course_organization_id(feedback.course_id)
          when feedback.lesson_id is not null
            then private.lesson_organization_id(feedback.lesson_id)
          else private.test_organization_id(feedback.test_id)
        end,
        user_id) in (select pair.organization_id, pair.member_id from private.staff_member_pairs() as pair));

create policy "Users can give feedback"
  on public.feedback for insert to authenticated
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/gamification_settings.sql
-- Policies of public.gamification_settings: every signed-in user reads the
-- platform defaults; members read their organizations' rules; admins write them.

create policy "Users can read the default and their organizations' rules"
  on public.gamification_settings for select to authenticated
  using (
    organization_id is null
    or organization_id in (select private.member_org_ids()));

create policy "Admins can set their organizations' rules"
  on public.gamification_settings for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can change their organizations' rules"
  on public.gamification_settings for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can remove their organizations' rules"
  on public.gamification_settings for delete to authenticated
  using (organization_id in (select private.admin_org_ids()));

-- ------------------------------------------------------------ supabase/policies/guardian_actions.sql
-- Policies of public.guardian_actions: an append-only audit log of rows of no
-- organization. Guardians record their own actions on their own students;
-- only the acting guardian and the student read it (no staff, not even of a
-- vouching organization: issue 14, item 3); nobody updates or deletes.

create policy "Guardians and students can read guardian actions"
  on public.guardian_actions for select to authenticated
  using ((select private.uid()) in (guardian_id, student_id));

create policy "Guardians can record actions about their students"
  on public.guardian_actions for insert to authenticated
  with check (guardian_id = (select private.uid()) and private.is_guardian_of(student_id));

-- ------------------------------------------------------------ supabase/policies/guardianship_vouches.sql
-- Policies of public.guardianship_vouches: the guardian, the student and the
-- vouching organization's staff see a vouch; only that staff withdraw it (the
-- link lapses with its last vouch). Vouches are written by
-- public.accept_invitation, never directly.

create policy "Guardians, students and the vouching staff can read vouches"
  on public.guardianship_vouches for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can withdraw their organization's vouches"
  on public.guardianship_vouches for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/guardianships.sql
-- Policies of public.guardianships: the guardian, the student and the staff
-- of an organization vouching for the link (public.guardianship_vouches) see
-- it; nobody inserts one (the guardian accepts a guardian invitation and the
-- student confirms it, public.accept_invitation and
-- public.confirm_guardian_invitation) and staff end their organization's
-- vouch, not the link; the guardian may end their own link.

create policy "Guardians, students and vouching staff can read guardianships"
  on public.guardianships for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or (guardian_id, student_id) in (
      select v.guardian_id, v.student_id from public.guardianship_vouches as v
      where v.organization_id in (select private.staff_org_ids())));

create policy "Guardians can end their own guardianships"
  on public.guardianships for delete to authenticated
  using (guardian_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/hint_uses.sql
-- Policies of public.hint_uses: read by the learner, their guardians and the
-- staff of the question's organization (while the learner is a student there);
-- written only by use_hint().

create policy "Learners, guardians and the question's staff can read hint uses"
  on public.hint_uses for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or ((select question.organization_id from public.questions as question
         where question.id = hint_uses.question_id),
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ------------------------------------------------------------ supabase/policies/invitations.sql
-- Policies of public.invitations: the organization's admins and the issuer
-- read and revoke pending invitations; the student a guardian invitation
-- names, and the guardian who accepted it, read it (never the token's hash:
-- no column grant). Invitations are created and answered only through the
-- RPCs (public.create_invitation, public.create_guardian_invitation,
-- public.accept_invitation, public.decline_invitation, and for the student
-- public.confirm_guardian_invitation, public.decline_guardian_invitation).

create policy "Admins, issuers, student and guardian can read invitations"
  on public.invitations for select to authenticated
  using (
    invited_by = (select private.uid())
    or student_id = (select private.uid())
    or accepted_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

create policy "Admins and issuers can revoke their organizations' invitations"
  on public.invitations for delete to authenticated
  using (
    invited_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

-- ------------------------------------------------------------ supabase/policies/journey_summaries.sql
-- Policies of public.journey_summaries: a learner starts a journey choosing career
-- and companion; its metrics are the server's. A journey belongs to no
-- organization: the learner and their guardians read it, staff do not.

create policy "Learners and their guardians can read journey summaries"
  on public.journey_summaries for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

create policy "Students can start their own journeys"
  on public.journey_summaries for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can change their own journey's career and companion"
  on public.journey_summaries for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/league_groups.sql
-- Policies of public.league_groups: students read the groups they are in, staff
-- their organization's. Formed and closed only by close_league_week_v1.

create policy "Students and staff can read league groups"
  on public.league_groups for select to authenticated
  using (
    id in (select private.my_league_group_ids())
    or organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/league_members.sql
-- Policies of public.league_members: students read their own placements (the
-- group's standings come from get_my_league, by nickname); guardians and staff
-- read their students'.

create policy "Learners, guardians and staff can read league placements"
  on public.league_members for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/learning_events.sql
-- Policies of public.learning_events (select copied onto each monthly partition): learners read their own
-- activity, guardians their students', staff the activity recorded in their organizations by its current
-- members. Only the server writes (service role, server-side functions): no insert, update or delete policy.

create policy "Learners, guardians and staff can read learning events"
  on public.learning_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.member_id
                                      from private.staff_member_pairs() as pair)
  );

-- The first four months' partitions are made here, after the parent's policies, because each partition
-- copies its parent's select policies when private.create_monthly_partitions creates it; the
-- maintain-partitions job makes the months after.
select private.create_monthly_partitions('public.learning_events', current_date, 4);

-- ------------------------------------------------------------ supabase/policies/learning_paths.sql
-- Policies of public.learning_paths: a learner starts and steers their own paths;
-- guardians read them, and staff of the organization of the path's course
-- (else textbook) while the learner is a student there; metrics are server-owned.

create policy "Learners, guardians and staff can read learning paths"
  on public.learning_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when learning_paths.course_id is not null
            then private.course_organization_id(learning_paths.course_id)
          else private.textbook_organization_id(learning_paths.textbook_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start their own learning paths"
  on public.learning_paths for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning paths"
  on public.learning_paths for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/learning_sessions.sql
-- Policies of public.learning_sessions: a learner starts and updates their own
-- sessions; guardians read them, and staff of the session's organization (its
-- course's, else its lesson's, else its concept's) while the learner is a
-- student there. Scores, counters and ended_at are server-owned (column
-- privileges and a trigger).

create policy "Learners, guardians and staff can read learning sessions"
  on public.learning_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when learning_sessions.course_id is not null
            then private.course_organization_id(learning_sessions.course_id)
          when learning_sessions.lesson_id is not null
            then private.lesson_organization_id(learning_sessions.lesson_id)
          else private.concept_organization_id(learning_sessions.concept_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start their own learning sessions"
  on public.learning_sessions for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning sessions"
  on public.learning_sessions for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/lesson_notes.sql
-- Policies of public.lesson_notes: a note is visible with its lesson (the
-- lessons policies decide) and written by the staff of the lesson's organization.

create policy "Users can read the notes of lessons they can read"
  on public.lesson_notes for select to authenticated
  using (exists (select from public.lessons where lessons.id = lesson_notes.lesson_id));

create policy "Staff can add notes to their organization's lessons"
  on public.lesson_notes for insert to authenticated
  with check (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Staff can update notes of their organization's lessons"
  on public.lesson_notes for update to authenticated
  using (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())))
  with check (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete notes of their organization's lessons"
  on public.lesson_notes for delete to authenticated
  using (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

-- ------------------------------------------------------------ supabase/policies/lesson_progress.sql
-- Policies of public.lesson_progress: learners record their own progress in lessons
-- they can read; guardians read it, and staff of the lesson's organization
-- while the learner is a student there.

create policy "Learners, guardians and staff can read lesson progress"
  on public.lesson_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.lesson_organization_id(lesson_progress.lesson_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can record progress in lessons they can read"
  on public.lesson_progress for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.lessons where lessons.id = lesson_progress.lesson_id));

create policy "Students can update their own lesson progress"
  on public.lesson_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/lessons.sql
-- Policies of public.lessons: published lessons are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global lessons (no organization) are
-- written by service_role.

create policy "Users read published lessons, staff their drafts"
  on public.lessons for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create lessons for their organization"
  on public.lessons for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's lessons"
  on public.lessons for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's lessons"
  on public.lessons for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/media_assets.sql
-- Policies of public.media_assets: owners manage their uploads (a learner's
-- recordings are their activity: guardians read them); an upload registered
-- to an organization is that organization's: its staff read and manage it
-- (an upload of no organization is the owner's and their guardians');
-- published media of an organization is readable by its members, global
-- published media by everyone signed in.

create policy "Users can read published, own and supervised media"
  on public.media_assets for select to authenticated
  using (
    (is_published and organization_id is null)
    or owner_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or owner_id in (select private.guardian_student_ids())
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

-- ------------------------------------------------------------ supabase/policies/notifications.sql
-- Policies of public.notifications: each user reads, marks read and deletes
-- their own notifications; the server creates them.

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

-- ------------------------------------------------------------ supabase/policies/organization_members.sql
-- Policies of public.organization_members: you see your own memberships, staff
-- see their organizations' rosters, anyone may leave and admins remove
-- members. Nobody inserts a membership: it comes from an accepted invitation
-- (public.accept_invitation) or from founding the organization. Admins change
-- roles only among staff, so no role change puts anyone under staff authority
-- without their consent.

create policy "Users can read their own memberships and staff their rosters"
  on public.organization_members for select to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.staff_org_ids()));

create policy "Admins can change staff roles in their organizations"
  on public.organization_members for update to authenticated
  using (organization_id in (select private.admin_org_ids()) and role in ('admin', 'educator'))
  with check (organization_id in (select private.admin_org_ids()) and role in ('admin', 'educator'));

create policy "Users can leave organizations and admins remove members"
  on public.organization_members for delete to authenticated
  using (
    user_id = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

-- ------------------------------------------------------------ supabase/policies/organization_xp.sql
-- Policies of public.organization_xp: a learner reads their own, guardians
-- their children's, staff the rows of the organizations they staff for their
-- current students there. Written only by private.apply_xp_change.

create policy "Learners, guardians and their staff can read organization XP"
  on public.organization_xp for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pairs.organization_id, pairs.learner_id
                                      from private.staff_learner_pairs() as pairs));

-- ------------------------------------------------------------ supabase/policies/organizations.sql
-- Policies of public.organizations: members read their organizations, any
-- signed-in user may found one (becoming its admin), admins edit it. Billing
-- columns and deletion belong to service_role. A creator reads the
-- organization without a membership only in the transaction that created it
-- (insert ... returning runs before the trigger adds them as admin), so a
-- creator who left keeps no access.

create policy "Members and new creators can read organizations"
  on public.organizations for select to authenticated
  using (
    id in (select private.member_org_ids())
    or (created_by = (select private.uid()) and created_at = (select now())));

create policy "Signed-in users can create an organization they own"
  on public.organizations for insert to authenticated
  with check (created_by = (select private.uid()));

create policy "Admins can update their organizations"
  on public.organizations for update to authenticated
  using (id in (select private.admin_org_ids()))
  with check (id in (select private.admin_org_ids()));

-- ------------------------------------------------------------ supabase/policies/platform_limits.sql
-- Policies of public.platform_limits: every signed-in user reads the limits
-- (an admin's settings screen shows them); only service_role changes them
-- (no write privileges for authenticated).

create policy "Signed-in users can read the platform limits"
  on public.platform_limits for select to authenticated
  using (true);

-- ------------------------------------------------------------ supabase/policies/profiles.sql
-- Policies of public.profiles: yourself, your guardians and students, and the
-- people of your organizations as their roles allow. Rows are created by the
-- sign-up trigger and deleted with the auth user, so no insert/delete policy.

create policy "Users can read their own and their linked people's profiles"
  on public.profiles for select to authenticated
  using (
    id = (select private.uid())
    or id in (select private.linked_profile_ids()));

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using (id = (select private.uid()))
  with check (id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/progress_reports.sql
-- Policies of public.progress_reports: the student and their linked guardians
-- read a report's row (and so may fetch it); only the job writes.

create policy "Learners and guardians can read progress reports"
  on public.progress_reports for select to authenticated
  using (
    student_id = (select private.uid())
    or student_id in (select private.guardian_student_ids()));

-- ------------------------------------------------------------ supabase/policies/question_answer_keys.sql
-- Policies of public.question_answer_keys: only the staff of the question's
-- organization read and write its key. There is deliberately no policy a
-- student, guardian or anonymous user can match; global keys are service_role's.

create policy "Staff can read answer keys of their organization's questions"
  on public.question_answer_keys for select to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can add answer keys to their organization's questions"
  on public.question_answer_keys for insert to authenticated
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can update answer keys of their organization's questions"
  on public.question_answer_keys for update to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete answer keys of their organization's questions"
  on public.question_answer_keys for delete to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

-- ------------------------------------------------------------ supabase/policies/question_explanations.sql
-- Policies of public.question_explanations: the staff of the question's organization
-- read and write its explanation; a learner reads it only once they answered the
-- question, and only while they may read the question (its own policies:
-- leaving the organization or a withdrawal to draft ends it). Global
-- questions' explanations are service_role's to write.

create policy "Learners who answered and staff can read explanations"
  on public.question_explanations for select to authenticated
  using (
    question_id in (
      select a.question_id
      from public.answer_attempts as a
      inner join public.questions as q on a.question_id = q.id
      where a.user_id = (select private.uid()))
    or question_id in (
      select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can add explanations to their organization's questions"
  on public.question_explanations for insert to authenticated
  with check (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can update explanations of their organization's questions"
  on public.question_explanations for update to authenticated
  using (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can delete explanations of their organization's questions"
  on public.question_explanations for delete to authenticated
  using (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

-- ------------------------------------------------------------ supabase/policies/question_hints.sql
-- Policies of public.question_hints: only the staff of the question's
-- organization read and write its hint. There is deliberately no policy a
-- student, guardian or anonymous user can match (they pay for hints through
-- public.use_hint()); global questions' hints are service_role's.

create policy "Staff can read hints of their organization's questions"
  on public.question_hints for select to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can add hints to their organization's questions"
  on public.question_hints for insert to authenticated
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can update hints of their organization's questions"
  on public.question_hints for update to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete hints of their organization's questions"
  on public.question_hints for delete to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

-- ------------------------------------------------------------ supabase/policies/question_progress.sql
-- Policies of public.question_progress: server-owned per-question progress. The
-- learner and their guardians read it, and staff of the question's organization
-- while the learner is a student there; only the attempt trigger (security
-- definer) and service_role write it.

create policy "Learners, guardians and staff can read question progress"
  on public.question_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.question_organization_id(question_progress.question_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ------------------------------------------------------------ supabase/policies/questions.sql
-- Policies of public.questions: published questions are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global questions (no organization) are
-- written by service_role.

create policy "Users read published questions, staff their drafts"
  on public.questions for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create questions for their organization"
  on public.questions for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's questions"
  on public.questions for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's questions"
  on public.questions for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/remediation_paths.sql
-- Policies of public.remediation_paths: server-created remediation. The learner,
-- their guardians read it, and staff of the concept's organization while the
-- learner is a student there; only service_role writes.

create policy "Learners, guardians and staff can read remediation paths"
  on public.remediation_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(remediation_paths.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ------------------------------------------------------------ supabase/policies/skill_progress.sql
-- Policies of public.skill_progress: per-skill progress. Learners record what
-- they viewed; status, scores and mastery are server-owned. Guardians read it,
-- and staff of the concept's organization while the learner is a student there.

create policy "Learners, guardians and staff can read skill progress"
  on public.skill_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(skill_progress.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start tracking their own skills"
  on public.skill_progress for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update what they viewed of their own skills"
  on public.skill_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/storage_objects.sql
-- Policies of storage.objects that learnkit adds: the progress-reports bucket's PDFs are read through the
-- Storage API (signed URLs) by the same people who read their public.progress_reports rows: the student
-- and the student's guardians. storage.objects itself belongs to Supabase Storage; learnkit adds only
-- these policies and never writes the table's other settings.

create policy "Students and their guardians can read progress report files"
  on storage.objects for select to authenticated
  using (
    bucket_id = 'progress-reports'
    and (storage.foldername(name))[1] in (
      select (select auth.uid())::text
      union all
      select guardian_student::text from private.guardian_student_ids() as guardian_student)
  );

-- ------------------------------------------------------------ supabase/policies/streak_freezes.sql
-- Policies of public.streak_freezes: read by the learner and their guardians
-- (a streak spans every organization); bought only through buy_streak_freeze().

create policy "Learners and guardians can read streak freezes"
  on public.streak_freezes for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ------------------------------------------------------------ supabase/policies/subjects.sql
-- Policies of public.subjects: the global taxonomy, readable by every signed-in
-- user; only service_role writes it.

create policy "Signed-in users can read subjects"
  on public.subjects for select to authenticated
  using (true);

-- ------------------------------------------------------------ supabase/policies/tests.sql
-- Policies of public.tests: published tests are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global tests (no organization) are
-- written by service_role.

create policy "Users read published tests, staff their drafts"
  on public.tests for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create tests for their organization"
  on public.tests for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's tests"
  on public.tests for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's tests"
  on public.tests for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/textbooks.sql
-- Policies of public.textbooks: published textbooks are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global textbooks (no organization) are
-- written by service_role.

create policy "Users read published textbooks, staff their drafts"
  on public.textbooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create textbooks for their organization"
  on public.textbooks for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's textbooks"
  on public.textbooks for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's textbooks"
  on public.textbooks for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- ------------------------------------------------------------ supabase/policies/time_zone_names.sql
-- Policies of private.time_zone_names: the IANA names a profile's time zone is
-- checked against; any signed-in user may read them.

create policy "Signed-in users can read time zone names"
  on private.time_zone_names for select to authenticated
  using (true);

-- ------------------------------------------------------------ supabase/policies/user_achievements.sql
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

-- ------------------------------------------------------------ supabase/policies/user_settings.sql
-- Policies of public.user_settings: a user's own preferences, nobody else's.

create policy "Users can read their own settings"
  on public.user_settings for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can update their own settings"
  on public.user_settings for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

-- ------------------------------------------------------------ supabase/policies/xp_activity_days.sql
-- Policies of public.xp_activity_days: read by the learner and their guardians
-- (days span every organization); written only by learnkit's XP functions.

create policy "Learners and guardians can read activity days"
  on public.xp_activity_days for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ------------------------------------------------------------ supabase/policies/xp_profiles.sql
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

-- ------------------------------------------------------------ supabase/policies/xp_transactions.sql
-- Policies of public.xp_transactions: the learner and their guardians read the
-- ledger; staff read the rows earned in the organization they staff, while the
-- learner is a student there. There is no insert, update or delete
-- policy: only private.increment_xp (security definer) writes it.

create policy "Learners, guardians and their staff can read XP transactions"
  on public.xp_transactions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));
