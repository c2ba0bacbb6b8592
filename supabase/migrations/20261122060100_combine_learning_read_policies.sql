-- combine learning read policies
--
-- The learner-record tables (enrollments, progress, paths, assessments, coding
-- attempts, journeys, generated exercises, AI usage, progress reports) had one
-- permissive select policy per persona for authenticated. PostgreSQL ORs
-- permissive policies in reverse order of their names, so "Staff can read
-- their students' …" ran before "Guardians can read …" and even before the
-- learner's own test, and every guardian read paid for
-- private.staff_student_ids() first. `learnkit db advise` reports it as
-- multiple_permissive_policies.
--
-- Each table now has one select policy in the order of who reads most, as in
-- 20261122040100: the learner (auth.uid() alone, no helper), then guardians,
-- then staff. feedback: the user's own rows, then staff's two sub-selects.
-- Every expression is exactly the OR of the policies it replaces, so who can
-- read what is unchanged; the policy matrix checks it.

-- ---------------------------------------------------------------- enrollments
drop policy "Students can read their own enrollments" on public.enrollments;
drop policy "Guardians can read their students' enrollments" on public.enrollments;
drop policy "Staff can read their students' enrollments" on public.enrollments;

create policy "Learners, guardians and staff can read enrollments"
  on public.enrollments for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- lesson_progress
drop policy "Students can read their own lesson progress" on public.lesson_progress;
drop policy "Guardians can read their students' lesson progress" on public.lesson_progress;
drop policy "Staff can read their students' lesson progress" on public.lesson_progress;

create policy "Learners, guardians and staff can read lesson progress"
  on public.lesson_progress for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- skill_progress
drop policy "Students can read their own skill progress" on public.skill_progress;
drop policy "Guardians can read their students' skill progress" on public.skill_progress;
drop policy "Staff can read their students' skill progress" on public.skill_progress;

create policy "Learners, guardians and staff can read skill progress"
  on public.skill_progress for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- learning_paths
drop policy "Students can read their own learning paths" on public.learning_paths;
drop policy "Guardians can read their students' learning paths" on public.learning_paths;
drop policy "Staff can read their students' learning paths" on public.learning_paths;

create policy "Learners, guardians and staff can read learning paths"
  on public.learning_paths for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- remediation_paths
drop policy "Students can read their own remediation paths" on public.remediation_paths;
drop policy "Guardians can read their students' remediation paths" on public.remediation_paths;
drop policy "Staff can read their students' remediation paths" on public.remediation_paths;

create policy "Learners, guardians and staff can read remediation paths"
  on public.remediation_paths for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- assessments
drop policy "Students can read their own assessments" on public.assessments;
drop policy "Guardians can read their students' assessments" on public.assessments;
drop policy "Staff can read their students' assessments" on public.assessments;

create policy "Learners, guardians and staff can read assessments"
  on public.assessments for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- coding_attempts
drop policy "Students can read their own coding attempts" on public.coding_attempts;
drop policy "Guardians can read their students' coding attempts" on public.coding_attempts;
drop policy "Staff can read their students' coding attempts" on public.coding_attempts;

create policy "Learners, guardians and staff can read coding attempts"
  on public.coding_attempts for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- journey_summaries
drop policy "Students can read their own journey summaries" on public.journey_summaries;
drop policy "Guardians can read their students' journey summaries" on public.journey_summaries;
drop policy "Staff can read their students' journey summaries" on public.journey_summaries;

create policy "Learners, guardians and staff can read journey summaries"
  on public.journey_summaries for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- exercise_generations
drop policy "Students can read their own generated exercises" on public.exercise_generations;
drop policy "Guardians can read their students' generated exercises" on public.exercise_generations;
drop policy "Staff can read their students' generated exercises" on public.exercise_generations;

create policy "Learners, guardians and staff can read generated exercises"
  on public.exercise_generations for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- ai_usage
drop policy "Students can read their own AI usage" on public.ai_usage;
drop policy "Guardians can read their students' AI usage" on public.ai_usage;
drop policy "Staff can read their students' AI usage" on public.ai_usage;

create policy "Learners, guardians and staff can read AI usage"
  on public.ai_usage for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- progress_reports
drop policy "Students can read their own progress reports" on public.progress_reports;
drop policy "Guardians can read their students' progress reports" on public.progress_reports;

create policy "Learners and guardians can read progress reports"
  on public.progress_reports for select to authenticated
  using (
    student_id = (select auth.uid())
    or student_id in (select private.guardian_student_ids()));

-- ---------------------------------------------------------------- feedback
drop policy "Users can read their own feedback" on public.feedback;
drop policy "Staff can read feedback on their organization's courses" on public.feedback;
drop policy "Staff can read feedback on their organization's lessons" on public.feedback;

create policy "Users can read their feedback, staff feedback on their content"
  on public.feedback for select to authenticated
  using (
    user_id = (select auth.uid())
    or course_id in (select id from public.courses where organization_id in (select private.staff_org_ids()))
    or lesson_id in (select id from public.lessons where organization_id in (select private.staff_org_ids())));
