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
