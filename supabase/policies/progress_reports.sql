-- Policies of public.progress_reports: the student and their linked guardians
-- read a report's row (and so may fetch it); only the job writes.

create policy "Students can read their own progress reports"
  on public.progress_reports for select to authenticated
  using (student_id = (select auth.uid()));

create policy "Guardians can read their students' progress reports"
  on public.progress_reports for select to authenticated
  using (student_id in (select private.guardian_student_ids()));
