-- create increment_xp
--
-- private.increment_xp, the one place XP changes: validates (non-zero delta of
-- at most 100000 either way, known category, a spend never takes the balance
-- below zero), is idempotent (a replayed key returns the first result and
-- changes nothing), and under a row lock on the learner's xp_profiles row
-- updates balance, lifetime XP, today's and this week's XP and so the level,
-- appends the ledger row, records the local day, an analytics event, the
-- streak (first learning XP of a local day) and evaluates achievements and
-- daily challenges. Executable by service_role and learnkit's own functions
-- (security definer, owned by the migration owner) only; public.increment_xp is
-- its PostgREST face for service_role.

create function private.xp_result(entry public.xp_transactions, replayed boolean) returns jsonb
language sql immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'transaction_id', entry.id, 'user_id', entry.user_id, 'kind', entry.kind, 'category', entry.category,
    'amount', entry.amount, 'delta', entry.delta, 'reason', entry.reason, 'balance', entry.balance_after,
    'lifetime_xp', entry.lifetime_xp_after, 'level', entry.level_after, 'local_day', entry.local_day,
    'idempotency_key', entry.idempotency_key, 'created_at', entry.created_at, 'replayed', replayed)
$$;
comment on function private.xp_result(public.xp_transactions, boolean) is 'The JSON result of an XP change.';

create function private.replayed_xp_result(learner uuid, idempotency_key text) returns jsonb
language sql stable
security definer
set search_path = ''
as $$
  select private.xp_result(t, true) from public.xp_transactions t
  where t.user_id = learner and t.idempotency_key = replayed_xp_result.idempotency_key
$$;
comment on function private.replayed_xp_result(uuid, text) is 'The first result of a key already used, or null.';

create function private.increment_xp(
  user_id uuid, delta integer, reason text, category text, idempotency_key text,
  organization_id uuid default null, source_table text default null, source_id text default null,
  at timestamptz default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  learner uuid := increment_xp.user_id;
  moment timestamptz := coalesce(increment_xp.at, now());
  stats public.xp_profiles;
  zone text;
  day date;
  week date;
  earned integer := greatest(increment_xp.delta, 0);
  entry public.xp_transactions;
  learning_today integer;
begin
  if increment_xp.delta is null or increment_xp.delta = 0 or abs(increment_xp.delta) > 100000 then
    raise exception using errcode = '22023',
      message = format('XP delta must be a non-zero whole number between -100000 and 100000, not %s',
                       coalesce(increment_xp.delta::text, 'null'));
  end if;
  if increment_xp.category is null
     or increment_xp.category not in ('learning', 'hint', 'achievement', 'streak', 'bonus', 'challenge') then
    raise exception using errcode = '22023', message = format('unknown XP category %L', increment_xp.category),
      hint = 'Use learning, hint, achievement, streak, bonus or challenge.';
  end if;
  if increment_xp.idempotency_key is null or char_length(increment_xp.idempotency_key) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'an idempotency key of 1 to 200 characters is required';
  end if;
  if increment_xp.reason is null or char_length(btrim(increment_xp.reason)) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'a reason of 1 to 200 characters is required';
  end if;

  select * into stats from public.xp_profiles where user_id = learner for update;
  if not found then
    raise exception using errcode = 'P0002', message = format('no learner %s', learner);
  end if;
  select * into entry from public.xp_transactions t
  where t.user_id = learner and t.idempotency_key = increment_xp.idempotency_key;
  if found then
    return private.xp_result(entry, true);
  end if;
  if stats.xp + increment_xp.delta < 0 then
    raise exception using errcode = '23514',
      message = format('not enough XP for %s: balance %s, needs %s', increment_xp.reason, stats.xp, -increment_xp.delta);
  end if;

  zone := coalesce((select time_zone from public.profiles where id = learner), 'UTC');
  day := (moment at time zone zone)::date;
  week := day - (extract(isodow from day)::integer - 1);

  update public.xp_profiles set
    xp = xp + increment_xp.delta,
    lifetime_xp = lifetime_xp + earned,
    today_xp = case when today is null or day > today then earned when day = today then today_xp + earned
                    else today_xp end,
    today = greatest(coalesce(today, day), day),
    week_xp = case when week_start is null or week > week_start then earned when week = week_start then week_xp + earned
                   else week_xp end,
    week_start = greatest(coalesce(week_start, week), week),
    last_award_at = moment
  where user_id = learner
  returning * into stats;

  insert into public.xp_transactions (user_id, organization_id, kind, category, amount, reason, balance_after,
    lifetime_xp_after, level_after, local_day, source_table, source_id, idempotency_key, created_at)
  values (learner, increment_xp.organization_id, case when increment_xp.delta > 0 then 'earned' else 'spent' end,
    increment_xp.category, abs(increment_xp.delta), btrim(increment_xp.reason), stats.xp, stats.lifetime_xp,
    stats.level, day, increment_xp.source_table, increment_xp.source_id, increment_xp.idempotency_key, moment)
  returning * into entry;

  insert into public.xp_activity_days as d (user_id, local_day, time_zone, earned_xp, learning_xp, spent_xp,
    first_activity_at)
  values (learner, day, zone, earned, case when increment_xp.category = 'learning' then earned else 0 end,
    greatest(-increment_xp.delta, 0),
    case when increment_xp.category = 'learning' and earned > 0 then moment end)
  on conflict (user_id, local_day) do update set
    earned_xp = d.earned_xp + excluded.earned_xp,
    learning_xp = d.learning_xp + excluded.learning_xp,
    spent_xp = d.spent_xp + excluded.spent_xp,
    first_activity_at = coalesce(d.first_activity_at, excluded.first_activity_at)
  returning learning_xp into learning_today;

  insert into public.analytics_events (user_id, organization_id, event_type, event_data)
  values (learner, increment_xp.organization_id, 'xp.' || entry.kind, jsonb_build_object(
    'transaction_id', entry.id, 'category', entry.category, 'amount', entry.amount, 'reason', entry.reason,
    'balance', entry.balance_after, 'level', entry.level_after, 'local_day', day));

  if increment_xp.category = 'learning' and earned > 0 and learning_today = earned then
    perform private.record_activity_day(learner, day, moment);
  end if;
  if earned > 0 then
    perform private.evaluate_achievements(learner, array['xp_total'], moment);
  end if;
  if increment_xp.category = 'learning' and earned > 0 then
    perform private.evaluate_challenges(learner, day, moment);
  end if;
  return private.xp_result(entry, false);
end
$$;
comment on function private.increment_xp(uuid, integer, text, text, text, uuid, text, text, timestamptz) is
  'The one place XP changes (see the migration header). Returns {transaction_id, kind, amount, delta, balance, '
  'lifetime_xp, level, local_day, replayed, ...}. Errors: 22023 bad argument, 23514 not enough XP, P0002 no learner.';

create function public.increment_xp(
  user_id uuid, delta integer, reason text, category text, idempotency_key text
) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.increment_xp(user_id, delta, reason, category, idempotency_key)
$$;
comment on function public.increment_xp(uuid, integer, text, text, text) is
  'service_role only: add (delta > 0) or spend (delta < 0) a learner''s XP, idempotently. Students get 42501.';

revoke execute on all functions in schema private from public;
revoke execute on function public.increment_xp(uuid, integer, text, text, text) from public, anon, authenticated;
grant execute on function
  private.increment_xp(uuid, integer, text, text, text, uuid, text, text, timestamptz),
  private.replayed_xp_result(uuid, text),
  private.xp_result(public.xp_transactions, boolean)
  to service_role;
grant execute on function public.increment_xp(uuid, integer, text, text, text) to service_role;
