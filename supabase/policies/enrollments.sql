-- Policies of public.enrollments: learners enroll themselves in courses they can
-- read and pause or drop them; staff enroll their students. Guardians and staff
-- read. Progress columns are written by triggers only (column privileges).

create policy "Students can read their own enrollments"
  on public.enrollments for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' enrollments"
  on public.enrollments for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' enrollments"
  on public.enrollments for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can enroll themselves in courses they can read"
  on public.enrollments for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select from public.courses where courses.id = enrollments.course_id));

create policy "Staff can enroll their students in their organization's courses"
  on public.enrollments for insert to authenticated
  with check (
    user_id in (select private.staff_student_ids())
    and course_id in (select id from public.courses where organization_id in (select private.staff_org_ids())));

create policy "Students can update their own enrollments"
  on public.enrollments for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Staff can update their students' enrollments"
  on public.enrollments for update to authenticated
  using (user_id in (select private.staff_student_ids()))
  with check (user_id in (select private.staff_student_ids()));
