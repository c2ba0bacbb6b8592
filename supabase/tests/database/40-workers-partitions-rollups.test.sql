-- Issue 5's database side: monthly partitions are created idempotently with
-- RLS and the parent's read policies; the dashboard views over the rollups show
-- each caller only the rows the rollups' policies allow; the workers' own
-- tables (runs, streak queue, rollup watermark) are not readable through the API.
begin;
create extension if not exists pgtap with schema extensions;
select plan(24);

-- ---------------------------------------------------------------- partitions
select is(private.create_monthly_partitions('public.analytics_events', date '2031-01-17', 3), 3,
          'the next 3 months of analytics_events are created (the day of the month does not matter)');
select is(private.create_monthly_partitions('public.analytics_events', date '2031-01-01', 3), 0,
          'a second call creates nothing');
select is(private.create_monthly_partitions('public.analytics_events', date '2031-02-01', 3), 1,
          'an overlapping call creates only the month that is missing');
select is(array(select c.relname::text from pg_catalog.pg_inherits as i
                join pg_catalog.pg_class as c on c.oid = i.inhrelid
                where i.inhparent = 'public.analytics_events'::regclass and c.relname like '%y2031%'
                order by c.relname),
          array['analytics_events_y2031m01', 'analytics_events_y2031m02', 'analytics_events_y2031m03',
                'analytics_events_y2031m04'],
          'one partition per month, named by month');
select is(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
          $$FOR VALUES FROM ('2031-02-01 00:00:00+00') TO ('2031-03-01 00:00:00+00')$$,
          'a partition covers one UTC month')
from pg_catalog.pg_class as c where c.oid = 'public.analytics_events_y2031m02'::regclass;
select tests.rls_enabled('public', 'analytics_events_y2031m01');
select
    is(
        (
            select count(*)::integer
            from pg_catalog.pg_policy
            where polrelid = 'public.analytics_events_y2031m01'::regclass
        ),
          (select count(*)::integer from pg_catalog.pg_policy
           where polrelid = 'public.analytics_events'::regclass and polcmd = 'r'),
          'the partition has the parent''s read policies');
select ok(not has_table_privilege('authenticated', 'public.analytics_events_y2031m01', 'insert'),
          'a partition cannot be written directly by a signed-in user');
select is(private.create_monthly_partitions('public.learning_events', date '2031-01-01', 2), 2,
          'learning_events gets its partitions the same way');
select throws_ok($$select private.create_monthly_partitions('public.learning_events', date '2031-01-01', 0)$$,
                 '22023', 'months must be between 1 and 120, not 0', 'a month count out of range is refused');
select throws_ok($$select private.create_monthly_partitions('public.profiles', date '2031-01-01', 1)$$,
                 '42809', 'public.profiles is not a partitioned table', 'a table that is not partitioned is refused');

-- ---------------------------------------------------------------- rollup views
-- The matrix's world: see tests.create_matrix_world() in 000-setup-tests-hooks.test.sql. Rollup rows are
-- written as the owner (as analytics.refresh_rollups does) for the student (organization A) and the
-- other organization's student.
select tests.create_matrix_world();
insert into analytics.user_mode_daily (user_id, day, mode, events, sessions, active_seconds, answers, correct_answers)
select tests.get_supabase_uid(persona), date '2026-11-20', 'practice', 4, 1, 600, 4, 3
from unnest(array['student', 'other_student']) as persona;
insert into analytics.user_daily (user_id, day, events, sessions, active_seconds, questions_answered, correct_answers,
                                 daily_goal_minutes)
select tests.get_supabase_uid(persona), date '2026-11-20', 4, 1, 600, 4, 3, 10
from unnest(array['student', 'other_student']) as persona;

select tests.authenticate_as('student');
select results_eq($$select user_id from public.practice_metrics_daily$$,
                  array[tests.get_supabase_uid('student')], 'a student sees their own practice metrics only');
select results_eq($$select user_id from public.daily_practice_summaries$$,
                  array[tests.get_supabase_uid('student')], 'a student sees their own daily summaries only');

select tests.authenticate_as('classmate');
select is_empty($$select * from public.practice_metrics_daily$$, 'a classmate sees no one''s practice metrics');
select is_empty($$select * from public.engagement_analytics$$, 'a classmate sees no one''s engagement');

select tests.authenticate_as('guardian');
select results_eq($$select user_id from public.daily_practice_summaries$$,
                  array[tests.get_supabase_uid('student')], 'a guardian sees their student''s summaries');

-- A day's rollup sums a learner's activity in all their organizations: it belongs to none, so staff
-- read none of it, their own organization's students' included (issue 14).
select tests.authenticate_as('educator');
select is_empty($$select user_id from public.learning_analytics$$,
                'an educator reads no rollup, not even of their organization''s student');

select tests.authenticate_as('other_educator');
select is_empty($$select user_id from public.practice_metrics_daily$$,
                'the other organization''s educator reads no rollup either');
select is_empty($$select user_id from analytics.user_daily$$,
                'reading the rollup table directly is filtered the same way (its policies)');

select tests.authenticate_as_anon();
select throws_ok($$select * from public.practice_metrics_daily$$, '42501', null, 'anon cannot read the rollup views');

-- ---------------------------------------------------------------- worker tables
select tests.authenticate_as('admin');
select throws_ok($$select * from private.worker_runs$$, '42501', null,
                 'a signed-in user (even an admin) cannot read the worker runs');
select throws_ok($$select * from private.streak_recompute_queue$$, '42501', null,
                 'nor the streak recompute queue');
select throws_ok($$select * from analytics.rollup_watermarks$$, '42501', null, 'nor the rollup watermark');
select throws_ok($$select private.recompute_streaks()$$, '42501', null, 'nor run a job''s function');

select * from finish();
rollback;
