-- Policies of public.remediation_paths: server-created remediation. The learner,
-- their guardians and staff read it; only service_role writes.

create policy "Students can read their own remediation paths"
  on public.remediation_paths for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' remediation paths"
  on public.remediation_paths for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' remediation paths"
  on public.remediation_paths for select to authenticated
  using (user_id in (select private.staff_student_ids()));
