-- Weekly progress reports: only the student and their linked guardians see a report's row, fetch its
-- location (public.progress_report_location) or read its Storage object; nobody but the server writes.
begin;
create extension if not exists pgtap with schema extensions;
select plan(12);

select tests.create_supabase_user('report_student');
select tests.create_supabase_user('report_guardian');
select tests.create_supabase_user('report_stranger');
insert into public.guardianships (guardian_id, student_id)
values (tests.get_supabase_uid('report_guardian'), tests.get_supabase_uid('report_student'));
insert into public.progress_reports (student_id, period, period_start, period_end, object_path, target, location,
                                     byte_size, sha256, generated_at)
values (tests.get_supabase_uid('report_student'), '2026-W47', '2026-11-16', '2026-11-22',
        tests.get_supabase_uid('report_student')::text || '/2026-W47/summary.pdf', 'storage', 'progress-reports',
        1234, repeat('a', 64), '2026-11-23 06:00+00');
insert into storage.buckets (id, name) values ('progress-reports', 'progress-reports') on conflict do nothing;
insert into storage.objects (bucket_id, name)
values ('progress-reports', tests.get_supabase_uid('report_student')::text || '/2026-W47/summary.pdf');

select tests.rls_enabled('public', 'progress_reports');

select tests.authenticate_as('report_student');
select is((select count(*) from public.progress_reports), 1::bigint, 'the student sees their report');
select is((select target from public.progress_report_location(tests.get_supabase_uid('report_student'), '2026-W47')),
          'storage', 'the student may fetch it');

select tests.authenticate_as('report_guardian');
select is((select count(*) from public.progress_reports), 1::bigint, 'a linked guardian sees it');
select is((select object_path from public.progress_report_location(tests.get_supabase_uid('report_student'),
                                                                   '2026-W47')),
          tests.get_supabase_uid('report_student')::text || '/2026-W47/summary.pdf', 'a linked guardian may fetch it');
select is((select count(*) from storage.objects where bucket_id = 'progress-reports'), 1::bigint,
          'a linked guardian can read the Storage object (so Storage signs a URL)');

select tests.authenticate_as('report_stranger');
select is((select count(*) from public.progress_reports), 0::bigint, 'an unlinked user sees no report');
select throws_ok(
  format('select * from public.progress_report_location(%L, %L)', tests.get_supabase_uid('report_student'), '2026-W47'),
  '42501', null, 'an unlinked user may not fetch it');
select is((select count(*) from storage.objects where bucket_id = 'progress-reports'), 0::bigint,
          'an unlinked user cannot read the Storage object');
select throws_ok(
  format($$insert into public.progress_reports (student_id, period, period_start, period_end, object_path, target,
           location, byte_size, sha256, generated_at) values (%L, '2026-W48', '2026-11-23', '2026-11-29',
           %L, 'local', '/tmp', 1, repeat('b', 64), now())$$,
         tests.get_supabase_uid('report_stranger'),
         tests.get_supabase_uid('report_stranger')::text || '/2026-W48/summary.pdf'),
  '42501', null, 'nobody but the server records a report');

select tests.authenticate_as('report_student');
select throws_ok(
  $$update public.progress_reports set location = '/elsewhere'$$, '42501', null,
  'a student cannot move their report');

select tests.authenticate_as_anon();
select throws_ok(
  format('select * from public.progress_report_location(%L, %L)', tests.get_supabase_uid('report_student'), '2026-W47'),
  '42501', null, 'anon may not fetch a report');

select * from finish();
rollback;
