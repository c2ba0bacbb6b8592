-- create hint economy
--
-- Pathfinity's hint economy: each learner has free hints per local day
-- (default 10, per organization); beyond them a hint costs XP (a spent ledger
-- row, category hint), and a learner without enough XP gets no hint (23514),
-- never a negative balance. hint_uses records every hint taken, idempotently.

-- ---------------------------------------------------------------- hint_uses
create table public.hint_uses (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  question_id uuid references public.questions (id) on delete set null,
  local_day date not null,
  cost integer not null default 0 check (cost >= 0),
  transaction_id bigint references public.xp_transactions (id) on delete set null,
  idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
  used_at timestamptz not null default now(),
  constraint hint_uses_idempotency_key_unique unique (user_id, idempotency_key)
);
create index hint_uses_user_day_idx on public.hint_uses (user_id, local_day);
create index hint_uses_question_id_idx on public.hint_uses (question_id);
create index hint_uses_transaction_id_idx on public.hint_uses (transaction_id);

alter table public.hint_uses enable row level security;
comment on table public.hint_uses is
  'Every hint a learner took: free (cost 0) within the daily allowance, else paid with XP. Server-owned.';

revoke all on table public.hint_uses from anon, authenticated;
grant select on table public.hint_uses to authenticated;
grant all on table public.hint_uses to service_role;

-- ---------------------------------------------------------------- functions
create function private.take_hint(learner uuid, question uuid, idempotency_key text, at timestamptz default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  moment timestamptz := coalesce(at, now());
  day date := private.local_day(learner, moment);
  item public.questions;
  rules public.gamification_settings;
  used integer;
  previous public.hint_uses;
  payment jsonb;
  cost integer := 0;
begin
  if take_hint.idempotency_key is null or char_length(take_hint.idempotency_key) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'an idempotency key of 1 to 200 characters is required';
  end if;
  perform 1 from public.xp_profiles where user_id = learner for update;
  select * into previous from public.hint_uses h
  where h.user_id = learner and h.idempotency_key = take_hint.idempotency_key;
  if found then
    return jsonb_build_object('question_id', previous.question_id, 'cost', previous.cost,
      'hint', (select hint from public.questions where id = previous.question_id),
      'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', true);
  end if;
  select * into item from public.questions q
  where q.id = question and q.is_published
    and (q.organization_id is null
         or q.organization_id in (select organization_id from public.organization_members where user_id = learner));
  if not found then
    raise exception using errcode = 'P0002', message = format('question %s not found', question);
  end if;
  rules := private.gamification_rules(coalesce(item.organization_id, private.home_organization(learner)));
  select count(*) into used from public.hint_uses where user_id = learner and local_day = day;
  if used >= rules.free_hints_per_day then
    cost := rules.hint_cost;
    payment := private.increment_xp(learner, -cost, 'hint', 'hint', 'hint:' || take_hint.idempotency_key,
      item.organization_id, 'questions', question::text, moment);
  end if;
  insert into public.hint_uses (user_id, question_id, local_day, cost, transaction_id, idempotency_key, used_at)
  values (learner, question, day, cost, (payment ->> 'transaction_id')::bigint, take_hint.idempotency_key, moment);
  insert into public.xp_activity_days as d (user_id, local_day, time_zone, hints_used)
  values (learner, day, coalesce((select time_zone from public.profiles where id = learner), 'UTC'), 1)
  on conflict (user_id, local_day) do update set hints_used = d.hints_used + 1;
  return jsonb_build_object('question_id', question, 'hint', item.hint, 'cost', cost,
    'free_hints_left', greatest(rules.free_hints_per_day - used - 1, 0),
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
end
$$;
comment on function private.take_hint(uuid, uuid, text, timestamptz) is
  'A learner takes a question''s hint: free within the day''s allowance, else paid with XP (23514 if short).';

create function private.use_my_hint(question uuid, idempotency_key text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to use hints';
  end if;
  return private.take_hint(auth.uid(), question, idempotency_key, now());
end
$$;

create function public.use_hint(question_id uuid, idempotency_key text) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.use_my_hint(question_id, idempotency_key)
$$;
comment on function public.use_hint(uuid, text) is
  'Take a question''s hint: {hint, cost, free_hints_left, balance, replayed}. Free hints per local day (default 10), '
  'then hint_cost XP each; 23514 when XP is short, P0002 for an unknown question.';

revoke execute on all functions in schema private from public;
grant execute on function private.use_my_hint(uuid, text) to authenticated, service_role;
grant execute on function private.take_hint(uuid, uuid, text, timestamptz) to service_role;
grant execute on function public.use_hint(uuid, text) to authenticated, service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/hint_uses.sql
-- Policies of public.hint_uses: read by the learner, their guardians and their
-- organizations' staff; written only by use_hint().

create policy "Users can read their own hint uses"
  on public.hint_uses for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' hint uses"
  on public.hint_uses for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' hint uses"
  on public.hint_uses for select to authenticated
  using (user_id in (select private.staff_student_ids()));
