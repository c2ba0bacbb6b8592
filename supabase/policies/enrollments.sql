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
