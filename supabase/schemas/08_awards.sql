-- Awards: the RPCs that pay XP (submit_answer, complete_lesson, finish_container, increment_xp for the
-- server) and the one function every XP change is written by, private.write_xp_change, given the learner
-- private.lock_learner locked: the profile, one ledger row, the board entry, one queued row for
-- private.process_awards. Its callers check first: apply_xp_change (arguments, idempotency key, balance),
-- pay_learning_xp (rate limit, daily cap).

-- ======================================================================
-- tables
-- ======================================================================

create table private.completion_awards (
  user_id uuid not null references public.profiles (id) on delete cascade,
  item_kind text not null check (item_kind in ('lesson', 'container')),
  item_id uuid not null,
  result jsonb not null,
  completed_at timestamptz not null default now(),
  primary key (user_id, item_kind, item_id)
);
alter table private.completion_awards enable row level security;
comment on table private.completion_awards is
  'First completion of a lesson or container session per learner and what it paid; later calls return it.';

create table private.question_servings (
  session_id uuid not null references public.learning_sessions (id) on delete cascade,
  question_id uuid not null references public.questions (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  served_at timestamptz not null default now(),
  primary key (session_id, question_id)
);
alter table private.question_servings enable row level security;
comment on table private.question_servings is
  'When the server first served a question to a learner in a session (public.serve_question): the start of the '
  'server-measured response time. Written only by learnkit''s functions.';
revoke all on table private.question_servings from public, anon, authenticated;
create index question_servings_question_id_idx on private.question_servings (question_id);
create index question_servings_user_id_idx on private.question_servings (user_id);

create table private.award_outbox (
  id bigint generated always as identity primary key,
  user_id uuid not null,
  organization_id uuid,
  transaction_id bigint,
  attempt_id uuid,
  response_ms integer,
  local_day date,
  earned integer not null default 0,
  learned integer not null default 0,
  spent integer not null default 0,
  correct_answers integer not null default 0,
  fast_answers integer not null default 0,
  lessons_completed integer not null default 0,
  perfect_scores integer not null default 0,
  criteria text[] not null default '{}',
  streak integer,
  streak_started_on date,
  at timestamptz not null
);
alter table private.award_outbox enable row level security;
comment on table private.award_outbox is
  'What an award or an answer leaves for later: one row per XP change (its organization''s XP, the activity day, '
  'the analytics event, achievements, challenges, the streak''s milestone, rank counts) and per graded answer '
  '(progress). Written in the request''s transaction; private.process_awards takes rows in id order and deletes '
  'them in the transaction that applies them, so each is applied exactly once. No foreign keys: a row whose '
  'learner, attempt or ledger row is gone is skipped.';
comment on column private.award_outbox.streak is
  'Set when the award started a streak day: the streak reached (its milestone bonus is paid once).';
revoke all on table private.award_outbox from public, anon, authenticated;
grant select on table private.award_outbox to service_role;

-- ======================================================================
-- functions
-- ======================================================================

create function private.xp_result(entry public.xp_transactions, replayed boolean) returns jsonb
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
comment on function private.xp_result(public.xp_transactions, boolean) is 'The JSON result of an XP change.';
grant execute on function private.xp_result(public.xp_transactions, boolean) to service_role;

create function private.replayed_xp_result(learner uuid, idempotency_key text) returns jsonb
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (select private.xp_result(t, true) from public.xp_transactions t
          where t.user_id = learner and t.idempotency_key = replayed_xp_result.idempotency_key);
end
$$;
comment on function private.replayed_xp_result(uuid, text) is 'The first result of a key already used, or null.';
grant execute on function private.replayed_xp_result(uuid, text) to service_role;

create type private.held_learner as (profile public.xp_profiles, zone text);
comment on type private.held_learner is
  'A learner locked by private.lock_learner: their XP profile as locked, and their time zone.';

create type private.xp_change as (profile public.xp_profiles, entry public.xp_transactions);
comment on type private.xp_change is
  'What an XP change wrote: the learner''s profile after it and its ledger row (null: nothing was paid).';

create function private.queue_award(
  learner uuid, at timestamptz, organization_id uuid default null, transaction_id bigint default null,
  attempt_id uuid default null, response_ms integer default null, local_day date default null,
  earned integer default 0, learned integer default 0, spent integer default 0, correct_answers integer default 0,
  fast_answers integer default 0, lessons_completed integer default 0, perfect_scores integer default 0,
  criteria text[] default '{}', streak integer default null, streak_started_on date default null
) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.award_outbox (user_id, organization_id, transaction_id, attempt_id, response_ms, local_day,
    earned, learned, spent, correct_answers, fast_answers, lessons_completed, perfect_scores, criteria, streak,
    streak_started_on, at)
  values (learner, queue_award.organization_id, queue_award.transaction_id, queue_award.attempt_id,
    queue_award.response_ms, queue_award.local_day, queue_award.earned, queue_award.learned, queue_award.spent,
    queue_award.correct_answers, queue_award.fast_answers, queue_award.lessons_completed, queue_award.perfect_scores,
    coalesce(queue_award.criteria, '{}'), queue_award.streak, queue_award.streak_started_on, queue_award.at);
  -- A process-awards follower (`learnkit worker run process-awards --follow`) holds this lock only while it sleeps
  -- on LISTEN learnkit_awards, and each writer takes it shared until it commits: a writer that cannot take it wakes
  -- the follower; while the follower works, or with none (pg_cron), nothing is sent. A NOTIFY per answer would
  -- serialise every commit on the notification queue.
  if not pg_try_advisory_xact_lock_shared(hashtext('learnkit.process_awards'), 1) then
    perform pg_notify('learnkit_awards', '');
  end if;
end
$$;
comment on function private.queue_award(uuid, timestamptz, uuid, bigint, uuid, integer, date, integer, integer, integer,
  integer, integer, integer, integer, text[], integer, date) is
  'Queues what an award or an answer leaves for private.process_awards (one private.award_outbox row) and wakes a '
  'process-awards follower that sleeps.';
revoke execute on function private.queue_award(uuid, timestamptz, uuid, bigint, uuid, integer, date, integer, integer,
  integer, integer, integer, integer, integer, text[], integer, date) from public;

create function private.lock_learner(learner uuid) returns private.held_learner
language plpgsql
security definer
set search_path = ''
as $$
declare
  held private.held_learner;
begin
  -- One learner's answers and XP changes are applied one at a time, across devices and sessions.
  select x, coalesce(p.time_zone, 'UTC') into held.profile, held.zone
  from public.xp_profiles x
  join public.profiles p on p.id = x.user_id
  where x.user_id = learner
  for update of x;
  if not found then
    raise exception using errcode = 'P0002', message = format('no learner %s', learner);
  end if;
  return held;
end
$$;
comment on function private.lock_learner(uuid) is
  'Locks a learner''s XP profile (their answers and XP changes go one at a time) and returns it with their time '
  'zone; the functions that change XP are given what it returns. P0002: no such learner.';
revoke execute on function private.lock_learner(uuid) from public;

create function private.write_xp_change(
  held public.xp_profiles, zone text, delta integer, reason text, category text, idempotency_key text,
  organization_id uuid, source_table text, source_id text, at timestamptz,
  correct_answers integer, fast_answers integer, lessons_completed integer, perfect_scores integer,
  criteria text[], award_window_seconds integer, attempt_id uuid default null, response_ms integer default null
) returns private.xp_change
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  learner constant uuid := held.user_id;
  moment constant timestamptz := coalesce(write_xp_change.at, now());
  earned constant integer := greatest(write_xp_change.delta, 0);
  learned constant integer := case when write_xp_change.category = 'learning' then earned else 0 end;
  -- XP is earned in the award's organization only; XP of no organization counts on no board.
  earned_in constant uuid := write_xp_change.organization_id;
  moment_day record := private.learner_day(zone, held.today, held.today_started_at, moment);
  day constant date := moment_day.day;
  week constant date := moment_day.day - (extract(isodow from moment_day.day)::integer - 1);
  streak public.xp_profiles := held;
  streak_started boolean := false;
  profile public.xp_profiles;
  entry public.xp_transactions;
begin
  -- 1. The streak: the first learning XP of a new local day extends it (freezes cover missed days).
  if learned > 0 and (held.streak_last_day is null or day > held.streak_last_day) then
    streak := private.advance_streak(held, day);
    streak_started := true;
  end if;

  -- 2. The learner's profile, in one update: balance, level, today's and this week's XP, the daily cap's and the
  -- rate limit's counters, what earned it, the streak.
  update public.xp_profiles set
    xp = xp + write_xp_change.delta,
    lifetime_xp = lifetime_xp + earned,
    today_xp = case when today is null or day > today then earned when day = today then today_xp + earned
                    else today_xp end,
    today_learning_xp = case when today is null or day > today then learned
                             when day = today then today_learning_xp + learned else today_learning_xp end,
    today_started_at = case when today is null or day > today then moment_day.started_at
                            else coalesce(today_started_at, moment_day.started_at) end,
    today = greatest(coalesce(today, day), day),
    week_xp = case when week_start is null or week > week_start then earned when week = week_start then week_xp + earned
                   else week_xp end,
    week_start = greatest(coalesce(week_start, week), week),
    award_window_started_at = case
      when learned = 0 or write_xp_change.award_window_seconds is null then award_window_started_at
      when award_window_started_at is null
           or moment >= award_window_started_at + make_interval(secs => write_xp_change.award_window_seconds)
        then moment
      else award_window_started_at end,
    award_window_awards = case
      when learned = 0 or write_xp_change.award_window_seconds is null then award_window_awards
      when award_window_started_at is null
           or moment >= award_window_started_at + make_interval(secs => write_xp_change.award_window_seconds)
        then 1
      else award_window_awards + 1 end,
    last_award_at = moment,
    correct_answers = correct_answers + write_xp_change.correct_answers,
    fast_answers = fast_answers + write_xp_change.fast_answers,
    lessons_completed = lessons_completed + write_xp_change.lessons_completed,
    perfect_scores = perfect_scores + write_xp_change.perfect_scores,
    current_streak = streak.current_streak,
    best_streak = streak.best_streak,
    streak_started_on = streak.streak_started_on,
    streak_last_day = streak.streak_last_day,
    streak_freezes = streak.streak_freezes,
    current_weekly_streak = streak.current_weekly_streak,
    best_weekly_streak = streak.best_weekly_streak,
    weekly_streak_last_week = streak.weekly_streak_last_week,
    updated_at = now()
  where user_id = learner
  returning * into profile;

  -- 3. One ledger row.
  insert into public.xp_transactions (user_id, organization_id, kind, category, amount, reason, balance_after,
    lifetime_xp_after, level_after, local_day, source_table, source_id, idempotency_key, created_at)
  values (learner, earned_in, case when write_xp_change.delta > 0 then 'earned' else 'spent' end,
    write_xp_change.category, abs(write_xp_change.delta), btrim(write_xp_change.reason), profile.xp,
    profile.lifetime_xp, profile.level, day, write_xp_change.source_table, write_xp_change.source_id,
    write_xp_change.idempotency_key, moment)
  returning * into entry;

  -- 4. The organization's boards, live: the learner's own entry (its rank counts follow in process_awards).
  if earned > 0 and earned_in is not null then
    update private.leaderboard_entries e set
      lifetime_xp = e.lifetime_xp + earned,
      today_xp = case when e.today is null or day > e.today then earned when day = e.today then e.today_xp + earned
                      else e.today_xp end,
      today = greatest(coalesce(e.today, day), day),
      week_xp = case when e.week_start is null or week > e.week_start then earned
                     when week = e.week_start then e.week_xp + earned else e.week_xp end,
      week_start = greatest(coalesce(e.week_start, week), week)
    where e.user_id = learner and e.organization_id = earned_in;
  end if;

  -- 5. The rest, after the request: private.process_awards (with the answer's progress, when an answer paid).
  perform private.queue_award(learner, moment, earned_in, entry.id, write_xp_change.attempt_id,
    write_xp_change.response_ms, day, earned, learned, greatest(-write_xp_change.delta, 0),
    write_xp_change.correct_answers, write_xp_change.fast_answers, write_xp_change.lessons_completed,
    write_xp_change.perfect_scores,
    -- Any XP earned asks for xp_total, but not a reward paid by an evaluation of achievements: that evaluation
    -- runs its own xp_total pass (private.evaluate_achievements).
    coalesce(write_xp_change.criteria, '{}')
      || case when earned > 0 and coalesce(current_setting('learnkit.evaluating_achievements', true), '') <> 'on'
              then array['xp_total'] else '{}' end,
    case when streak_started then profile.current_streak end,
    case when streak_started then profile.streak_started_on end);
  return row(profile, entry)::private.xp_change;
end
$$;
revoke execute on function
  private.write_xp_change(public.xp_profiles, text, integer, text, text, text, uuid, text, text, timestamptz, integer,
    integer, integer, integer, text[], integer, uuid, integer)
  from public;
comment on function private.write_xp_change(public.xp_profiles, text, integer, text, text, text, uuid, text, text,
  timestamptz, integer, integer, integer, integer, text[], integer, uuid, integer) is
  'Writes an XP change of a learner locked by private.lock_learner (`held`, as locked), what they see at once: the '
  'profile (balance, level, day''s and week''s XP, counters, the streak at the first learning XP of a day), one '
  'ledger row, their live entry on the award''s organization''s boards (none: no board); the rest '
  '(organization_xp, activity day, analytics, achievements, challenges, rank counts, and the progress of '
  '`attempt_id`) is queued for private.process_awards. Returns the new profile and the ledger row. Callers check '
  'the arguments, the idempotency key and the balance.';

create function private.apply_xp_change(
  user_id uuid, delta integer, reason text, category text, idempotency_key text,
  organization_id uuid, source_table text, source_id text, at timestamptz,
  correct_answers integer, fast_answers integer, lessons_completed integer, perfect_scores integer,
  criteria text[], award_window_seconds integer default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  learner constant uuid := apply_xp_change.user_id;
  held private.held_learner;
  entry public.xp_transactions;
begin
  if apply_xp_change.delta is null or apply_xp_change.delta = 0 or abs(apply_xp_change.delta) > 100000 then
    raise exception using errcode = '22023',
      message = format('XP delta must be a non-zero whole number between -100000 and 100000, not %s',
                       coalesce(apply_xp_change.delta::text, 'null'));
  end if;
  if apply_xp_change.category is null
     or apply_xp_change.category not in ('learning', 'hint', 'achievement', 'streak', 'bonus', 'challenge') then
    raise exception using errcode = '22023', message = format('unknown XP category %L', apply_xp_change.category),
      hint = 'Use learning, hint, achievement, streak, bonus or challenge.';
  end if;
  if apply_xp_change.idempotency_key is null or char_length(apply_xp_change.idempotency_key) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'an idempotency key of 1 to 200 characters is required';
  end if;
  if apply_xp_change.reason is null or char_length(btrim(apply_xp_change.reason)) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'a reason of 1 to 200 characters is required';
  end if;

  held := private.lock_learner(learner);
  select * into entry from public.xp_transactions t
  where t.user_id = learner and t.idempotency_key = apply_xp_change.idempotency_key;
  if found then
    return private.xp_result(entry, true);
  end if;
  if (held.profile).xp + apply_xp_change.delta < 0 then
    raise exception using errcode = '23514',
      message = format('not enough XP for %s: balance %s, needs %s', apply_xp_change.reason, (held.profile).xp,
                       -apply_xp_change.delta);
  end if;
  entry := (private.write_xp_change(held.profile, held.zone, apply_xp_change.delta, apply_xp_change.reason,
    apply_xp_change.category, apply_xp_change.idempotency_key, apply_xp_change.organization_id,
    apply_xp_change.source_table, apply_xp_change.source_id, apply_xp_change.at, apply_xp_change.correct_answers,
    apply_xp_change.fast_answers, apply_xp_change.lessons_completed, apply_xp_change.perfect_scores,
    apply_xp_change.criteria, apply_xp_change.award_window_seconds)).entry;
  return private.xp_result(entry, false);
end
$$;
revoke execute on function
  private.apply_xp_change(uuid, integer, text, text, text, uuid, text, text, timestamptz, integer, integer, integer,
    integer, text[], integer)
  from public;
comment on function private.apply_xp_change(uuid, integer, text, text, text, uuid, text, text, timestamptz, integer,
  integer, integer, integer, text[], integer) is
  'The body of increment_xp: checks the arguments, locks the learner, returns the first result of a key already '
  'used, refuses an overdraft, then private.write_xp_change. learnkit''s own functions only.';

create function private.increment_xp(
  user_id uuid, delta integer, reason text, category text, idempotency_key text,
  organization_id uuid default null, source_table text default null, source_id text default null,
  at timestamptz default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  return private.apply_xp_change(user_id, delta, reason, category, idempotency_key, organization_id, source_table,
    source_id, at, 0, 0, 0, 0, '{}');
end
$$;
comment on function private.increment_xp(uuid, integer, text, text, text, uuid, text, text, timestamptz) is
  'The one place XP changes (see the migration header). Returns {transaction_id, kind, amount, delta, balance, '
  'lifetime_xp, level, local_day, replayed, ...}. Errors: 22023 bad argument, 23514 not enough XP, P0002 no learner.';
grant execute on function
  private.increment_xp(uuid, integer, text, text, text, uuid, text, text, timestamptz)
  to service_role;

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
revoke execute on function public.increment_xp(uuid, integer, text, text, text) from public, anon, authenticated;
grant execute on function public.increment_xp(uuid, integer, text, text, text) to service_role;

create function private.count_unpaid_learning(
  learner uuid, organization uuid, day date, at timestamptz, correct integer, fast integer,
  attempt uuid default null, response_ms integer default null
) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.xp_profiles set
    correct_answers = correct_answers + correct, fast_answers = fast_answers + fast, updated_at = now()
  where user_id = learner;
  perform private.queue_award(learner, at, organization, attempt_id => attempt, response_ms => response_ms,
    local_day => day, correct_answers => correct, fast_answers => fast,
    criteria => case when fast > 0 then array['speed'] else '{}' end);
end
$$;
comment on function private.count_unpaid_learning(uuid, uuid, date, timestamptz, integer, integer, uuid, integer) is
  'A correct (or fast) answer paid nothing (the daily cap): it still counts on the profile at once, and in its '
  'organization, its activity day and the challenges (and its progress, given the attempt) through '
  'private.process_awards.';
revoke execute on function
  private.count_unpaid_learning(uuid, uuid, date, timestamptz, integer, integer, uuid, integer)
  from public;

create function private.pay_learning_xp(
  held public.xp_profiles, zone text, rules public.gamification_settings, amount integer, reason text,
  idempotency_key text, organization uuid, source_table text, source_id text, at timestamptz, criteria text[],
  correct integer, fast integer, lessons integer, perfect integer, attempt uuid default null,
  response_ms integer default null
) returns private.xp_change
language plpgsql
security definer
set search_path = ''
as $$
declare
  learner constant uuid := held.user_id;
  day constant date := (private.learner_day(zone, held.today, held.today_started_at, at)).day;
  paid integer;
begin
  -- The rate limit and the daily cap read the profile's counters, not the ledger.
  if amount > 0 and held.award_window_started_at is not null
     and at < held.award_window_started_at + make_interval(secs => rules.rate_limit_window_seconds)
     and held.award_window_awards >= rules.rate_limit_awards then
    raise exception using errcode = 'PT429',
      message = format('too many XP awards: at most %s per %s seconds', rules.rate_limit_awards,
                       rules.rate_limit_window_seconds),
      hint = 'Wait a little and submit again with the same idempotency key.';
  end if;
  paid := greatest(least(amount, rules.daily_xp_cap - case when held.today = day then held.today_learning_xp else 0 end),
                   0);
  if paid > 0 then
    return private.write_xp_change(held, zone, paid, reason, 'learning', idempotency_key, organization,
      source_table, source_id, at, correct, fast, lessons, perfect, criteria, rules.rate_limit_window_seconds,
      attempt, response_ms);
  end if;
  if correct <> 0 or fast <> 0 then
    -- Nothing paid: a correct (or fast) answer still counts as one; lessons and perfect scores do not.
    perform private.count_unpaid_learning(learner, organization, day, at, correct, fast, attempt, response_ms);
  end if;
  return row(held, null)::private.xp_change;
end
$$;
revoke execute on function
  private.pay_learning_xp(public.xp_profiles, text, public.gamification_settings, integer, text, text, uuid, text,
    text, timestamptz, text[], integer, integer, integer, integer, uuid, integer)
  from public;
comment on function private.pay_learning_xp(public.xp_profiles, text, public.gamification_settings, integer, text,
  text, uuid, text, text, timestamptz, text[], integer, integer, integer, integer, uuid, integer) is
  'Learning XP for a learner locked by private.lock_learner, under `rules`'' rate limit (PT429) and daily cap, with '
  'the counters of what earned it (lessons and perfect scores only when paid). Returns the profile and the ledger '
  'row (null: the cap left nothing to pay); what was paid is its amount.';

create function private.award_learning_xp(
  learner uuid, amount integer, reason text, idempotency_key text, organization uuid, source_table text,
  source_id text, at timestamptz, criteria text[] default '{}', correct integer default 0, fast integer default 0,
  lessons integer default 0, perfect integer default 0
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  held private.held_learner := private.lock_learner(learner);
  entry public.xp_transactions;
  paid integer;
begin
  select * into entry from public.xp_transactions t
  where t.user_id = learner and t.idempotency_key = award_learning_xp.idempotency_key;
  if not found then
    -- Learning of no organization is paid under the platform's rules (no organization's the learner controls).
    entry := (private.pay_learning_xp(held.profile, held.zone, private.gamification_rules(organization), amount,
      reason, idempotency_key, organization, source_table, source_id, at, criteria, correct, fast, lessons,
      perfect)).entry;
    paid := coalesce(entry.amount, 0);
    return case when paid > 0 then private.xp_result(entry, false) else '{}'::jsonb end
      || jsonb_build_object('awarded', paid, 'capped', paid < amount);
  end if;
  return private.xp_result(entry, true) || jsonb_build_object('awarded', entry.amount, 'capped', entry.amount < amount);
end
$$;
revoke execute on function
  private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer, integer,
    integer, integer)
  from public;
grant execute on function
  private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer, integer, integer,
    integer)
  to service_role;
comment on function private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer,
  integer, integer, integer) is
  'Learning XP under the rate limit and the daily cap of the organization it is earned in (the platform''s with '
  'none), with the counters of what earned it (lessons and perfect scores only when paid); a key already used '
  'returns its first result.';

create type private.answer_verdict as (
  tries integer, attempt_number integer, organization uuid, amount integer, rule text, fast integer,
  rules public.gamification_settings
);
comment on type private.answer_verdict is
  'What a graded answer earns (private.judge_answer): its try at the question and attempt number in the session, '
  'the organization it is paid in, the XP, the rule that decided it, whether it counts as fast, and the rules.';

create function private.judge_answer(learner uuid, session uuid, question uuid, correct boolean, reward_ms integer)
returns private.answer_verdict
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  verdict private.answer_verdict;
  answered_before boolean;
begin
  select 1 + count(*), 1 + count(*) filter (where a.session_id = session), coalesce(bool_or(a.is_correct), false),
    (select q.organization_id from public.questions q where q.id = question)
  into verdict.tries, verdict.attempt_number, answered_before, verdict.organization
  from public.answer_attempts a
  where a.user_id = learner and a.question_id = question;
  verdict.amount := 0;
  verdict.fast := 0;
  if correct is null then
    verdict.rule := 'ungraded';
  elsif not correct then
    verdict.rule := 'incorrect';
  elsif answered_before then
    verdict.rule := 'already_answered';
  else
    verdict.organization := coalesce(verdict.organization, private.home_organization(learner));
    verdict.rules := private.gamification_rules(verdict.organization);
    verdict.amount := case verdict.tries when 1 then (verdict.rules).correct_first_try
                                         when 2 then (verdict.rules).correct_second_try
                                         else (verdict.rules).correct_later_try end;
    verdict.rule := case verdict.tries when 1 then 'correct_first_try' when 2 then 'correct_second_try'
                                       else 'correct_later_try' end;
    verdict.fast := case when verdict.tries = 1 and reward_ms <= (verdict.rules).fast_answer_ms then 1 else 0 end;
  end if;
  return verdict;
end
$$;
comment on function private.judge_answer(uuid, uuid, uuid, boolean, integer) is
  'What a graded answer earns by its organization''s rules (returned with them), from the learner''s earlier '
  'attempts at the question: the first correct one pays by try (fast with a trusted time); later ones, wrong or '
  'ungraded ones nothing. Also its attempt number in the session.';
revoke execute on function private.judge_answer(uuid, uuid, uuid, boolean, integer) from public;

create function private.measured_response_ms(learner uuid, session uuid, question uuid, answered_at timestamptz)
returns integer
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  -- plpgsql rather than sql: its statement's plan is cached for the session, a sql function's is made per call.
  return (select least(floor(extract(epoch from answered_at - s.served_at) * 1000), 2147483647)::integer
          from private.question_servings s
          where s.session_id = session and s.question_id = question and s.user_id = learner
            and s.served_at <= answered_at);
end
$$;
comment on function private.measured_response_ms(uuid, uuid, uuid, timestamptz) is
  'Milliseconds from the server serving the question in this session (public.serve_question) to the answer; null '
  'if it was never served.';
revoke execute on function private.measured_response_ms(uuid, uuid, uuid, timestamptz) from public;


create function private.record_answer(
  learner uuid, session uuid, question uuid, answer jsonb, response_time_ms integer, hints_used integer,
  idempotency_key text, answered_at timestamptz, trust_reported_time boolean, attempt_id uuid default null,
  out recorded_id uuid, out replayed boolean, out result jsonb
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  correct boolean;
  measured integer;
  reward_ms integer;
  -- SM-2 without a trusted time takes an answer as slow (private.attempt_quality).
  progress_ms integer;
  held private.held_learner;
  verdict private.answer_verdict;
  payment private.xp_change;
  paid integer := 0;
begin
  -- 1. Grade against the hidden key (null: the question has no key yet). Speed rewards use the server's measure;
  -- the reported time counts only for writers the server trusts (imports, seeds).
  correct := private.check_answer(question, answer);
  measured := private.measured_response_ms(learner, session, question, answered_at);
  reward_ms := case when trust_reported_time then coalesce(measured, response_time_ms) else measured end;
  progress_ms := coalesce(reward_ms, greatest(response_time_ms, 6000));

  -- 2. One learner's answers are judged one at a time, across devices and sessions; a replayed idempotency key
  -- returns the first attempt.
  held := private.lock_learner(learner);
  payment.profile := held.profile;
  if idempotency_key is not null then
    select a.id into recorded_id from public.answer_attempts a
    where a.user_id = learner and a.idempotency_key = record_answer.idempotency_key;
    if found then
      replayed := true;
      return;
    end if;
  end if;
  replayed := false;
  recorded_id := coalesce(attempt_id, gen_random_uuid());
  verdict := private.judge_answer(learner, session, question, correct, reward_ms);

  -- 3. Pay: one ledger row and the profile, under the rate limit and the daily cap; the answer's progress is queued
  -- with the payment. An answer that pays nothing queues its progress alone.
  if verdict.amount > 0 then
    payment := private.pay_learning_xp(held.profile, held.zone, verdict.rules, verdict.amount,
      replace(verdict.rule, '_', ' '), 'attempt:' || recorded_id, verdict.organization, 'answer_attempts',
      recorded_id::text, answered_at, case when verdict.fast = 1 then array['speed'] else '{}'::text[] end,
      correct => 1, fast => verdict.fast, lessons => 0, perfect => 0, attempt => recorded_id,
      response_ms => progress_ms);
    paid := coalesce((payment.entry).amount, 0);
    if paid < verdict.amount then
      verdict.rule := 'daily_cap';
    end if;
  elsif correct is not null then
    perform private.queue_award(learner, answered_at, attempt_id => recorded_id, response_ms => progress_ms);
  end if;

  -- 4. Record the attempt with its verdict.
  insert into public.answer_attempts as a (id, user_id, session_id, question_id, answer, response_time_ms, hints_used,
    idempotency_key, answered_at, is_correct, attempt_number, fluency_score, measured_response_ms, xp_awarded,
    award_rule)
  values (recorded_id, learner, session, question, answer, response_time_ms, hints_used,
    idempotency_key, answered_at, correct, verdict.attempt_number,
    case when correct then round(least(1.0, 2000.0 / greatest(response_time_ms, 1))::numeric, 2)
         when correct is not null then 0 end,
    measured, paid, verdict.rule);

  -- 5. What the learner sees.
  result := jsonb_build_object(
    'attempt_id', recorded_id, 'question_id', question, 'is_correct', correct, 'xp_awarded', paid,
    'award_rule', verdict.rule, 'balance', (payment.profile).xp, 'lifetime_xp', (payment.profile).lifetime_xp,
    'level', (payment.profile).level, 'current_streak', (payment.profile).current_streak, 'replayed', false);
end
$$;
comment on function
  private.record_answer(uuid, uuid, uuid, jsonb, integer, integer, text, timestamptz, boolean, uuid) is
  'The answer path, in order: grade against the hidden key, lock the learner, judge the answer against their '
  'earlier attempts, pay XP, record the attempt; progress is queued for private.process_awards. Returns the '
  'attempt''s id. A replayed idempotency key returns the first attempt''s (replayed = true). Callers decide who may '
  'answer: public.submit_answer for learners, service_role for trusted writers (imports, seeds, which may also give '
  'the attempt''s id). result is what the learner sees (public.submit_answer''s answer; null for a replay).';
revoke execute on function
  private.record_answer(uuid, uuid, uuid, jsonb, integer, integer, text, timestamptz, boolean, uuid)
  from public;
grant execute on function
  private.record_answer(uuid, uuid, uuid, jsonb, integer, integer, text, timestamptz, boolean, uuid)
  to service_role;

create function private.answer_result(attempt public.answer_attempts, replayed boolean) returns jsonb
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
grant execute on function private.answer_result(public.answer_attempts, boolean) to authenticated, service_role;

create function private.my_replayed_answer(idempotency_key text) returns jsonb
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (select private.answer_result(a, true) from public.answer_attempts a
          where a.user_id = auth.uid() and a.idempotency_key = my_replayed_answer.idempotency_key);
end
$$;
comment on function private.my_replayed_answer(text) is
  'The first result of the signed-in learner''s answer with this idempotency key (null: none), as '
  'public.submit_answer returns it: a retry gets it even after its session closed or its question was withdrawn.';
revoke execute on function private.my_replayed_answer(text) from public;
grant execute on function private.my_replayed_answer(text) to authenticated, service_role;

create function private.answer_my_question(
  session uuid, question uuid, answer jsonb, response_time_ms integer, idempotency_key text, hints_used integer
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me constant uuid := auth.uid();
  recorded record;
  replay jsonb;
begin
  perform 1 from public.learning_sessions s
  where s.id = session and s.user_id = me and s.status in ('active', 'paused');
  if me is null or not found then
    replay := private.my_replayed_answer(idempotency_key);
    if replay is not null then
      return replay;
    end if;
    raise exception using errcode = '42501', message = 'answers are recorded only in your own open session';
  end if;
  recorded := private.record_answer(me, session, question, answer, response_time_ms, hints_used, idempotency_key,
    now(), trust_reported_time => false);
  if recorded.replayed then
    return private.my_replayed_answer(idempotency_key);
  end if;
  return recorded.result;
end
$$;
comment on function private.answer_my_question(uuid, uuid, jsonb, integer, text, integer) is
  'public.submit_answer''s privileged part: the signed-in learner''s own open session, then private.record_answer.';
revoke execute on function private.answer_my_question(uuid, uuid, jsonb, integer, text, integer) from public;
grant execute on function private.answer_my_question(uuid, uuid, jsonb, integer, text, integer)
  to authenticated, service_role;

create function public.submit_answer(
  session_id uuid, question_id uuid, answer jsonb, response_time_ms integer, idempotency_key text default null,
  hints_used integer default 0
) returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  me constant uuid := auth.uid();
  replay jsonb;
begin
  if me is null then
    raise exception using errcode = '42501', message = 'sign in to answer questions';
  end if;
  perform private.check_argument_length('answer', submit_answer.answer::text, 16384),
    private.check_argument_length('idempotency_key', submit_answer.idempotency_key, 200);
  -- Security invoker: the question must be one the caller may read. A retry of an answer already recorded gets
  -- its first result (private.record_answer finds it, or here if the question was withdrawn since).
  if not exists (select from public.questions q where q.id = submit_answer.question_id) then
    replay := private.my_replayed_answer(submit_answer.idempotency_key);
    if replay is not null then
      return replay;
    end if;
    raise exception using errcode = '42501', message = 'no such question for you to answer';
  end if;
  return private.answer_my_question(submit_answer.session_id, submit_answer.question_id, submit_answer.answer,
    submit_answer.response_time_ms, submit_answer.idempotency_key, coalesce(submit_answer.hints_used, 0));
end
$$;
comment on function public.submit_answer(uuid, uuid, jsonb, integer, text, integer) is
  'Answer a question in your open session: graded against the hidden key, XP by the rules, progress recorded. '
  'Returns {attempt_id, is_correct, xp_awarded, award_rule, balance, lifetime_xp, level, current_streak, replayed}. '
  'Errors: 42501 (not your session / question), PT429 (rate limit).';
grant execute on function public.submit_answer(uuid, uuid, jsonb, integer, text, integer)
  to authenticated, service_role;

create function private.complete_lesson_for(learner uuid, lesson uuid, at timestamptz default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  moment timestamptz := coalesce(at, now());
  item public.lessons;
  rules public.gamification_settings;
  total integer;
  answered integer;
  first_time_right integer;
  attempts integer;
  right_attempts integer;
  perfect boolean;
  done jsonb;
  completion jsonb;
  bonus jsonb := '{}'::jsonb;
  result jsonb;
begin
  perform 1 from public.xp_profiles where user_id = learner for update;
  select result into done from private.completion_awards
  where user_id = learner and item_kind = 'lesson' and item_id = lesson;
  if found then
    return done || '{"replayed": true}';
  end if;
  select * into item from public.lessons l
  where l.id = lesson and l.is_published
    and (l.organization_id is null
         or l.organization_id in (select organization_id from public.organization_members where user_id = learner));
  if not found then
    raise exception using errcode = 'P0002', message = format('lesson %s not found', lesson);
  end if;
  select count(*),
         count(*) filter (where tally.right_attempts > 0),
         count(*) filter (where (
           select a.is_correct from public.answer_attempts a where a.user_id = learner and a.question_id = q.id
           order by a.answered_at, a.attempt_number, a.id limit 1)),
         coalesce(sum(tally.attempts), 0), coalesce(sum(tally.right_attempts), 0)
  into total, answered, first_time_right, attempts, right_attempts
  from public.questions q
  cross join lateral (
    select count(*) as attempts, count(*) filter (where a.is_correct) as right_attempts
    from public.answer_attempts a where a.user_id = learner and a.question_id = q.id) tally
  where q.lesson_id = lesson and q.is_published
    and q.organization_id is not distinct from item.organization_id;
  if total = 0 then
    raise exception using errcode = '23514',
      message = format('lesson %L has no questions, so its completion cannot be verified', item.title);
  end if;
  if answered < greatest(1, ceil(item.mastery_required * total)) then
    raise exception using errcode = '23514',
      message = format('lesson %L is not complete: %s of %s questions answered correctly, %s needed', item.title,
                       answered, total, greatest(1, ceil(item.mastery_required * total))),
      hint = 'Answer more of the lesson''s questions correctly, then complete it.';
  end if;
  if 100.0 * right_attempts / attempts < item.minimum_accuracy then
    raise exception using errcode = '23514',
      message = format('lesson %L is not complete: accuracy %s%% of %s attempts, %s%% needed', item.title,
                       round(100.0 * right_attempts / attempts), attempts, item.minimum_accuracy),
      hint = 'Keep practising the lesson''s questions, then complete it.';
  end if;
  perfect := first_time_right = total;
  insert into public.lesson_progress (user_id, lesson_id, completed) values (learner, lesson, true)
  on conflict (user_id, lesson_id) do update set completed = true;
  rules := private.gamification_rules(item.organization_id);
  completion := private.award_learning_xp(learner, rules.lesson_complete, 'lesson complete', 'lesson:' || lesson,
    item.organization_id, 'lessons', lesson::text, moment, array['lessons_completed'], lessons => 1);
  if perfect then
    bonus := private.award_learning_xp(learner, rules.perfect_score, 'perfect score', 'lesson-perfect:' || lesson,
      item.organization_id, 'lessons', lesson::text, moment, array['perfect_scores'], perfect => 1);
  end if;
  result := jsonb_build_object('lesson_id', lesson, 'perfect', perfect,
    'xp_awarded', (completion ->> 'awarded')::integer + coalesce((bonus ->> 'awarded')::integer, 0),
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
  insert into private.completion_awards (user_id, item_kind, item_id, result, completed_at)
  values (learner, 'lesson', lesson, result, moment);
  return result;
end
$$;
grant execute on function private.complete_lesson_for(uuid, uuid, timestamptz) to service_role;
comment on function private.complete_lesson_for(uuid, uuid, timestamptz) is
  'Verifies a learner''s answers to the lesson''s questions (those of the lesson''s own organization) meet the '
  'lesson''s mastery_required and minimum_accuracy; marks it completed and pays lesson complete (+ perfect score) '
  'once; the counters move only with what was paid.';

create function private.complete_my_lesson(lesson uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to complete lessons';
  end if;
  return private.complete_lesson_for(auth.uid(), lesson, now());
end
$$;
grant execute on function private.complete_my_lesson(uuid) to authenticated, service_role;

create function public.complete_lesson(lesson_id uuid) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.complete_my_lesson(lesson_id)
$$;
comment on function public.complete_lesson(uuid) is
  'Complete a lesson whose questions you answered correctly: {xp_awarded, perfect, balance, replayed}. '
  'Errors: 23514 not complete, P0002 unknown lesson.';
grant execute on function public.complete_lesson(uuid) to authenticated, service_role;

create function private.finish_container_for(learner uuid, session uuid, at timestamptz default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  moment timestamptz := coalesce(at, now());
  item public.learning_sessions;
  done jsonb;
  answered integer;
  learned integer;
  perfect boolean;
  scopes integer;
  organization uuid;
  rules public.gamification_settings;
  completion jsonb := '{}'::jsonb;
  bonus jsonb := '{}'::jsonb;
  awarded integer;
  result jsonb;
begin
  perform 1 from public.xp_profiles where user_id = learner for update;
  select result into done from private.completion_awards
  where user_id = learner and item_kind = 'container' and item_id = session;
  if found then
    return done || '{"replayed": true}';
  end if;
  select * into item from public.learning_sessions where id = session and user_id = learner for update;
  if not found then
    raise exception using errcode = 'P0002', message = format('learning session %s not found', session);
  end if;
  if item.session_type <> 'container' then
    raise exception using errcode = '22023', message = format('session %s is a %s session, not a container', session,
      item.session_type);
  end if;
  if item.status not in ('active', 'paused') then
    raise exception using errcode = '23514', message = format('session %s is already %s', session, item.status);
  end if;
  select count(*),
         count(*) filter (where a.award_rule in ('correct_first_try', 'correct_second_try', 'correct_later_try',
                                                 'daily_cap')),
         bool_and(a.is_correct) filter (where a.attempt_number = 1),
         count(distinct coalesce(q.organization_id, '00000000-0000-0000-0000-000000000000'::uuid)),
         min(q.organization_id::text)::uuid
  into answered, learned, perfect, scopes, organization
  from public.answer_attempts a
  left join public.questions q on q.id = a.question_id
  where a.session_id = session and a.user_id = learner;
  if answered = 0 then
    raise exception using errcode = '23514', message = 'answer at least one question before finishing the container';
  end if;
  -- The container is paid in the organization of its learning: the one organization all its answered questions
  -- belong to, and its course and lesson if it names them. Otherwise (several, or platform questions) in none.
  if scopes <> 1
     or (item.course_id is not null and organization is distinct from
         (select c.organization_id from public.courses c where c.id = item.course_id))
     or (item.lesson_id is not null and organization is distinct from
         (select l.organization_id from public.lessons l where l.id = item.lesson_id)) then
    organization := null;
  end if;
  -- Only new correct learning pays: a container of questions answered before finishes with nothing.
  perfect := learned > 0 and coalesce(perfect, false);
  if learned > 0 then
    rules := private.gamification_rules(organization);
    completion := private.award_learning_xp(learner, rules.container_complete, 'container complete',
      'session:' || session, organization, 'learning_sessions', session::text, moment);
    if perfect then
      bonus := private.award_learning_xp(learner, rules.perfect_score, 'perfect score', 'session-perfect:' || session,
        organization, 'learning_sessions', session::text, moment, array['perfect_scores'], perfect => 1);
    end if;
  end if;
  awarded := coalesce((completion ->> 'awarded')::integer, 0) + coalesce((bonus ->> 'awarded')::integer, 0);
  update public.learning_sessions set status = 'completed',
    xp_earned = awarded + coalesce((select sum(xp_awarded) from public.answer_attempts where session_id = session), 0)
  where id = session;
  result := jsonb_build_object('session_id', session, 'perfect', perfect, 'xp_awarded', awarded,
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
  insert into private.completion_awards (user_id, item_kind, item_id, result, completed_at)
  values (learner, 'container', session, result, moment);
  return result;
end
$$;
grant execute on function private.finish_container_for(uuid, uuid, timestamptz) to service_role;
comment on function private.finish_container_for(uuid, uuid, timestamptz) is
  'Finishes a learner''s container session with at least one answer; pays container complete (+ perfect) once, '
  'only when it holds new correct learning, in the organization of that learning (none when it spans several).';

create function private.finish_my_container(session uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to finish a container';
  end if;
  return private.finish_container_for(auth.uid(), session, now());
end
$$;
grant execute on function private.finish_my_container(uuid) to authenticated, service_role;

create function public.finish_container(session_id uuid) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.finish_my_container(session_id)
$$;
comment on function public.finish_container(uuid) is
  'Finish your container session (LEARN/EXPERIENCE/DISCOVER): {xp_awarded, perfect, balance, replayed}.';
grant execute on function public.finish_container(uuid) to authenticated, service_role;

create function private.trigger_count_mastered_skill() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status = 'mastered' and (tg_op = 'INSERT' or old.status <> 'mastered') then
    update public.xp_profiles set skills_mastered = skills_mastered + 1 where user_id = new.user_id;
    perform private.evaluate_achievements(new.user_id, array['skills_mastered'], now());
  end if;
  return null;
end
$$;

create function private.serve_my_question(session uuid, question uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me constant uuid := auth.uid();
  served timestamptz;
begin
  perform 1 from public.learning_sessions s
  where s.id = session and s.user_id = me and s.status in ('active', 'paused');
  if me is null or not found then
    raise exception using errcode = '42501', message = 'questions are served only in your own open session';
  end if;
  insert into private.question_servings (session_id, question_id, user_id, served_at)
  values (session, question, me, now())
  on conflict (session_id, question_id) do nothing
  returning served_at into served;
  if not found then
    select s.served_at into served from private.question_servings s
    where s.session_id = session and s.question_id = question;
  end if;
  return jsonb_build_object('session_id', session, 'question_id', question, 'served_at', served);
end
$$;
comment on function private.serve_my_question(uuid, uuid) is
  'Records (once per session and question) that the server served a question to the signed-in learner.';
revoke execute on function private.serve_my_question(uuid, uuid) from public;
grant execute on function private.serve_my_question(uuid, uuid) to authenticated, service_role;

create function public.serve_question(session_id uuid, question_id uuid) returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to be served questions';
  end if;
  -- Security invoker: the question must be one the caller may read.
  if not exists (select from public.questions q where q.id = serve_question.question_id) then
    raise exception using errcode = '42501', message = 'no such question for you to answer';
  end if;
  return private.serve_my_question(serve_question.session_id, serve_question.question_id);
end
$$;
comment on function public.serve_question(uuid, uuid) is
  'Call when showing a question in your open session: starts the server''s clock for speed rewards (the first '
  'call per session and question counts). Returns {session_id, question_id, served_at}. Errors: 42501.';
revoke execute on function public.serve_question(uuid, uuid) from public;
grant execute on function public.serve_question(uuid, uuid) to authenticated, service_role;

-- The process-awards job: what answers and awards leave for after the request.

create function private.count_organization_xp(items private.award_outbox[]) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  day date;
begin
  -- Day by day, so that a learner's day and week roll over in the order they were earned.
  for day in
    select distinct i.local_day from unnest(items) i
    where i.organization_id is not null and i.local_day is not null
    order by 1
  loop
    insert into public.organization_xp as o (user_id, organization_id, lifetime_xp, today, today_xp, week_start,
      week_xp, correct_answers, fast_answers, lessons_completed, perfect_scores, today_learning_xp,
      today_correct_answers, today_fast_answers, today_lessons_completed, today_perfect_scores, updated_at)
    select i.user_id, i.organization_id, sum(i.earned),
      case when sum(i.earned) > 0 then day end, sum(i.earned),
      case when sum(i.earned) > 0 then day - (extract(isodow from day)::integer - 1) end, sum(i.earned),
      sum(i.correct_answers), sum(i.fast_answers), sum(i.lessons_completed), sum(i.perfect_scores), sum(i.learned),
      sum(i.correct_answers), sum(i.fast_answers), sum(i.lessons_completed), sum(i.perfect_scores), max(i.at)
    from unnest(items) i
    where i.local_day = day and i.organization_id is not null
      and exists (select from public.organizations g where g.id = i.organization_id)
      and exists (select from public.profiles p where p.id = i.user_id)  -- a learner deleted since: nothing
    group by i.user_id, i.organization_id
    having sum(i.earned) > 0 or sum(i.correct_answers + i.fast_answers + i.lessons_completed + i.perfect_scores) > 0
    order by i.user_id, i.organization_id
    on conflict (user_id, organization_id) do update set
      lifetime_xp = o.lifetime_xp + excluded.lifetime_xp,
      -- XP rolls the organization's day and week over; counters alone count only in the current day.
      today_xp = case when excluded.today is null then o.today_xp
                      when o.today is null or excluded.today > o.today then excluded.today_xp
                      when excluded.today = o.today then o.today_xp + excluded.today_xp else o.today_xp end,
      today_learning_xp = case when excluded.today is null then o.today_learning_xp
                               when o.today is null or excluded.today > o.today then excluded.today_learning_xp
                               when excluded.today = o.today then o.today_learning_xp + excluded.today_learning_xp
                               else o.today_learning_xp end,
      today_correct_answers = case
        when o.today is not distinct from day then o.today_correct_answers + excluded.today_correct_answers
        when excluded.today is not null and (o.today is null or excluded.today > o.today)
          then excluded.today_correct_answers
        else o.today_correct_answers end,
      today_fast_answers = case
        when o.today is not distinct from day then o.today_fast_answers + excluded.today_fast_answers
        when excluded.today is not null and (o.today is null or excluded.today > o.today)
          then excluded.today_fast_answers
        else o.today_fast_answers end,
      today_lessons_completed = case
        when o.today is not distinct from day then o.today_lessons_completed + excluded.today_lessons_completed
        when excluded.today is not null and (o.today is null or excluded.today > o.today)
          then excluded.today_lessons_completed
        else o.today_lessons_completed end,
      today_perfect_scores = case
        when o.today is not distinct from day then o.today_perfect_scores + excluded.today_perfect_scores
        when excluded.today is not null and (o.today is null or excluded.today > o.today)
          then excluded.today_perfect_scores
        else o.today_perfect_scores end,
      today = greatest(o.today, excluded.today),
      week_xp = case when excluded.week_start is null then o.week_xp
                     when o.week_start is null or excluded.week_start > o.week_start then excluded.week_xp
                     when excluded.week_start = o.week_start then o.week_xp + excluded.week_xp else o.week_xp end,
      week_start = greatest(o.week_start, excluded.week_start),
      correct_answers = o.correct_answers + excluded.correct_answers,
      fast_answers = o.fast_answers + excluded.fast_answers,
      lessons_completed = o.lessons_completed + excluded.lessons_completed,
      perfect_scores = o.perfect_scores + excluded.perfect_scores,
      updated_at = excluded.updated_at;
  end loop;
end
$$;
comment on function private.count_organization_xp(private.award_outbox[]) is
  'process_awards, step 1: each organization''s count of a learner''s XP and learning (its boards, leagues, staff, '
  'achievements and challenges read it), summed per learner, organization and day.';
revoke execute on function private.count_organization_xp(private.award_outbox[]) from public;

create function private.count_activity_days(items private.award_outbox[]) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.xp_activity_days as d (user_id, local_day, time_zone, earned_xp, learning_xp, spent_xp,
    first_activity_at, correct_answers, fast_answers, lessons_completed, perfect_scores)
  select i.user_id, i.local_day, coalesce(min(p.time_zone), 'UTC'), sum(i.earned), sum(i.learned), sum(i.spent),
    min(i.at) filter (where i.learned > 0), sum(i.correct_answers), sum(i.fast_answers), sum(i.lessons_completed),
    sum(i.perfect_scores)
  from unnest(items) i
  join public.profiles p on p.id = i.user_id
  where i.local_day is not null
  group by i.user_id, i.local_day
  order by i.user_id, i.local_day
  on conflict (user_id, local_day) do update set
    earned_xp = d.earned_xp + excluded.earned_xp,
    learning_xp = d.learning_xp + excluded.learning_xp,
    spent_xp = d.spent_xp + excluded.spent_xp,
    first_activity_at = least(d.first_activity_at, excluded.first_activity_at),
    correct_answers = d.correct_answers + excluded.correct_answers,
    fast_answers = d.fast_answers + excluded.fast_answers,
    lessons_completed = d.lessons_completed + excluded.lessons_completed,
    perfect_scores = d.perfect_scores + excluded.perfect_scores;
end
$$;
comment on function private.count_activity_days(private.award_outbox[]) is
  'process_awards, step 2: the learners'' activity days (XP earned, learning XP, spent, answers, lessons).';
revoke execute on function private.count_activity_days(private.award_outbox[]) from public;

create function private.log_xp_events(items private.award_outbox[]) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.analytics_events (user_id, organization_id, event_type, event_data, occurred_at)
  select t.user_id, case when exists (select from public.organizations g where g.id = t.organization_id)
                         then t.organization_id end,
    'xp.' || t.kind, jsonb_build_object(
      'transaction_id', t.id, 'category', t.category, 'amount', t.amount, 'reason', t.reason,
      'balance', t.balance_after, 'level', t.level_after, 'local_day', t.local_day),
    -- When it was made; an award an import or the seed dated elsewhere is logged within the last day (the event
    -- tables' partitions and time checks).
    least(greatest(t.created_at, now() - interval '1 day'), now())
  from unnest(items) i
  join public.xp_transactions t on t.id = i.transaction_id
  join public.profiles p on p.id = t.user_id
  order by i.id;
end
$$;
comment on function private.log_xp_events(private.award_outbox[]) is
  'process_awards, step 3: one analytics event per XP change, at the time it was made.';
revoke execute on function private.log_xp_events(private.award_outbox[]) from public;

create type private.graded_answer as (
  item_id bigint, user_id uuid, question_id uuid, concept_id uuid, session_id uuid, is_correct boolean,
  correct integer, hints_used integer, answered_at timestamptz, response_ms integer, quality integer,
  local_today date, question_round bigint, concept_round bigint
);
comment on type private.graded_answer is 'A graded answer of a process_awards batch (private.graded_answers).';

create function private.graded_answers(items private.award_outbox[])
returns setof private.graded_answer
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  -- Round n holds each learner's n-th answer to a question (and, separately, to a concept) in this batch.
  return query
  select i.id, a.user_id, a.question_id, q.concept_id, a.session_id, a.is_correct,
    case when a.is_correct then 1 else 0 end, a.hints_used::integer, a.answered_at, i.response_ms,
    private.attempt_quality(a.is_correct, i.response_ms, a.hints_used),
    (a.answered_at at time zone p.time_zone)::date,
    row_number() over (partition by a.user_id, a.question_id order by i.id),
    case when q.concept_id is not null
      then row_number() over (partition by a.user_id, q.concept_id order by i.id) end
  from unnest(items) i
  join public.answer_attempts a on a.id = i.attempt_id
  join public.questions q on q.id = a.question_id
  join public.profiles p on p.id = a.user_id
  where a.is_correct is not null;
end
$$;
comment on function private.graded_answers(private.award_outbox[]) is
  'The graded answers of a process_awards batch with what progress needs (SM-2 quality from the trusted time, '
  'the learner''s local day) and their round per question and per concept.';
revoke execute on function private.graded_answers(private.award_outbox[]) from public;

create function private.record_answer_progress(items private.award_outbox[]) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- Read once: each step below reads these.
  answers constant private.graded_answer[] := array(select g from private.graded_answers(items) g);
  rounds integer;
  concept_rounds integer;
begin
  select coalesce(max(g.question_round), 0), coalesce(max(g.concept_round), 0) into rounds, concept_rounds
  from unnest(answers) g;
  -- The question's progress and SM-2 schedule, round by round (a learner's answers to one question in the order
  -- they were made). In each round, new rows are inserted from the column defaults (ease 2.50, no interval, no
  -- repetitions) and existing ones updated: the update does not see the rows its insert made.
  for turn in 1..rounds loop
    with answered as (
      select * from unnest(answers) g where g.question_round = turn
    ), first_answers as (
      insert into public.question_progress as item (user_id, question_id, total_attempts, correct_attempts,
        incorrect_attempts, average_response_time_ms, best_response_time_ms, last_response_time_ms,
        first_attempt_at, last_attempt_at, current_streak, best_streak, recent_attempts, ease_factor,
        review_interval_days, repetitions, next_review_date)
      select t.user_id, t.question_id, 1, t.correct, 1 - t.correct, t.response_ms,
        case when t.is_correct then t.response_ms end, t.response_ms, t.answered_at, t.answered_at, t.correct,
        t.correct,
        jsonb_build_array(jsonb_build_object(
          'is_correct', t.is_correct, 'response_time_ms', t.response_ms, 'answered_at', t.answered_at)),
        s.next_ease_factor, s.next_interval_days, s.next_repetitions, t.local_today + s.next_interval_days
      from answered t
      cross join lateral public.sm2_schedule(2.50, null, 0, t.quality) s
      order by t.user_id, t.question_id
      on conflict (user_id, question_id) do nothing
    )
    update public.question_progress item set
      total_attempts = item.total_attempts + 1,
      correct_attempts = item.correct_attempts + t.correct,
      incorrect_attempts = item.incorrect_attempts + 1 - t.correct,
      average_response_time_ms = round(
        (coalesce(item.average_response_time_ms, 0)::numeric * item.total_attempts + t.response_ms)
        / (item.total_attempts + 1)),
      best_response_time_ms = case when t.is_correct
        then least(item.best_response_time_ms, t.response_ms) else item.best_response_time_ms end,
      last_response_time_ms = t.response_ms,
      first_attempt_at = coalesce(item.first_attempt_at, t.answered_at),
      last_attempt_at = t.answered_at,
      current_streak = case when t.is_correct then item.current_streak + 1 else 0 end,
      best_streak = greatest(item.best_streak, case when t.is_correct then item.current_streak + 1 else 0 end),
      recent_attempts = jsonb_path_query_array(
        jsonb_build_array(jsonb_build_object(
          'is_correct', t.is_correct, 'response_time_ms', t.response_ms, 'answered_at', t.answered_at))
        || item.recent_attempts, '$[0 to 4]'),
      ease_factor = t.next_ease_factor,
      review_interval_days = t.next_interval_days,
      repetitions = t.next_repetitions,
      next_review_date = t.local_today + t.next_interval_days
    from (
      select a.*, s.next_ease_factor, s.next_interval_days, s.next_repetitions
      from answered a
      join public.question_progress current on current.user_id = a.user_id and current.question_id = a.question_id
      cross join lateral public.sm2_schedule(current.ease_factor, current.review_interval_days, current.repetitions,
                                             a.quality) s
    ) t
    where item.user_id = t.user_id and item.question_id = t.question_id;
  end loop;

  -- The concept's progress, round by round likewise.
  for turn in 1..concept_rounds loop
    with answered as (
      select * from unnest(answers) g where g.concept_round = turn
    ), first_answers as (
      insert into public.skill_progress (user_id, concept_id, total_attempts, correct_attempts,
        average_response_time_ms, last_attempt_at, ease_factor, review_interval_days, repetitions, next_review_date)
      select t.user_id, t.concept_id, 1, t.correct, t.response_ms, t.answered_at, s.next_ease_factor,
        s.next_interval_days, s.next_repetitions, t.local_today + s.next_interval_days
      from answered t
      cross join lateral public.sm2_schedule(2.50, null, 0, t.quality) s
      order by t.user_id, t.concept_id
      on conflict (user_id, concept_id) do nothing
    )
    update public.skill_progress skill set
      total_attempts = skill.total_attempts + 1,
      correct_attempts = skill.correct_attempts + t.correct,
      average_response_time_ms = round(
        (coalesce(skill.average_response_time_ms, 0)::numeric * skill.total_attempts + t.response_ms)
        / (skill.total_attempts + 1)),
      last_attempt_at = t.answered_at,
      ease_factor = t.next_ease_factor,
      review_interval_days = t.next_interval_days,
      repetitions = t.next_repetitions,
      next_review_date = t.local_today + t.next_interval_days
    from (
      select a.*, s.next_ease_factor, s.next_interval_days, s.next_repetitions
      from answered a
      join public.skill_progress current on current.user_id = a.user_id and current.concept_id = a.concept_id
      cross join lateral public.sm2_schedule(current.ease_factor, current.review_interval_days, current.repetitions,
                                             a.quality) s
    ) t
    where skill.user_id = t.user_id and skill.concept_id = t.concept_id;
  end loop;

  -- The sessions' counters and the learners' last activity.
  with graded as (
    select * from unnest(answers)
  ), sessions as (
    update public.learning_sessions ls set
      questions_attempted = ls.questions_attempted + t.attempted,
      questions_correct = ls.questions_correct + t.correct,
      hints_used = ls.hints_used + t.hints,
      accuracy = round(100.0 * (ls.questions_correct + t.correct) / (ls.questions_attempted + t.attempted), 2),
      average_response_time_ms = round(
        (coalesce(ls.average_response_time_ms, 0)::numeric * ls.questions_attempted + t.response_ms)
        / (ls.questions_attempted + t.attempted)),
      updated_at = now()
    from (select g.session_id, count(*) as attempted, sum(g.correct) as correct, sum(g.hints_used) as hints,
                 sum(g.response_ms) as response_ms
          from graded g group by g.session_id) t
    where ls.id = t.session_id
  )
  update public.profiles p set last_active_at = t.answered_at
  from (select g.user_id, max(g.answered_at) as answered_at from graded g group by g.user_id) t
  where p.id = t.user_id and (p.last_active_at is null or p.last_active_at < t.answered_at);
end
$$;
comment on function private.record_answer_progress(private.award_outbox[]) is
  'process_awards, step 4: after graded answers, the question''s and the concept''s progress (SM-2, mastery from '
  'the trusted response time), the sessions'' counters and the learners'' last activity, set-based, in the order '
  'the answers were made.';
revoke execute on function private.record_answer_progress(private.award_outbox[]) from public;

create function private.reward_streak_days(items private.award_outbox[]) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  day record;
  bonus integer;
  paid integer := 0;
begin
  for day in
    select i.user_id, i.streak, i.streak_started_on, i.at from unnest(items) i
    where i.streak is not null and exists (select from public.profiles p where p.id = i.user_id)
    order by i.id
  loop
    bonus := ((private.gamification_rules(private.home_organization(day.user_id))).streak_milestones
              ->> day.streak::text)::integer;
    if bonus > 0 then
      perform private.increment_xp(day.user_id, bonus, format('%s-day streak', day.streak), 'streak',
        format('streak:%s:%s', day.streak_started_on, day.streak), null, 'xp_profiles', day.user_id::text, day.at);
      paid := paid + 1;
    end if;
  end loop;
  return paid;
end
$$;
comment on function private.reward_streak_days(private.award_outbox[]) is
  'process_awards, step 5: a streak day that reaches a milestone pays its bonus, once (its idempotency key).';
revoke execute on function private.reward_streak_days(private.award_outbox[]) from public;

create function private.evaluate_rewards(items private.award_outbox[]) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  learner record;
begin
  -- Achievements: once per learner, for the criteria of what they did (xp_total with XP earned, streak with a new
  -- streak day).
  for learner in
    select i.user_id, array_agg(distinct c.criterion) as criteria, max(i.at) as at
    from unnest(items) i
    cross join lateral unnest(i.criteria || case when i.streak is not null then array['streak'] else '{}' end)
      c (criterion)
    where exists (select from public.profiles p where p.id = i.user_id)
    group by i.user_id
    order by i.user_id
  loop
    -- Only where an active achievement of these criteria exists, the platform's or one of the learner's
    -- organizations'.
    continue when not exists (
      select from public.achievements a
      where a.is_active and a.criteria = any (learner.criteria)
        and (a.organization_id is null
             or a.organization_id in (select m.organization_id from public.organization_members m
                                      where m.user_id = learner.user_id)));
    perform private.evaluate_achievements(learner.user_id, learner.criteria, learner.at);
  end loop;
  -- Challenges: once per learner and day with learning, where that day has challenges.
  for learner in
    select i.user_id, i.local_day, max(i.at) as at
    from unnest(items) i
    where i.local_day is not null
      and (i.learned > 0 or i.correct_answers + i.fast_answers + i.lessons_completed + i.perfect_scores > 0)
      and exists (select from public.daily_challenges g where g.challenge_date = i.local_day and g.is_active)
      and exists (select from public.profiles p where p.id = i.user_id)
    group by i.user_id, i.local_day
    order by i.user_id, i.local_day
  loop
    perform private.evaluate_challenges(learner.user_id, learner.local_day, learner.at);
  end loop;
end
$$;
comment on function private.evaluate_rewards(private.award_outbox[]) is
  'process_awards, step 6: unlocks achievements and completes challenges from the counters steps 1-5 brought up '
  'to date; their bonuses are ledger rows of their own, processed by a later run.';
revoke execute on function private.evaluate_rewards(private.award_outbox[]) from public;

create function private.count_board_ranks() returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  moved integer;
begin
  with lagging as (
    select e.user_id, e.organization_id, e.counted_xp as was
    from private.leaderboard_entries e
    where e.counted_xp <> e.lifetime_xp
    order by e.organization_id, e.user_id
    for update
  ), recounted as (
    update private.leaderboard_entries e set counted_xp = e.lifetime_xp
    from lagging l
    where e.user_id = l.user_id and e.organization_id = l.organization_id
    returning e.organization_id, l.was, e.counted_xp as now
  ), change as (
    select r.organization_id, l::smallint as level, r.was >> (6 * l) as bucket, -1 as members
    from recounted r, generate_series(0, 3) l
    union all
    select r.organization_id, l::smallint, r.now >> (6 * l), 1
    from recounted r, generate_series(0, 3) l
  ), counted as (
    insert into private.leaderboard_xp_counts as counts (organization_id, level, bucket, shard, members)
    select c.organization_id, c.level, c.bucket, 0, sum(c.members)
    from change c
    group by c.organization_id, c.level, c.bucket
    having sum(c.members) <> 0
    order by c.organization_id, c.level, c.bucket
    on conflict (organization_id, level, bucket, shard) do update set members = counts.members + excluded.members
    returning 1
  )
  select count(*) into moved from recounted;
  return moved;
end
$$;
comment on function private.count_board_ranks() is
  'process_awards, step 7: moves every board entry whose XP changed since it was counted to its new place in the '
  'rank counts (private.leaderboard_xp_counts), set-based; returns how many moved.';
revoke execute on function private.count_board_ranks() from public;

create function private.process_awards(batch_size integer default 1000) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  items private.award_outbox[];
begin
  if batch_size is null or batch_size not between 1 and 100000 then
    raise exception using errcode = '22023',
      message = format('batch_size must be between 1 and 100000, not %s', coalesce(batch_size::text, 'null'));
  end if;
  -- One run at a time, so that each learner's awards are applied in the order they were made (a concurrent
  -- run returns 0 at once).
  if not pg_try_advisory_xact_lock(hashtext('learnkit.process_awards')) then
    return 0;
  end if;

  -- 1. Take the oldest rows; deleted in this transaction, so a killed run leaves them for the next.
  with taken as (
    delete from private.award_outbox o
    where o.id in (select q.id from private.award_outbox q order by q.id limit batch_size)
    returning o
  )
  select array_agg(t.o order by (t.o).id) into items from taken t;
  if items is null then
    perform private.count_board_ranks();
    return 0;
  end if;
  -- 2. Their learners, locked as the answer path locks them (profile first), so neither waits on the other in
  -- a cycle.
  perform 1 from public.xp_profiles p
  where p.user_id in (select distinct i.user_id from unnest(items) i)
  order by p.user_id
  for update;

  perform private.count_organization_xp(items);
  perform private.count_activity_days(items);
  perform private.log_xp_events(items);
  perform private.record_answer_progress(items);
  perform private.reward_streak_days(items);
  perform private.evaluate_rewards(items);
  perform private.count_board_ranks();
  perform pg_notify('learnkit_awards_processed', cardinality(items)::text);
  return cardinality(items);
end
$$;
comment on function private.process_awards(integer) is
  'The process-awards job: applies up to batch_size queued awards and answers (private.award_outbox) in order, '
  'set-based, exactly once: organization XP, activity days, analytics events, progress, streak milestones, '
  'achievements and challenges, rank counts. Returns how many it applied (0: nothing queued, or another run holds '
  'the lock). Run it until it returns 0 to drain.';
revoke execute on function private.process_awards(integer) from public;
grant execute on function private.process_awards(integer) to service_role;

create function private.drain_awards(most integer default 100000) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  applied bigint := 0;
  batch integer;
begin
  -- Batch after batch, as the job runs: the bonuses one batch pays are queued rows of the next.
  loop
    batch := private.process_awards(1000);
    applied := applied + batch;
    exit when batch = 0 or applied >= most;
  end loop;
  return applied;
end
$$;
comment on function private.drain_awards(integer) is
  'Runs private.process_awards until the queue is empty (or `most` rows were applied, or another run holds the '
  'lock) in the caller''s transaction; returns the rows applied. pg_cron''s process-awards entry, seeds and tests.';
revoke execute on function private.drain_awards(integer) from public;
grant execute on function private.drain_awards(integer) to service_role;

-- ======================================================================
-- triggers
-- ======================================================================

create trigger skill_progress_count_mastered after insert or update of status on public.skill_progress
  for each row execute function private.trigger_count_mastered_skill();
