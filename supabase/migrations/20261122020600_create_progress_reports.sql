-- create progress reports
--
-- Pathfinity's journey-summary PDFs for parents, as a weekly progress report
-- per student: public.progress_reports records each PDF the
-- build-progress-reports job wrote, at `{student_id}/{period}/summary.pdf` in
-- the reports bucket (Storage) or a local directory. Only the student and
-- their linked guardians may fetch one: they read the row through RLS, and
-- public.progress_report_location() is how a client (or the server signing a
-- time-limited URL for it) learns where the file is. On Storage, a policy on
-- storage.objects gives the same people read access to the same objects, so
-- the Storage API signs URLs for them and nobody else.

-- ---------------------------------------------------------------- table
create table public.progress_reports (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.profiles (id) on delete cascade,
  period text not null check (period ~ '^[0-9]{4}-W[0-9]{2}$'),
  period_start date not null,
  period_end date not null check (period_end = period_start + 6),
  object_path text not null check (object_path = student_id::text || '/' || period || '/summary.pdf'),
  target text not null check (target in ('local', 'storage')),
  location text not null check (char_length(location) between 1 and 1000),
  byte_size integer not null check (byte_size > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  generated_at timestamptz not null,
  unique (student_id, period)
);

alter table public.progress_reports enable row level security;
comment on table public.progress_reports is
  'Weekly PDF progress reports (ISO week `period`), one per student, for the student and their guardians. '
  'Written by the build-progress-reports job only.';
comment on column public.progress_reports.location is
  'The Storage bucket (target storage) or the local directory (target local) object_path is relative to.';

revoke all on table public.progress_reports from anon, authenticated;
grant select on table public.progress_reports to authenticated;
grant all on table public.progress_reports to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/progress_reports.sql
create policy "Students can read their own progress reports"
  on public.progress_reports for select to authenticated
  using (student_id = (select auth.uid()));

create policy "Guardians can read their students' progress reports"
  on public.progress_reports for select to authenticated
  using (student_id in (select private.guardian_student_ids()));

-- The reports bucket: the same people read the same PDFs through the Storage API (signed URLs).
-- Not in a policy file: storage.objects belongs to Supabase Storage, not to learnkit.
create policy "Students and their guardians can read progress report files"
  on storage.objects for select to authenticated
  using (
    bucket_id = 'progress-reports'
    and (storage.foldername(name))[1] in (
      select (select auth.uid())::text
      union all
      select guardian_student::text from private.guardian_student_ids() as guardian_student)
  );

-- ---------------------------------------------------------------- fetch
create function public.progress_report_location(student uuid, period text)
returns table (object_path text, target text, location text, period_start date, period_end date,
               generated_at timestamptz)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  -- Row level security decides: the student and their linked guardians see the row, nobody else does.
  return query
    select r.object_path, r.target, r.location, r.period_start, r.period_end, r.generated_at
    from public.progress_reports r
    where r.student_id = progress_report_location.student and r.period = progress_report_location.period;
  if not found then
    raise exception using
      errcode = '42501',
      message = format('no progress report of student %s for %s that you may fetch', student, period),
      hint = 'Only the student and their linked guardians can fetch a report, once the weekly job wrote it.';
  end if;
end
$$;
comment on function public.progress_report_location(uuid, text) is
  'Where the weekly progress report of `student` for ISO week `period` (e.g. 2026-W47) is, if the caller is '
  'the student or a linked guardian; raises 42501 otherwise (and when there is no such report).';
revoke execute on function public.progress_report_location(uuid, text) from public;
grant execute on function public.progress_report_location(uuid, text) to authenticated, service_role;
