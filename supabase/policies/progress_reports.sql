-- Policies of public.progress_reports: the student and their linked guardians
-- read a report's row (and so may fetch it); only the job writes.

create policy "Learners and guardians can read progress reports"
  on public.progress_reports for select to authenticated
  using (
    student_id = (select private.uid())
    or student_id in (select private.guardian_student_ids()));
