-- hide hints from questions
--
-- private.take_hint() (behind public.use_hint()) now reads a question's hint
-- from public.question_hints, and public.questions.hint is dropped: a learner
-- can no longer select a hint for free and bypass the hint economy. Results of
-- use_hint() are unchanged ({hint, cost, free_hints_left, balance, replayed};
-- hint is null for a question without one). Destructive: drops the column
-- questions.hint, whose values 20261122100000 copied into question_hints.

-- ---------------------------------------------------------------- functions
create or replace function private.take_hint(learner uuid, question uuid, idempotency_key text,
                                             at timestamptz default null)
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
      'hint', (select h.hint from public.question_hints h where h.question_id = previous.question_id),
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
  return jsonb_build_object('question_id', question,
    'hint', (select h.hint from public.question_hints h where h.question_id = question), 'cost', cost,
    'free_hints_left', greatest(rules.free_hints_per_day - used - 1, 0),
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
end
$$;
comment on function private.take_hint(uuid, uuid, text, timestamptz) is
  'A learner takes a question''s hint (from question_hints): free within the day''s allowance, else paid with XP '
  '(23514 if short).';

-- create or replace keeps the grants; restated so this file alone says who may call it.
revoke execute on function private.take_hint(uuid, uuid, text, timestamptz) from public;
grant execute on function private.take_hint(uuid, uuid, text, timestamptz) to service_role;

-- ---------------------------------------------------------------- questions
alter table public.questions drop column hint;
comment on table public.questions is
  'A question or test item: math facts (operands, operation), multiple choice, ordering, video, coding. '
  'Belongs to a course/track, lesson/section or test; its answer key is in question_answer_keys and its hint '
  'in question_hints (both hidden from students).';
