-- bench/xp_award.py: one organization of learners, each with an active session,
-- and published math facts with their hidden keys. Ids are md5-derived so the
-- pgbench script computes them without lookups (bench/pgbench/submit_answer.sql).

-- name: setup
insert into public.organizations (id, name, slug, kind, max_students)
values (md5('bench-org')::uuid, 'Bench School', 'bench', 'school', 100000);
-- The default rules, but no cap in the way: the hammered learner earns 6,400 XP in seconds. The platform's
-- operator raises the platform limits that bound every organization's rules first.
update public.platform_limits set max_daily_xp_cap = 1000000, max_rate_limit_awards = 1000;
insert into public.gamification_settings (organization_id, rate_limit_awards, daily_xp_cap)
values (md5('bench-org')::uuid, 1000, 1000000);
insert into auth.users (id, email, raw_user_meta_data)
select md5('student' || i)::uuid, 'bench' || i || '@bench.learnkit.dev', jsonb_build_object('nickname', 'learner' || i)
from generate_series(1, %(students)s) i;
insert into public.organization_members (organization_id, user_id, role)
select md5('bench-org')::uuid, md5('student' || i)::uuid, 'student' from generate_series(1, %(students)s) i;
insert into public.learning_sessions (id, user_id, session_type, container)
select md5('session' || i)::uuid, md5('student' || i)::uuid, 'container', 'learn'
from generate_series(1, %(students)s) i;
insert into public.questions (id, organization_id, question_type, operand1, operand2, operation, is_published)
select md5('question' || i)::uuid, md5('bench-org')::uuid, 'math_fact', i, i + 1, '+', true
from generate_series(1, %(questions)s) i;
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
select id, to_jsonb(operand1 + operand2), operand1 + operand2 from public.questions;
analyze;

-- name: paid_first_tries
-- Submissions of the throughput runs and how many were paid first tries.
select count(*) as submissions, count(*) filter (where award_rule = 'correct_first_try') as paid_first_tries
from public.answer_attempts where idempotency_key like 'bench:%%';

-- name: submit
select public.submit_answer(%(session)s, %(question)s, to_jsonb(%(answer)s), 900, %(key)s) as result;

-- name: ledger_check
-- The hammered learner: balance, lifetime XP and the ledger must agree.
select s.xp, s.lifetime_xp,
       (select sum(delta) from public.xp_transactions t where t.user_id = s.user_id) as ledger_sum,
       (select count(*) from public.xp_transactions t where t.user_id = s.user_id
          and t.idempotency_key like 'attempt:%%') as answer_awards,
       (select sum(amount) from public.xp_transactions t where t.user_id = s.user_id
          and t.idempotency_key like 'attempt:%%') as answer_xp
from public.xp_profiles s where s.user_id = %(user)s;

-- name: naive_peer
-- The peer a seed app would write (issue 16): an increment_xp RPC that only adds to a balance under RLS, no
-- grading, no ledger, no rules. Bench-only: it lives in schema bench_naive, never in learnkit's schema.
create schema bench_naive;
grant usage on schema bench_naive to authenticated;
create table bench_naive.xp (user_id uuid primary key, xp integer not null default 0);
alter table bench_naive.xp enable row level security;
create policy "Learners can update their own XP" on bench_naive.xp for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "Learners can read their own XP" on bench_naive.xp for select to authenticated
  using (user_id = (select auth.uid()));
grant select, update on bench_naive.xp to authenticated;
insert into bench_naive.xp (user_id) select id from auth.users;
create function bench_naive.increment_xp(amount integer) returns integer
language sql security invoker set search_path = ''
as $$ update bench_naive.xp set xp = xp + amount where user_id = (select auth.uid()) returning xp $$;
grant execute on function bench_naive.increment_xp(integer) to authenticated;
analyze bench_naive.xp

-- name: visible
-- The probe's answer is applied: its progress, its organization's XP count and its rank count caught up.
select exists (select from public.question_progress qp
               where qp.user_id = %(user)s and qp.question_id = %(question)s)
       and not exists (select from private.award_outbox o where o.attempt_id = %(attempt)s)
       and exists (select from private.leaderboard_entries e
                   where e.user_id = %(user)s and e.counted_xp = e.lifetime_xp)
       and exists (select from public.organization_xp o join private.leaderboard_entries e using (user_id, organization_id)
                   where o.user_id = %(user)s and o.lifetime_xp = e.lifetime_xp) as visible;

-- name: queued_answers
select count(*) filter (where attempt_id is not null) as answers from private.award_outbox;

-- name: process_batch
select private.process_awards(1000) as applied;
