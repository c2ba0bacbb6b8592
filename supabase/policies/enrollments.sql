-- Policies of public.enrollments: learners enroll themselves in courses they can
-- read and pause or drop them; staff enroll their students. Guardians and staff
-- read. Progress columns are written by triggers only (column privileges).

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
