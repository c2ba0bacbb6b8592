-- cache award path plans
--
-- The small helpers an answer's award calls were `language sql` functions with
-- `set search_path`, which PostgreSQL never inlines: each call parsed and
-- planned its body again (10–70 µs each, about 15 calls per award, profiled
-- with track_functions). As plpgsql their plans are cached per connection, as
-- 20261122030000 did for the RLS helpers. Same signatures, results, volatility,
-- security and grants; level_for_xp computes the thresholds itself instead of
-- calling level_threshold up to four times per generated column.

create or replace function public.level_threshold(level integer) returns bigint
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return case when level <= 1 then 0::bigint
    else round(120 * (1 - power(1.3::double precision, level - 1)) / (1 - 1.3::double precision))::bigint end;
end
$$;

create or replace function public.level_for_xp(xp bigint) returns integer
language plpgsql immutable parallel safe
set search_path = ''
as $$
declare
  guess integer;
begin
  if xp is null or xp < 120 then
    return 1;
  end if;
  guess := 1 + floor(ln(1 + xp * 0.3 / 120) / ln(1.3))::integer;
  -- The closed form gives the level up to rounding; level_threshold's formula settles it.
  while round(120 * (1 - power(1.3::double precision, guess)) / (1 - 1.3::double precision)) <= xp loop
    guess := guess + 1;
  end loop;
  while guess > 1 and round(120 * (1 - power(1.3::double precision, guess - 1)) / (1 - 1.3::double precision)) > xp loop
    guess := guess - 1;
  end loop;
  return guess;
end
$$;

create or replace function public.pathiq_tier(level integer) returns text
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return case
    when level >= 30 then 'luminary'
    when level >= 20 then 'pioneer'
    when level >= 15 then 'navigator'
    when level >= 10 then 'trailblazer'
    when level >= 5 then 'pathfinder'
    else 'explorer' end;
end
$$;

create or replace function private.gamification_rules(org uuid) returns public.gamification_settings
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  rules public.gamification_settings;
begin
  select settings.* into rules from public.gamification_settings settings
  where settings.organization_id = org or settings.organization_id is null
  order by settings.organization_id nulls last
  limit 1;
  return rules;
end
$$;

create or replace function private.home_organization(learner uuid) returns uuid
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (select organization_id from public.organization_members
          where user_id = learner and role = 'student'
          order by joined_at, organization_id
          limit 1);
end
$$;

create or replace function private.local_day(learner uuid, at timestamptz) returns date
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (at at time zone coalesce((select time_zone from public.profiles where id = learner), 'UTC'))::date;
end
$$;

create or replace function private.attempt_quality(is_correct boolean, response_time_ms integer, hints_used integer)
returns integer
language plpgsql immutable
set search_path = ''
as $$
begin
  return case
    when not coalesce(is_correct, false) then 1
    when hints_used > 0 then 3
    when response_time_ms < 2000 then 5
    when response_time_ms < 6000 then 4
    else 3 end;
end
$$;

create or replace function private.xp_result(entry public.xp_transactions, replayed boolean) returns jsonb
language plpgsql immutable
set search_path = ''
as $$
begin
  return jsonb_build_object(
    'transaction_id', entry.id, 'user_id', entry.user_id, 'kind', entry.kind, 'category', entry.category,
    'amount', entry.amount, 'delta', entry.delta, 'reason', entry.reason, 'balance', entry.balance_after,
    'lifetime_xp', entry.lifetime_xp_after, 'level', entry.level_after, 'local_day', entry.local_day,
    'idempotency_key', entry.idempotency_key, 'created_at', entry.created_at, 'replayed', replayed);
end
$$;

create or replace function private.replayed_xp_result(learner uuid, idempotency_key text) returns jsonb
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (select private.xp_result(t, true) from public.xp_transactions t
          where t.user_id = learner and t.idempotency_key = replayed_xp_result.idempotency_key);
end
$$;

create or replace function private.answer_result(attempt public.answer_attempts, replayed boolean) returns jsonb
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (
    select jsonb_build_object(
      'attempt_id', attempt.id, 'question_id', attempt.question_id, 'is_correct', attempt.is_correct,
      'xp_awarded', attempt.xp_awarded, 'award_rule', attempt.award_rule,
      'balance', coalesce(t.balance_after, s.xp), 'lifetime_xp', coalesce(t.lifetime_xp_after, s.lifetime_xp),
      'level', coalesce(t.level_after, s.level), 'current_streak', s.current_streak, 'replayed', replayed)
    from public.xp_profiles s
    left join public.xp_transactions t on t.user_id = s.user_id and t.idempotency_key = 'attempt:' || attempt.id
    where s.user_id = attempt.user_id and s.user_id = (select auth.uid()));
end
$$;
