-- create xp ledger
--
-- xp_transactions, Pathfinity's XP transaction history made an append-only
-- ledger: every change of a learner's XP is one row (earned or spent, category,
-- reason, amount, balance after, source, idempotency key unique per user,
-- server timestamp, the learner's local day). Nobody updates or deletes a row,
-- not even service_role: corrections are compensating entries. Rows go with
-- their learner when the account is deleted.
--
-- xp_activity_days: one row per learner and local day with XP, the input of
-- streaks (days with learning XP) and of today's leaderboards; the batch
-- recompute-streaks job reads it (docs/gamification.md states the rule).

-- ---------------------------------------------------------------- xp_transactions
create table public.xp_transactions (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid,
  kind text not null check (kind in ('earned', 'spent')),
  category text not null check (category in ('learning', 'hint', 'achievement', 'streak', 'bonus', 'challenge')),
  amount integer not null check (amount > 0),
  delta integer generated always as (case when kind = 'earned' then amount else -amount end) stored,
  reason text not null check (char_length(reason) between 1 and 200),
  balance_after bigint not null check (balance_after >= 0),
  lifetime_xp_after bigint not null check (lifetime_xp_after >= 0),
  level_after integer not null,
  local_day date not null,
  source_table text check (char_length(source_table) <= 63),
  source_id text check (char_length(source_id) <= 200),
  idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
  created_at timestamptz not null default now(),
  constraint xp_transactions_idempotency_key_unique unique (user_id, idempotency_key)
);
create index xp_transactions_user_id_idx on public.xp_transactions (user_id, created_at desc);

alter table public.xp_transactions enable row level security;
comment on table public.xp_transactions is
  'Append-only XP ledger: one row per change of a learner''s XP, written only by private.increment_xp. '
  'Sum of delta = xp_profiles.xp; sum of earned amounts = lifetime_xp.';
comment on column public.xp_transactions.organization_id is
  'Organization the award happened in (rules applied); not a foreign key so the ledger outlives it.';
comment on column public.xp_transactions.local_day is 'The learner''s local date when the row was written.';
comment on column public.xp_transactions.idempotency_key is
  'Unique per learner: a replayed key returns the first result and changes nothing.';

revoke all on table public.xp_transactions from anon, authenticated;
grant select on table public.xp_transactions to authenticated;
grant select on table public.xp_transactions to service_role;

-- Deleting is allowed only as part of deleting the learner's profile.
create function private.trigger_keep_ledger_append_only() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and not exists (select from public.profiles where id = old.user_id) then
    return old;
  end if;
  raise exception using
    errcode = '42501',
    message = format('%s rows are append-only: %s is not allowed', tg_table_name, lower(tg_op)),
    hint = 'Correct a mistake with a compensating entry (private.increment_xp with the opposite delta).';
end
$$;
comment on function private.trigger_keep_ledger_append_only() is
  'Refuses updates and deletes on ledger tables, except the cascade from deleting a profile.';

create trigger xp_transactions_append_only before update or delete on public.xp_transactions
  for each row execute function private.trigger_keep_ledger_append_only();

-- ---------------------------------------------------------------- xp_activity_days
create table public.xp_activity_days (
  user_id uuid not null references public.profiles (id) on delete cascade,
  local_day date not null,
  time_zone text not null,
  earned_xp integer not null default 0 check (earned_xp >= 0),
  learning_xp integer not null default 0 check (learning_xp >= 0),
  spent_xp integer not null default 0 check (spent_xp >= 0),
  correct_answers integer not null default 0 check (correct_answers >= 0),
  fast_answers integer not null default 0 check (fast_answers >= 0),
  lessons_completed integer not null default 0 check (lessons_completed >= 0),
  perfect_scores integer not null default 0 check (perfect_scores >= 0),
  hints_used integer not null default 0 check (hints_used >= 0),
  first_activity_at timestamptz,
  is_activity_day boolean generated always as (learning_xp > 0) stored,
  primary key (user_id, local_day)
);

alter table public.xp_activity_days enable row level security;
comment on table public.xp_activity_days is
  'Per learner and local day: XP earned (learning XP separately), spent, answers, lessons and hints. '
  'A day with learning XP is an activity day: the daily streak counts them. Server-owned.';
comment on column public.xp_activity_days.first_activity_at is 'When the first learning XP of the day was earned.';
comment on column public.xp_activity_days.time_zone is 'The learner''s time zone when the day was first recorded.';

revoke all on table public.xp_activity_days from anon, authenticated;
grant select on table public.xp_activity_days to authenticated;
grant all on table public.xp_activity_days to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/xp_transactions.sql
-- Policies of public.xp_transactions: the learner, their guardians and their
-- organizations' staff read the ledger. There is no insert, update or delete
-- policy: only private.increment_xp (security definer) writes it.

create policy "Users can read their own XP transactions"
  on public.xp_transactions for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' XP transactions"
  on public.xp_transactions for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' XP transactions"
  on public.xp_transactions for select to authenticated
  using (user_id in (select private.staff_student_ids()));

-- supabase/policies/xp_activity_days.sql
-- Policies of public.xp_activity_days: read by the learner, their guardians and
-- their organizations' staff; written only by learnkit's XP functions.

create policy "Users can read their own activity days"
  on public.xp_activity_days for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' activity days"
  on public.xp_activity_days for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' activity days"
  on public.xp_activity_days for select to authenticated
  using (user_id in (select private.staff_student_ids()));
