-- Gamification: per-organization rules under platform limits, the level curve, XP profiles and the
-- append-only ledger, XP per organization, streaks and freezes, achievements, daily challenges and the hint
-- economy. Students never write any of it: XP changes only through the award path (08_awards.sql).
-- Policies: one file per table in supabase/policies/.

-- ======================================================================
-- functions the tables use
-- ======================================================================

create function public.level_threshold(level integer) returns bigint
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return case when level <= 1 then 0::bigint
    else round(120 * (1 - power(1.3::double precision, level - 1)) / (1 - 1.3::double precision))::bigint end;
end
$$;
comment on function public.level_threshold(integer) is
  'XP needed to reach a level: round(120·(1−1.3^(n−1))/(1−1.3)); level 1 is 0, level 2 is 120.';
grant execute on function public.level_threshold(integer) to anon, authenticated, service_role;

create function public.level_for_xp(xp bigint) returns integer
language plpgsql immutable parallel safe
set search_path = ''
as $$
declare
  guess integer;
begin
  if xp is null or xp < 120 then
    return 1;
  end if;
  -- In double precision, as the loops below: numeric logarithms cost more than the rest of the update of a profile.
  guess := 1 + floor(ln(1 + xp * 0.3::double precision / 120) / ln(1.3::double precision))::integer;
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
comment on function public.level_for_xp(bigint) is 'The level reached with this much XP (at least 1).';
grant execute on function public.level_for_xp(bigint) to anon, authenticated, service_role;

create function public.pathiq_tier(level integer) returns text
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
comment on function public.pathiq_tier(integer) is
  'PathIQ tier of a level: explorer 1–4, pathfinder 5–9, trailblazer 10–14, navigator 15–19, pioneer 20–29, '
  'luminary 30+.';
grant execute on function public.pathiq_tier(integer) to anon, authenticated, service_role;

-- ======================================================================
-- tables
-- ======================================================================

create table public.gamification_settings (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  correct_first_try integer not null default 10 check (correct_first_try between 0 and 1000),
  correct_second_try integer not null default 5 check (correct_second_try between 0 and 1000),
  correct_later_try integer not null default 0 check (correct_later_try between 0 and 1000),
  lesson_complete integer not null default 20 check (lesson_complete between 0 and 10000),
  container_complete integer not null default 20 check (container_complete between 0 and 10000),
  perfect_score integer not null default 50 check (perfect_score between 0 and 10000),
  daily_xp_cap integer not null default 1000 check (daily_xp_cap between 0 and 1000000),
  rate_limit_awards integer not null default 60 check (rate_limit_awards between 1 and 100000),
  rate_limit_window_seconds integer not null default 60 check (rate_limit_window_seconds between 1 and 86400),
  fast_answer_ms integer not null default 5000 check (fast_answer_ms between 100 and 600000),
  free_hints_per_day integer not null default 10 check (free_hints_per_day between 0 and 1000),
  hint_cost integer not null default 5 check (hint_cost between 1 and 10000),
  streak_freeze_cost integer not null default 50 check (streak_freeze_cost between 1 and 100000),
  streak_milestones jsonb not null
    default '{"3": 10, "7": 50, "14": 100, "30": 250, "100": 1000, "365": 5000}'
    check (jsonb_typeof(streak_milestones) = 'object'),
  league_group_size integer not null default 30 check (league_group_size between 2 and 1000),
  league_promote_count integer not null default 5 check (league_promote_count between 0 and 100),
  league_demote_count integer not null default 5 check (league_demote_count between 0 and 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint gamification_settings_one_per_organization unique nulls not distinct (organization_id)
);
alter table public.gamification_settings enable row level security;
comment on table public.gamification_settings is
  'XP award rules, daily cap, rate limit, hint economy, streak and league settings. organization_id null: '
  'the platform defaults (service_role); otherwise an organization''s own rules (its admins).';
comment on column public.gamification_settings.daily_xp_cap is
  'Most learning XP (answers, lessons, sessions) one learner earns per local day; bonuses are not capped.';
comment on column public.gamification_settings.rate_limit_awards is
  'Most learning awards per learner within rate_limit_window_seconds; more raise SQLSTATE PT429.';
comment on column public.gamification_settings.streak_milestones is
  'Daily streak length → bonus XP, awarded once per streak when it reaches that length.';
revoke all on table public.gamification_settings from anon, authenticated;
grant select on table public.gamification_settings to authenticated;
grant insert (organization_id, correct_first_try, correct_second_try, correct_later_try, lesson_complete,
  container_complete, perfect_score, daily_xp_cap, rate_limit_awards, rate_limit_window_seconds, fast_answer_ms,
  free_hints_per_day, hint_cost, streak_freeze_cost, streak_milestones, league_group_size, league_promote_count,
  league_demote_count)
  on table public.gamification_settings to authenticated;
grant update (correct_first_try, correct_second_try, correct_later_try, lesson_complete, container_complete,
  perfect_score, daily_xp_cap, rate_limit_awards, rate_limit_window_seconds, fast_answer_ms, free_hints_per_day,
  hint_cost, streak_freeze_cost, streak_milestones, league_group_size, league_promote_count, league_demote_count)
  on table public.gamification_settings to authenticated;
grant delete on table public.gamification_settings to authenticated;
grant all on table public.gamification_settings to service_role;

create table public.xp_profiles (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  xp bigint not null default 0 check (xp >= 0),
  lifetime_xp bigint not null default 0 check (lifetime_xp >= 0),
  level integer generated always as (public.level_for_xp(lifetime_xp)) stored,
  next_level_xp bigint generated always as (public.level_threshold(public.level_for_xp(lifetime_xp) + 1)) stored,
  pathiq_tier text generated always as (public.pathiq_tier(public.level_for_xp(lifetime_xp))) stored,
  today date,
  today_xp integer not null default 0 check (today_xp >= 0),
  week_start date,
  week_xp integer not null default 0 check (week_xp >= 0),
  current_streak integer not null default 0 check (current_streak >= 0),
  best_streak integer not null default 0 check (best_streak >= 0),
  streak_started_on date,
  streak_last_day date,
  current_weekly_streak integer not null default 0 check (current_weekly_streak >= 0),
  best_weekly_streak integer not null default 0 check (best_weekly_streak >= 0),
  weekly_streak_last_week date,
  streak_freezes smallint not null default 0 check (streak_freezes between 0 and 2),
  correct_answers integer not null default 0 check (correct_answers >= 0),
  fast_answers integer not null default 0 check (fast_answers >= 0),
  lessons_completed integer not null default 0 check (lessons_completed >= 0),
  perfect_scores integer not null default 0 check (perfect_scores >= 0),
  skills_mastered integer not null default 0 check (skills_mastered >= 0),
  challenges_won integer not null default 0 check (challenges_won >= 0),
  achievements_unlocked integer not null default 0 check (achievements_unlocked >= 0),
  leaderboard_opt_out boolean not null default false,
  last_award_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  today_started_at timestamptz,
  today_learning_xp integer not null default 0 check (today_learning_xp >= 0),
  award_window_started_at timestamptz,
  award_window_awards integer not null default 0 check (award_window_awards >= 0)
);
alter table public.xp_profiles enable row level security;
comment on table public.xp_profiles is
  'PathIQ profile (1:1 with profiles): XP balance, lifetime XP, today''s/this week''s XP (local days), level, '
  'next_level_xp and pathiq_tier (generated from lifetime XP), streaks, freezes and achievement counters. '
  'Server-owned except leaderboard_opt_out.';
comment on column public.xp_profiles.xp is 'Spendable balance: earned minus spent (hints, freezes); never negative.';
comment on column public.xp_profiles.lifetime_xp is
  'All XP ever earned; level is generated from it, so spending XP never lowers a level.';
comment on column public.xp_profiles.today is 'The learner''s local day today_xp counts (time zone of profiles).';
comment on column public.xp_profiles.week_start is 'Monday of the local week week_xp counts.';
comment on column public.xp_profiles.streak_last_day is
  'Last local day the daily streak covers (an activity day); see docs/gamification.md for the rule.';
comment on column public.xp_profiles.leaderboard_opt_out is
  'Chosen by the learner: leaderboards still rank them but show them as "Anonymous learner".';
revoke all on table public.xp_profiles from anon, authenticated;
grant select on table public.xp_profiles to authenticated;
grant update (leaderboard_opt_out) on table public.xp_profiles to authenticated;
grant all on table public.xp_profiles to service_role;
comment on column public.xp_profiles.today_learning_xp is
  'Learning XP of the local day `today`: the daily cap reads it (the answer path counts no ledger).';
comment on column public.xp_profiles.award_window_started_at is
  'Start of the current rate-limit window of learning awards (a fixed window of the rules'' '
  'rate_limit_window_seconds); award_window_awards counts the awards in it.';
comment on column public.xp_profiles.today_started_at is
  'The real moment the learner''s current local day (today) began: local midnight, but never sooner than 24 '
  'hours after the previous day began (docs/gamification.md, time zones).';

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
create index xp_transactions_user_id_idx on public.xp_transactions (user_id, created_at desc);

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
create index xp_activity_days_streak_days_idx on public.xp_activity_days (user_id, local_day)
  where is_activity_day;
comment on index public.xp_activity_days_streak_days_idx is
  'recompute-streaks: activity days per learner in order, read index-only.';

create table public.streak_freezes (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  bought_on date not null,
  bought_at timestamptz not null default now(),
  consumed_on date,
  transaction_id bigint references public.xp_transactions (id) on delete set null,
  check (consumed_on is null or consumed_on >= bought_on)
);
alter table public.streak_freezes enable row level security;
comment on table public.streak_freezes is
  'Streak freezes a learner bought with XP (bought_on: their local day) and the missed day each one covered '
  '(consumed_on). At most 2 unused at a time. Server-owned.';
revoke all on table public.streak_freezes from anon, authenticated;
grant select on table public.streak_freezes to authenticated;
grant all on table public.streak_freezes to service_role;
create index streak_freezes_user_id_idx on public.streak_freezes (user_id, bought_on) where consumed_on is null;
create index streak_freezes_transaction_id_idx on public.streak_freezes (transaction_id);
create index streak_freezes_user_fk_idx on public.streak_freezes (user_id);

create table public.achievements (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
  name text not null check (char_length(name) between 2 and 100),
  description text not null check (char_length(description) <= 1000),
  icon_url text check (char_length(icon_url) <= 2000),
  criteria text not null check (criteria in (
    'xp_total', 'streak', 'lessons_completed', 'perfect_scores', 'skills_mastered', 'speed', 'challenges_won'
  )),
  target integer not null check (target > 0),
  rarity text not null default 'common' check (rarity in ('common', 'rare', 'epic', 'legendary')),
  is_secret boolean not null default false,
  xp_reward integer not null default 0 check (xp_reward between 0 and 100000),
  display_order integer not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint achievements_slug_unique unique nulls not distinct (organization_id, slug)
);
alter table public.achievements enable row level security;
comment on table public.achievements is
  'Achievement definitions: criteria (xp_total, streak = best daily streak, lessons_completed, perfect_scores, '
  'skills_mastered, speed = fast correct first tries, challenges_won), target, rarity, secret, XP reward. '
  'organization_id null: everyone''s (service_role); otherwise an organization''s own (its staff).';
revoke all on table public.achievements from anon, authenticated;
grant select on table public.achievements to authenticated;
grant insert (organization_id, slug, name, description, icon_url, criteria, target, rarity, is_secret, xp_reward,
  display_order, is_active) on table public.achievements to authenticated;
grant update (name, description, icon_url, rarity, is_secret, xp_reward, display_order, is_active)
  on table public.achievements to authenticated;
grant all on table public.achievements to service_role;
create index achievements_unlock_order_idx on public.achievements (criteria, organization_id, target, id)
where is_active;

create table public.user_achievements (
  user_id uuid not null references public.profiles (id) on delete cascade,
  achievement_id uuid not null references public.achievements (id) on delete cascade,
  progress integer not null default 0 check (progress >= 0),
  target integer not null check (target > 0),
  percentage smallint generated always as (least(100, progress * 100 / target)::smallint) stored,
  unlocked_at timestamptz,
  reward_transaction_id bigint references public.xp_transactions (id) on delete set null,
  updated_at timestamptz not null default now(),
  criteria text,
  organization_id uuid,
  primary key (user_id, achievement_id)
);
alter table public.user_achievements enable row level security;
revoke all on table public.user_achievements from anon, authenticated;
grant select on table public.user_achievements to authenticated;
grant all on table public.user_achievements to service_role;
comment on column public.user_achievements.criteria is
  'Server-owned: the achievement''s criteria, copied at unlock (index of the learner''s last unlock per criteria).';
comment on table public.user_achievements is
  'A learner''s unlocked achievements (unlocked once, reward paid once). Progress towards locked ones is derived '
  'from xp_profiles (public.get_my_achievements). Server-owned.';
comment on column public.user_achievements.organization_id is
  'Server-owned: the achievement''s organization (null: platform-wide), copied at unlock (index of the learner''s '
  'last unlock per criteria and organization).';
create index user_achievements_achievement_id_idx on public.user_achievements (achievement_id);
create index user_achievements_reward_transaction_id_idx on public.user_achievements (reward_transaction_id);
create index user_achievements_last_unlock_idx on public.user_achievements (
  user_id, criteria, coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), target, achievement_id
) where unlocked_at is not null;

create table public.daily_challenges (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  challenge_date date not null,
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
  name text not null check (char_length(name) between 2 and 200),
  description text not null check (char_length(description) <= 1000),
  challenge_type text not null check (challenge_type in (
    'correct_answers', 'xp_earned', 'lessons_completed', 'perfect_scores', 'fast_answers'
  )),
  target integer not null check (target > 0),
  xp_reward integer not null check (xp_reward between 1 and 100000),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint daily_challenges_slug_unique unique nulls not distinct (organization_id, challenge_date, slug)
);
alter table public.daily_challenges enable row level security;
comment on table public.daily_challenges is
  'A challenge for one local day: reach target correct answers / learning XP / lessons / perfect scores / '
  'fast answers that day for xp_reward bonus XP. organization_id null: everyone''s (service_role).';
revoke all on table public.daily_challenges from anon, authenticated;
grant select on table public.daily_challenges to authenticated;
grant insert (organization_id, challenge_date, slug, name, description, challenge_type, target, xp_reward, is_active)
  on table public.daily_challenges to authenticated;
grant update (name, description, target, xp_reward, is_active) on table public.daily_challenges to authenticated;
grant delete on table public.daily_challenges to authenticated;
grant all on table public.daily_challenges to service_role;
create index daily_challenges_date_idx on public.daily_challenges (challenge_date) where is_active;
create index daily_challenges_organization_id_idx on public.daily_challenges (organization_id, challenge_date);

create table public.challenge_progress (
  user_id uuid not null references public.profiles (id) on delete cascade,
  challenge_id uuid not null references public.daily_challenges (id) on delete cascade,
  progress integer not null default 0 check (progress >= 0),
  target integer not null check (target > 0),
  percentage smallint generated always as (least(100, progress * 100 / target)::smallint) stored,
  completed_at timestamptz,
  reward_transaction_id bigint references public.xp_transactions (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (user_id, challenge_id)
);
alter table public.challenge_progress enable row level security;
comment on table public.challenge_progress is
  'A learner''s progress on a daily challenge; completed once, with its bonus. Server-owned.';
revoke all on table public.challenge_progress from anon, authenticated;
grant select on table public.challenge_progress to authenticated;
grant all on table public.challenge_progress to service_role;
create index challenge_progress_challenge_id_idx on public.challenge_progress (challenge_id);
create index challenge_progress_reward_transaction_id_idx on public.challenge_progress (reward_transaction_id);

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
alter table public.hint_uses enable row level security;
comment on table public.hint_uses is
  'Every hint a learner took: free (cost 0) within the daily allowance, else paid with XP. Server-owned.';
revoke all on table public.hint_uses from anon, authenticated;
grant select on table public.hint_uses to authenticated;
grant all on table public.hint_uses to service_role;
create index hint_uses_user_day_idx on public.hint_uses (user_id, local_day);
create index hint_uses_question_id_idx on public.hint_uses (question_id);
create index hint_uses_transaction_id_idx on public.hint_uses (transaction_id);

create table public.platform_limits (
  id boolean primary key default true check (id),
  max_xp_per_answer integer not null default 100 check (max_xp_per_answer between 0 and 100000),
  max_learning_bonus integer not null default 500 check (max_learning_bonus between 0 and 100000),
  max_daily_xp_cap integer not null default 2000 check (max_daily_xp_cap between 0 and 1000000),
  max_rate_limit_awards integer not null default 60 check (max_rate_limit_awards between 1 and 100000),
  min_rate_limit_window_seconds integer not null default 60
    check (min_rate_limit_window_seconds between 1 and 86400),
  max_streak_bonus integer not null default 5000 check (max_streak_bonus between 0 and 100000),
  max_achievement_reward integer not null default 1000 check (max_achievement_reward between 0 and 100000),
  max_challenge_reward integer not null default 500 check (max_challenge_reward between 0 and 100000),
  max_achievements_per_organization integer not null default 200
    check (max_achievements_per_organization between 0 and 100000),
  max_daily_challenges_per_day integer not null default 20 check (max_daily_challenges_per_day between 0 and 1000),
  max_challenge_days_ahead integer not null default 60 check (max_challenge_days_ahead between 0 and 3660),
  updated_at timestamptz not null default now()
);
alter table public.platform_limits enable row level security;
comment on table public.platform_limits is
  'Bounds on every organization''s gamification rules, achievements and daily challenges (one row). Only '
  'service_role changes it; writes beyond it are refused with SQLSTATE 22023. See docs/gamification.md.';
comment on column public.platform_limits.max_xp_per_answer is
  'Most XP an organization may pay for one correct answer (correct_first_try, _second_try, _later_try).';
comment on column public.platform_limits.max_learning_bonus is
  'Most XP an organization may pay for a lesson, a container or a perfect score.';
comment on column public.platform_limits.max_daily_xp_cap is 'Highest daily_xp_cap an organization may set.';
comment on column public.platform_limits.max_rate_limit_awards is
  'Most learning awards an organization may allow per rate-limit window (rate_limit_awards).';
comment on column public.platform_limits.min_rate_limit_window_seconds is
  'Shortest rate-limit window an organization may set (rate_limit_window_seconds).';
comment on column public.platform_limits.max_streak_bonus is 'Most XP one streak milestone may pay.';
comment on column public.platform_limits.max_achievement_reward is 'Most XP one organization achievement may pay.';
comment on column public.platform_limits.max_challenge_reward is 'Most XP one organization daily challenge may pay.';
comment on column public.platform_limits.max_achievements_per_organization is
  'Most achievements (active or not) one organization may define.';
comment on column public.platform_limits.max_daily_challenges_per_day is
  'Most daily challenges one organization may define for one day.';
comment on column public.platform_limits.max_challenge_days_ahead is
  'How many days ahead an organization may define daily challenges (and none before yesterday), so the number it '
  'holds at a time stays bounded.';
revoke all on table public.platform_limits from anon, authenticated, service_role;
grant select on table public.platform_limits to authenticated;
grant select, update on table public.platform_limits to service_role;

create table public.organization_xp (
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  lifetime_xp bigint not null default 0 check (lifetime_xp >= 0),
  level integer generated always as (public.level_for_xp(lifetime_xp)) stored,
  today date,
  today_xp integer not null default 0 check (today_xp >= 0),
  week_start date,
  week_xp integer not null default 0 check (week_xp >= 0),
  updated_at timestamptz not null default now(),
  achievements_unlocked integer not null default 0 check (achievements_unlocked >= 0),
  correct_answers integer not null default 0 check (correct_answers >= 0),
  fast_answers integer not null default 0 check (fast_answers >= 0),
  lessons_completed integer not null default 0 check (lessons_completed >= 0),
  perfect_scores integer not null default 0 check (perfect_scores >= 0),
  challenges_won integer not null default 0 check (challenges_won >= 0),
  today_learning_xp integer not null default 0 check (today_learning_xp >= 0),
  today_correct_answers integer not null default 0 check (today_correct_answers >= 0),
  today_fast_answers integer not null default 0 check (today_fast_answers >= 0),
  today_lessons_completed integer not null default 0 check (today_lessons_completed >= 0),
  today_perfect_scores integer not null default 0 check (today_perfect_scores >= 0),
  primary key (user_id, organization_id)
);
alter table public.organization_xp enable row level security;
comment on column public.organization_xp.lifetime_xp is 'All XP earned in this organization (spending never lowers it).';
comment on column public.organization_xp.today is 'The learner''s local day today_xp counts.';
comment on column public.organization_xp.week_start is 'Monday of the local week week_xp counts.';
revoke all on table public.organization_xp from anon, authenticated;
grant select on table public.organization_xp to authenticated;
grant all on table public.organization_xp to service_role;
comment on column public.organization_xp.achievements_unlocked is
  'This organization''s achievements the learner unlocked (its achievements board adds the platform-wide ones).';
comment on column public.organization_xp.correct_answers is
  'Correct answers to this organization''s questions (what its speed-free answer achievements read).';
comment on column public.organization_xp.fast_answers is
  'Fast correct first tries on this organization''s questions (its speed achievements).';
comment on column public.organization_xp.lessons_completed is
  'This organization''s lessons completed with pay (its lessons_completed achievements).';
comment on column public.organization_xp.perfect_scores is
  'Perfect scores paid in this organization (its perfect_scores achievements).';
comment on column public.organization_xp.challenges_won is
  'This organization''s daily challenges won (its challenges_won achievements).';
comment on column public.organization_xp.today_learning_xp is
  'Learning XP earned here on the local day `today` (its xp_earned challenges).';
comment on column public.organization_xp.today_correct_answers is 'Correct answers here on the local day `today`.';
comment on column public.organization_xp.today_fast_answers is 'Fast answers here on the local day `today`.';
comment on column public.organization_xp.today_lessons_completed is 'Lessons completed here on the local day `today`.';
comment on column public.organization_xp.today_perfect_scores is 'Perfect scores here on the local day `today`.';
comment on table public.organization_xp is
  'XP a learner earned in one organization (lifetime, today, this week, the level it makes) and the counters its '
  'achievements and challenges read: what that organization''s boards, leagues, staff and rewards see. Written only '
  'by learnkit''s award path. XP of no organization counts here nowhere.';
create index organization_xp_organization_id_idx on public.organization_xp (organization_id, user_id);

-- ======================================================================
-- reference rows
-- ======================================================================

insert into public.gamification_settings (organization_id) values (null);

insert into public.platform_limits (id) values (true);

-- ======================================================================
-- functions
-- ======================================================================

create function private.gamification_rules(org uuid) returns public.gamification_settings
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
comment on function private.gamification_rules(uuid) is
  'The gamification settings that apply in an organization: its own row, else the platform defaults.';
revoke execute on function private.gamification_rules(uuid) from public;
grant execute on function private.gamification_rules(uuid) to service_role;

create function private.home_organization(learner uuid) returns uuid
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
revoke execute on function private.home_organization(uuid) from public;
grant execute on function private.home_organization(uuid) to service_role;
comment on function private.home_organization(uuid) is
  'The organization a learner first joined as a student (null if none): its rules and board take their answers to '
  'platform questions (no organization). XP paid with no organization is no longer counted there.';

create function private.trigger_create_xp_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.xp_profiles (user_id) values (new.id) on conflict do nothing;
  return null;
end
$$;
comment on function private.trigger_create_xp_profile() is 'Every new profile gets its PathIQ profile.';

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

create function private.learner_day(
  zone text, today date, today_started_at timestamptz, at timestamptz, out day date, out started_at timestamptz
)
language plpgsql stable
set search_path = ''
as $$
declare
  calendar_day date := (at at time zone zone)::date;
  previous_start timestamptz := coalesce(today_started_at, today::timestamp at time zone zone);
begin
  if today is null then
    day := calendar_day;  -- a first day
    started_at := calendar_day::timestamp at time zone zone;
  elsif at < previous_start then
    day := least(calendar_day, today);  -- a moment before the current day began (a backfill): its own date
    started_at := previous_start;
  elsif calendar_day > today and at >= previous_start + interval '24 hours' then
    day := calendar_day;
    started_at := greatest(calendar_day::timestamp at time zone zone, previous_start + interval '24 hours');
  else
    day := today;
    started_at := previous_start;
  end if;
end
$$;
comment on function private.learner_day(text, date, timestamptz, timestamptz) is
  'A learner''s local day at a moment, given their zone and current day: local midnight starts a day, never '
  'sooner than 24 hours after the previous one started, and days never go back. Returns the day and its start.';
revoke execute on function private.learner_day(text, date, timestamptz, timestamptz) from public;
grant execute on function private.learner_day(text, date, timestamptz, timestamptz) to service_role;

create function private.local_day(learner uuid, at timestamptz) returns date
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  zone text;
  current_day date;
  current_start timestamptz;
begin
  select coalesce(p.time_zone, 'UTC'), x.today, x.today_started_at into zone, current_day, current_start
  from public.profiles p left join public.xp_profiles x on x.user_id = p.id
  where p.id = learner;
  return (private.learner_day(coalesce(zone, 'UTC'), current_day, current_start, at)).day;
end
$$;
grant execute on function private.local_day(uuid, timestamptz) to service_role;
comment on function private.local_day(uuid, timestamptz) is
  'The learner''s local day at a moment: their time zone''s date, but a new day starts no sooner than 24 hours '
  'after the previous one (private.learner_day).';

create function private.evaluate_achievements(learner uuid, criteria text[], at timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  per_criterion constant integer := 10;
  pass text[] := evaluate_achievements.criteria;
  unlocked record;
  reward jsonb;
  count_unlocked integer := 0;
  count_pass integer;
  paid boolean;
begin
  if coalesce(current_setting('learnkit.evaluating_achievements', true), '') = 'on' then
    return 0;  -- a reward this evaluation pays: it runs the xp_total pass itself
  end if;
  perform set_config('learnkit.evaluating_achievements', 'on', true);
  for pass_number in 1..2 loop
    count_pass := 0;
    paid := false;
    for unlocked in
      -- The counters each scope's achievements read: the platform's (organization null) the learner's global ones;
      -- an organization's what the learner did there. Streak and mastered skills are global for both.
      with scope as (
        select null::uuid as organization_id, least(s.lifetime_xp, 2147483647)::integer as xp_total,
               s.best_streak as streak, s.lessons_completed, s.perfect_scores, s.skills_mastered,
               s.fast_answers as speed, s.challenges_won
        from public.xp_profiles s
        where s.user_id = learner
        union all
        select m.organization_id, least(coalesce(o.lifetime_xp, 0), 2147483647)::integer, s.best_streak,
               coalesce(o.lessons_completed, 0), coalesce(o.perfect_scores, 0), s.skills_mastered,
               coalesce(o.fast_answers, 0), coalesce(o.challenges_won, 0)
        from public.organization_members m
        join public.xp_profiles s on s.user_id = m.user_id
        left join public.organization_xp o on o.user_id = m.user_id and o.organization_id = m.organization_id
        where m.user_id = learner
      ),
      metric as (
        select c.criterion, scope.organization_id, case c.criterion
            when 'xp_total' then scope.xp_total
            when 'streak' then scope.streak
            when 'lessons_completed' then scope.lessons_completed
            when 'perfect_scores' then scope.perfect_scores
            when 'skills_mastered' then scope.skills_mastered
            when 'speed' then scope.speed
            when 'challenges_won' then scope.challenges_won end as value,
          coalesce(last.target, 0) as last_target,
          coalesce(last.achievement_id, '00000000-0000-0000-0000-000000000000'::uuid) as last_id
        from (select distinct unnest(pass) as criterion) c
        cross join scope
        left join lateral (
          select ua.target, ua.achievement_id from public.user_achievements ua
          where ua.user_id = learner and ua.criteria = c.criterion and ua.unlocked_at is not null
            and coalesce(ua.organization_id, '00000000-0000-0000-0000-000000000000'::uuid)
                = coalesce(scope.organization_id, '00000000-0000-0000-0000-000000000000'::uuid)
          order by ua.target desc, ua.achievement_id desc
          limit 1) last on true
      ),
      candidate as (
        select metric.criterion, a.id, a.target, a.name, a.xp_reward, a.organization_id
        from metric
        cross join lateral (
          (select a.id, a.target, a.name, a.xp_reward, a.organization_id from public.achievements a
           where metric.organization_id is null
             and a.is_active and a.criteria = metric.criterion and a.organization_id is null
             and (a.target, a.id) > (metric.last_target, metric.last_id) and a.target <= metric.value
           order by a.target, a.id
           limit per_criterion)
          union all
          (select a.id, a.target, a.name, a.xp_reward, a.organization_id from public.achievements a
           where a.is_active and a.criteria = metric.criterion and a.organization_id = metric.organization_id
             and (a.target, a.id) > (metric.last_target, metric.last_id) and a.target <= metric.value
           order by a.target, a.id
           limit per_criterion)) a
        where metric.value > 0
      ),
      picked as (
        select criterion, id, target, name, xp_reward, organization_id from (
          select candidate.*, row_number() over (partition by criterion order by target, id) as n from candidate) c
        where n <= per_criterion
      ),
      inserted as (
        insert into public.user_achievements as ua (user_id, achievement_id, criteria, organization_id, progress,
          target, unlocked_at, updated_at)
        select learner, picked.id, picked.criterion, picked.organization_id, picked.target, picked.target, at, at
        from picked
        on conflict (user_id, achievement_id) do update
          set criteria = excluded.criteria, organization_id = excluded.organization_id,
              progress = excluded.progress, target = excluded.target,
              unlocked_at = excluded.unlocked_at, updated_at = excluded.updated_at
          where ua.unlocked_at is null
        returning ua.achievement_id
      )
      select picked.id, picked.name, picked.xp_reward, picked.organization_id
      from inserted
      join picked on picked.id = inserted.achievement_id
      order by picked.id
    loop
      count_pass := count_pass + 1;
      if unlocked.xp_reward > 0 then
        -- Paid in the achievement's organization; a platform-wide one with no organization (no board).
        reward := private.increment_xp(learner, unlocked.xp_reward, 'achievement: ' || unlocked.name, 'achievement',
          'achievement:' || unlocked.id, unlocked.organization_id, 'achievements', unlocked.id::text, at);
        update public.user_achievements set reward_transaction_id = (reward ->> 'transaction_id')::bigint
        where user_id = learner and achievement_id = unlocked.id;
        paid := true;
      end if;
    end loop;
    if count_pass > 0 then
      update public.xp_profiles set achievements_unlocked = achievements_unlocked + count_pass
      where user_id = learner;
      count_unlocked := count_unlocked + count_pass;
    end if;
    exit when not paid;
    pass := array['xp_total'];  -- the rewards raised lifetime XP: one more pass, no further
  end loop;
  perform set_config('learnkit.evaluating_achievements', 'off', true);
  return count_unlocked;
end
$$;
grant execute on function private.evaluate_achievements(uuid, text[], timestamptz) to service_role;
comment on function private.evaluate_achievements(uuid, text[], timestamptz) is
  'Unlocks (once, with reward) a learner''s achievements of the given criteria that the counters of their scope '
  'reach (an organization''s: what was done there; the platform''s: the global ones): above the last one unlocked '
  'of each criteria and scope, at most 10 per criteria per call, one xp_total pass for the rewards.';

create function private.advance_streak(held public.xp_profiles, day date) returns public.xp_profiles
language plpgsql
security definer
set search_path = ''
as $$
declare
  learner constant uuid := held.user_id;
  profile public.xp_profiles := held;
  missed date;
  freeze_id bigint;
  broken boolean := false;
  week constant date := day - (extract(isodow from day)::integer - 1);
begin
  if held.streak_last_day is not null and day <= held.streak_last_day then
    return held;  -- already counted (or a day before it: streaks never go back)
  end if;

  if held.streak_last_day is null or held.current_streak = 0 then
    broken := true;
  else
    missed := held.streak_last_day + 1;
    while missed < day loop
      select id into freeze_id from public.streak_freezes
      where user_id = learner and consumed_on is null and bought_on <= missed
      order by bought_on, id
      limit 1;
      if freeze_id is null then
        broken := true;
        exit;
      end if;
      update public.streak_freezes set consumed_on = missed where id = freeze_id;
      missed := missed + 1;
    end loop;
    if missed > held.streak_last_day + 1 then
      profile.streak_freezes := (select count(*) from public.streak_freezes
                                 where user_id = learner and consumed_on is null);
    end if;
  end if;

  if broken then
    profile.current_streak := 1;
    profile.streak_started_on := day;
  else
    profile.current_streak := held.current_streak + 1;
  end if;
  profile.best_streak := greatest(held.best_streak, profile.current_streak);
  profile.streak_last_day := day;
  profile.current_weekly_streak := case
    when held.weekly_streak_last_week = week then held.current_weekly_streak
    when held.weekly_streak_last_week = week - 7 then held.current_weekly_streak + 1
    else 1 end;
  profile.best_weekly_streak := greatest(held.best_weekly_streak, profile.current_weekly_streak);
  profile.weekly_streak_last_week := week;
  return profile;
end
$$;
comment on function private.advance_streak(public.xp_profiles, date) is
  'The online streak rule, at a learner''s first learning XP of a local day: consumes freezes for missed days, '
  'extends or restarts the daily and weekly streaks. Returns the locked profile `held` with its streak columns '
  'advanced, for private.write_xp_change to write. Its milestone bonus and streak achievements come after, in '
  'private.process_awards (private.reward_streak_days).';
revoke execute on function private.advance_streak(public.xp_profiles, date) from public;

create function private.streak_is_alive(learner uuid, last_day date, today date) returns boolean
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  missed date;
  bought date;
begin
  if last_day is null then
    return false;
  end if;
  if today - last_day <= 1 then
    return true;
  end if;
  if today - last_day - 1 > 2 then
    return false;
  end if;
  missed := last_day + 1;
  for bought in
    select bought_on from public.streak_freezes
    where user_id = learner and consumed_on is null order by bought_on, id
  loop
    exit when missed >= today;
    if bought > missed then
      return false;
    end if;
    missed := missed + 1;
  end loop;
  return missed >= today;
end
$$;
comment on function private.streak_is_alive(uuid, date, date) is
  'True while the days missed since last_day can all be covered by the freezes held (see the streak rule).';
grant execute on function private.streak_is_alive(uuid, date, date) to service_role;

create function private.purchase_streak_freeze(learner uuid, idempotency_key text, at timestamptz default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  moment timestamptz := coalesce(at, now());
  key text := 'freeze:' || purchase_streak_freeze.idempotency_key;
  held integer;
  result jsonb;
begin
  perform 1 from public.xp_profiles where user_id = learner for update;
  result := private.replayed_xp_result(learner, key);
  if result is not null then
    return result;
  end if;
  select count(*) into held from public.streak_freezes where user_id = learner and consumed_on is null;
  if held >= 2 then
    raise exception using errcode = '23514', message = 'you already hold 2 streak freezes, the most allowed';
  end if;
  result := private.increment_xp(learner,
    -(private.gamification_rules(private.home_organization(learner))).streak_freeze_cost,
    'streak freeze', 'streak', key, private.home_organization(learner), 'streak_freezes', null, moment);
  insert into public.streak_freezes (user_id, bought_on, bought_at, transaction_id)
  values (learner, private.local_day(learner, moment), moment, (result ->> 'transaction_id')::bigint);
  update public.xp_profiles set streak_freezes = held + 1 where user_id = learner;
  return result;
end
$$;
comment on function private.purchase_streak_freeze(uuid, text, timestamptz) is
  'A learner buys a streak freeze with XP at a moment (default now); at most 2 held. Replays return the first result.';
grant execute on function private.purchase_streak_freeze(uuid, text, timestamptz) to service_role;

create function private.buy_streak_freeze(idempotency_key text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to buy a streak freeze';
  end if;
  return private.purchase_streak_freeze(auth.uid(), idempotency_key, now());
end
$$;
comment on function private.buy_streak_freeze(text) is 'The signed-in learner buys a streak freeze, now.';
grant execute on function private.buy_streak_freeze(text) to authenticated, service_role;

create function public.buy_streak_freeze(idempotency_key text) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.buy_streak_freeze(idempotency_key)
$$;
comment on function public.buy_streak_freeze(text) is
  'Buy a streak freeze with XP (cost per organization, default 50; at most 2 held). Errors: 23514 when 2 are '
  'held or XP is short.';
grant execute on function public.buy_streak_freeze(text) to authenticated, service_role;

create function private.my_streak() returns table (
  current_streak integer, best_streak integer, is_alive boolean, streak_started_on date, streak_last_day date,
  current_weekly_streak integer, best_weekly_streak integer, freezes_held integer, local_today date
)
language sql stable
security definer
set search_path = ''
as $$
  with me as (
    select s.*, private.local_day(s.user_id, now()) as local_now
    from public.xp_profiles s where s.user_id = (select auth.uid())
  )
  select
    case when private.streak_is_alive(me.user_id, me.streak_last_day, me.local_now) then me.current_streak else 0 end,
    me.best_streak,
    private.streak_is_alive(me.user_id, me.streak_last_day, me.local_now),
    me.streak_started_on, me.streak_last_day,
    case when me.weekly_streak_last_week >= me.local_now - (extract(isodow from me.local_now)::integer - 1) - 7
      then me.current_weekly_streak else 0 end,
    me.best_weekly_streak, me.streak_freezes, me.local_now
  from me
$$;
comment on function private.my_streak() is 'The signed-in learner''s streaks as of now in their time zone.';
grant execute on function private.my_streak() to authenticated, service_role;

create function public.get_my_streak() returns table (
  current_streak integer, best_streak integer, is_alive boolean, streak_started_on date, streak_last_day date,
  current_weekly_streak integer, best_weekly_streak integer, freezes_held integer, local_today date
)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.my_streak()
$$;
comment on function public.get_my_streak() is
  'The signed-in learner''s streaks as of now in their time zone: a streak whose missed days no freeze can '
  'cover shows 0; a weekly streak shows 0 once a whole local week passed without activity.';
grant execute on function public.get_my_streak() to authenticated, service_role;

create function private.unlocked_achievement_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select achievement_id from public.user_achievements
  where user_id = (select auth.uid()) and unlocked_at is not null
$$;
comment on function private.unlocked_achievement_ids() is 'Achievements the current user has unlocked.';
grant execute on function private.unlocked_achievement_ids() to authenticated, service_role;

create function private.evaluate_challenges(learner uuid, day date, at timestamptz) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  won record;
  reward jsonb;
  count_won integer := 0;
begin
  -- The platform's challenges read the learner's day everywhere; an organization's, what they did there that day.
  insert into public.challenge_progress as p (user_id, challenge_id, progress, target)
  select learner, c.id, least(c.value, c.target), c.target
  from (
    select g.id, g.target, case g.challenge_type
        when 'correct_answers' then d.correct_answers
        when 'xp_earned' then d.learning_xp
        when 'lessons_completed' then d.lessons_completed
        when 'perfect_scores' then d.perfect_scores
        when 'fast_answers' then d.fast_answers end as value
    from public.xp_activity_days d
    join public.daily_challenges g on g.organization_id is null and g.challenge_date = d.local_day and g.is_active
    where d.user_id = learner and d.local_day = day
    union all
    select g.id, g.target, case g.challenge_type
        when 'correct_answers' then o.today_correct_answers
        when 'xp_earned' then o.today_learning_xp
        when 'lessons_completed' then o.today_lessons_completed
        when 'perfect_scores' then o.today_perfect_scores
        when 'fast_answers' then o.today_fast_answers end
    from public.organization_members m
    join public.organization_xp o on o.user_id = m.user_id and o.organization_id = m.organization_id and o.today = day
    join public.daily_challenges g
      on g.organization_id = m.organization_id and g.challenge_date = day and g.is_active
    where m.user_id = learner) c
  where c.value > 0
  on conflict (user_id, challenge_id) do update
    set progress = excluded.progress, updated_at = at
    where p.completed_at is null and p.progress < excluded.progress;

  for won in
    update public.challenge_progress p set completed_at = at, updated_at = at
    from public.daily_challenges c
    where p.user_id = learner and c.id = p.challenge_id and c.challenge_date = day
      and p.completed_at is null and p.progress >= p.target
    returning p.challenge_id, c.name, c.xp_reward, c.organization_id
  loop
    count_won := count_won + 1;
    -- Paid in the challenge's organization; a platform-wide one with no organization (no board).
    reward := private.increment_xp(learner, won.xp_reward, 'daily challenge: ' || won.name, 'challenge',
      'challenge:' || won.challenge_id, won.organization_id, 'daily_challenges', won.challenge_id::text, at);
    update public.challenge_progress set reward_transaction_id = (reward ->> 'transaction_id')::bigint
    where user_id = learner and challenge_id = won.challenge_id;
    if won.organization_id is not null then
      insert into public.organization_xp as o (user_id, organization_id, challenges_won)
      select learner, won.organization_id, 1
      on conflict (user_id, organization_id) do update set challenges_won = o.challenges_won + 1, updated_at = at;
    end if;
  end loop;
  if count_won > 0 then
    update public.xp_profiles set challenges_won = challenges_won + count_won where user_id = learner;
    perform private.evaluate_achievements(learner, array['challenges_won'], at);
  end if;
  return count_won;
end
$$;
grant execute on function private.evaluate_challenges(uuid, date, timestamptz) to service_role;
comment on function private.evaluate_challenges(uuid, date, timestamptz) is
  'Updates a learner''s progress on the day''s challenges of their organizations (from what they did there that '
  'day) and the platform''s (from their whole day); pays each bonus once, in the challenge''s organization.';

create function private.my_challenges() returns table (
  challenge_id uuid, name text, description text, challenge_type text, target integer, xp_reward integer,
  progress integer, percentage smallint, completed_at timestamptz, challenge_date date
)
language sql stable
security definer
set search_path = ''
as $$
  select c.id, c.name, c.description, c.challenge_type, c.target, c.xp_reward,
         coalesce(p.progress, 0), coalesce(p.percentage, 0::smallint), p.completed_at, c.challenge_date
  from public.daily_challenges c
  left join public.challenge_progress p on p.challenge_id = c.id and p.user_id = (select auth.uid())
  where c.is_active
    and c.challenge_date = private.local_day((select auth.uid()), now())
    and (c.organization_id is null or c.organization_id in (select private.member_org_ids()))
  order by c.xp_reward, c.name
$$;
comment on function private.my_challenges() is 'Today''s challenges (the learner''s local day) with their progress.';
grant execute on function private.my_challenges() to authenticated, service_role;

create function public.get_my_challenges() returns table (
  challenge_id uuid, name text, description text, challenge_type text, target integer, xp_reward integer,
  progress integer, percentage smallint, completed_at timestamptz, challenge_date date
)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.my_challenges()
$$;
comment on function public.get_my_challenges() is
  'The signed-in learner''s challenges for their local today, with progress and completion.';
grant execute on function public.get_my_challenges() to authenticated, service_role;

create function private.take_hint(learner uuid, question uuid, idempotency_key text,
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
grant execute on function private.take_hint(uuid, uuid, text, timestamptz) to service_role;
comment on function private.take_hint(uuid, uuid, text, timestamptz) is
  'A learner takes a question''s hint (from question_hints): free within the day''s allowance, else paid with XP '
  '(23514 if short).';
revoke execute on function private.take_hint(uuid, uuid, text, timestamptz) from public;
grant execute on function private.take_hint(uuid, uuid, text, timestamptz) to service_role;

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
grant execute on function private.use_my_hint(uuid, text) to authenticated, service_role;

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
grant execute on function public.use_hint(uuid, text) to authenticated, service_role;

create function private.platform_limits() returns public.platform_limits
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  limits public.platform_limits;
begin
  select * into limits from public.platform_limits where id;
  if not found then
    limits := row(true, 100, 500, 2000, 60, 60, 5000, 1000, 500, 200, 20, 60, now());  -- the defaults
  end if;
  return limits;
end
$$;
comment on function private.platform_limits() is 'The platform''s limits (its defaults if the row is missing).';
revoke execute on function private.platform_limits() from public;
grant execute on function private.platform_limits() to service_role;

create function private.check_platform_limit(
  setting text, value bigint, bound bigint, limit_name text, at_least boolean default false
) returns void
language plpgsql immutable
set search_path = ''
as $$
begin
  if value is not null and (case when at_least then value < bound else value > bound end) then
    raise exception using errcode = '22023',
      message = format('%s %s is %s the platform limit %s = %s', setting, value,
                       case when at_least then 'below' else 'above' end, limit_name, bound),
      hint = 'Platform limits (public.platform_limits) bound every organization''s rules; the platform''s '
             'operators set them.';
  end if;
end
$$;
comment on function private.check_platform_limit(text, bigint, bigint, text, boolean) is
  'Refuses (22023) a setting beyond a platform limit, naming both.';
revoke execute on function private.check_platform_limit(text, bigint, bigint, text, boolean) from public;

create function private.trigger_limit_gamification_settings() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  limits public.platform_limits := private.platform_limits();
  milestone record;
begin
  if new.organization_id is null then
    return new;  -- the platform defaults: service_role's
  end if;
  perform private.check_platform_limit('correct_first_try', new.correct_first_try, limits.max_xp_per_answer,
    'max_xp_per_answer');
  perform private.check_platform_limit('correct_second_try', new.correct_second_try, limits.max_xp_per_answer,
    'max_xp_per_answer');
  perform private.check_platform_limit('correct_later_try', new.correct_later_try, limits.max_xp_per_answer,
    'max_xp_per_answer');
  perform private.check_platform_limit('lesson_complete', new.lesson_complete, limits.max_learning_bonus,
    'max_learning_bonus');
  perform private.check_platform_limit('container_complete', new.container_complete, limits.max_learning_bonus,
    'max_learning_bonus');
  perform private.check_platform_limit('perfect_score', new.perfect_score, limits.max_learning_bonus,
    'max_learning_bonus');
  perform private.check_platform_limit('daily_xp_cap', new.daily_xp_cap, limits.max_daily_xp_cap, 'max_daily_xp_cap');
  perform private.check_platform_limit('rate_limit_awards', new.rate_limit_awards, limits.max_rate_limit_awards,
    'max_rate_limit_awards');
  perform private.check_platform_limit('rate_limit_window_seconds', new.rate_limit_window_seconds,
    limits.min_rate_limit_window_seconds, 'min_rate_limit_window_seconds', at_least => true);
  for milestone in select key, value from jsonb_each(new.streak_milestones) loop
    if milestone.key !~ '^[1-9][0-9]{0,4}$' or jsonb_typeof(milestone.value) <> 'number'
       or milestone.value::text !~ '^[0-9]{1,9}$' then
      raise exception using errcode = '22023',
        message = format('streak_milestones must map streak lengths (1 to 99999 days) to whole XP amounts, not %s: %s',
                         milestone.key, milestone.value);
    end if;
    perform private.check_platform_limit(format('streak_milestones[%s]', milestone.key), milestone.value::text::bigint,
      limits.max_streak_bonus, 'max_streak_bonus');
  end loop;
  return new;
end
$$;
comment on function private.trigger_limit_gamification_settings() is
  'gamification_settings: an organization''s rules stay within public.platform_limits (22023 otherwise).';
revoke execute on function private.trigger_limit_gamification_settings() from public;

create function private.trigger_limit_achievements() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  limits public.platform_limits;
  defined integer;
begin
  if new.organization_id is null then
    return new;  -- platform-wide achievements: service_role's
  end if;
  limits := private.platform_limits();
  perform private.check_platform_limit('xp_reward', new.xp_reward, limits.max_achievement_reward,
    'max_achievement_reward');
  if tg_op = 'INSERT' or new.organization_id is distinct from old.organization_id then
    -- One writer per organization at a time, so concurrent inserts cannot pass the count together.
    perform pg_advisory_xact_lock(hashtextextended('achievements:' || new.organization_id::text, 0));
    select count(*) into defined from public.achievements where organization_id = new.organization_id;
    if defined >= limits.max_achievements_per_organization then
      raise exception using errcode = '22023',
        message = format('an organization may define at most %s achievements (platform limit '
                         'max_achievements_per_organization)', limits.max_achievements_per_organization),
        hint = 'Deactivate or change an existing achievement instead.';
    end if;
  end if;
  return new;
end
$$;
comment on function private.trigger_limit_achievements() is
  'achievements: an organization''s rewards and number of achievements stay within public.platform_limits.';
revoke execute on function private.trigger_limit_achievements() from public;

create function private.trigger_limit_daily_challenges() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  limits public.platform_limits;
  defined integer;
begin
  if new.organization_id is null then
    return new;  -- platform-wide challenges: service_role's
  end if;
  limits := private.platform_limits();
  perform private.check_platform_limit('xp_reward', new.xp_reward, limits.max_challenge_reward,
    'max_challenge_reward');
  if tg_op = 'INSERT' or (new.organization_id, new.challenge_date) is distinct from (old.organization_id,
                                                                                     old.challenge_date) then
    if new.challenge_date < current_date - 1
       or new.challenge_date > current_date + limits.max_challenge_days_ahead then
      raise exception using errcode = '22023',
        message = format('challenge_date %s is outside the days an organization may define challenges for: from '
                         'yesterday to %s days ahead (platform limit max_challenge_days_ahead)', new.challenge_date,
                         limits.max_challenge_days_ahead);
    end if;
    perform pg_advisory_xact_lock(hashtextextended('daily_challenges:' || new.organization_id::text, 0));
    select count(*) into defined from public.daily_challenges
    where organization_id = new.organization_id and challenge_date = new.challenge_date;
    if defined >= limits.max_daily_challenges_per_day then
      raise exception using errcode = '22023',
        message = format('an organization may define at most %s daily challenges a day (platform limit '
                         'max_daily_challenges_per_day)', limits.max_daily_challenges_per_day);
    end if;
  end if;
  return new;
end
$$;
comment on function private.trigger_limit_daily_challenges() is
  'daily_challenges: an organization''s rewards and challenges per day stay within public.platform_limits.';
revoke execute on function private.trigger_limit_daily_challenges() from public;

create function private.trigger_mirror_organization_xp() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The answer path raises the entry itself (live boards); process_awards counts organization_xp later, so
  -- a value copied from here may be older than the entry's and never lowers it.
  update private.leaderboard_entries e set
    lifetime_xp = greatest(e.lifetime_xp, new.lifetime_xp),
    today = greatest(e.today, new.today),
    today_xp = case when e.today is null or new.today > e.today then new.today_xp
                    when new.today = e.today then greatest(e.today_xp, new.today_xp) else e.today_xp end,
    week_start = greatest(e.week_start, new.week_start),
    week_xp = case when e.week_start is null or new.week_start > e.week_start then new.week_xp
                   when new.week_start = e.week_start then greatest(e.week_xp, new.week_xp) else e.week_xp end
  where e.user_id = new.user_id and e.organization_id = new.organization_id
    and (e.lifetime_xp < new.lifetime_xp or e.today is distinct from greatest(e.today, new.today)
         or e.week_start is distinct from greatest(e.week_start, new.week_start)
         or (new.today = e.today and new.today_xp > e.today_xp)
         or (new.week_start = e.week_start and new.week_xp > e.week_xp));
  return null;
end
$$;
comment on function private.trigger_mirror_organization_xp() is
  'organization_xp: raises the learner''s entry on the organization''s boards to its XP (never lowers it: the '
  'answer path keeps entries live, organization_xp is counted after it).';
revoke execute on function private.trigger_mirror_organization_xp() from public;

create function private.rebuild_organization_xp(learners uuid[]) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  rebuilt bigint;
begin
  delete from public.organization_xp where user_id = any (learners);
  with earned as (
    select t.user_id, t.organization_id, t.amount, t.category, t.source_table, t.reason, t.local_day,
           t.local_day - (extract(isodow from t.local_day)::integer - 1) as week_start
    from public.xp_transactions t
    where t.user_id = any (learners) and t.kind = 'earned' and t.organization_id is not null
      and t.organization_id in (select o.id from public.organizations o)
  ), counted as (
    select e.*, case when e.source_table = 'answer_attempts' then 1 else 0 end as correct,
           case when e.category = 'learning' and e.reason = 'lesson complete' then 1 else 0 end as lessons,
           case when e.category = 'learning' and e.reason = 'perfect score' then 1 else 0 end as perfect,
           case when e.category = 'challenge' then 1 else 0 end as won,
           case when e.category = 'learning' then e.amount else 0 end as learned
    from earned e
  ), latest as (
    select c.user_id, c.organization_id, max(c.local_day) as today, max(c.week_start) as week_start
    from counted c
    group by c.user_id, c.organization_id
  )
  insert into public.organization_xp (user_id, organization_id, lifetime_xp, today, today_xp, week_start, week_xp,
    correct_answers, lessons_completed, perfect_scores, challenges_won, today_learning_xp, today_correct_answers,
    today_lessons_completed, today_perfect_scores)
  select l.user_id, l.organization_id, sum(c.amount), l.today,
         coalesce(sum(c.amount) filter (where c.local_day = l.today), 0), l.week_start,
         coalesce(sum(c.amount) filter (where c.week_start = l.week_start), 0),
         sum(c.correct), sum(c.lessons), sum(c.perfect), sum(c.won),
         coalesce(sum(c.learned) filter (where c.local_day = l.today), 0),
         coalesce(sum(c.correct) filter (where c.local_day = l.today), 0),
         coalesce(sum(c.lessons) filter (where c.local_day = l.today), 0),
         coalesce(sum(c.perfect) filter (where c.local_day = l.today), 0)
  from latest l
  join counted c on c.user_id = l.user_id and c.organization_id = l.organization_id
  group by l.user_id, l.organization_id, l.today, l.week_start;
  get diagnostics rebuilt = row_count;
  insert into public.organization_xp as o (user_id, organization_id, achievements_unlocked)
  select ua.user_id, a.organization_id, count(*)
  from public.user_achievements ua
  join public.achievements a on a.id = ua.achievement_id
  where ua.user_id = any (learners) and ua.unlocked_at is not null and a.organization_id is not null
  group by ua.user_id, a.organization_id
  on conflict (user_id, organization_id) do update set achievements_unlocked = excluded.achievements_unlocked;
  update private.leaderboard_entries e
  set achievements_unlocked = coalesce((select o.achievements_unlocked from public.organization_xp o
                                        where o.user_id = e.user_id and o.organization_id = e.organization_id), 0)
  where e.user_id = any (learners);
  -- Entries show exactly what was rebuilt (the mirror trigger only ever raises them).
  update private.leaderboard_entries e set
    lifetime_xp = o.lifetime_xp, today = o.today, today_xp = o.today_xp, week_start = o.week_start,
    week_xp = o.week_xp
  from public.organization_xp o
  where e.user_id = any (learners) and o.user_id = e.user_id and o.organization_id = e.organization_id
    and (e.lifetime_xp, e.today, e.today_xp, e.week_start, e.week_xp)
        is distinct from (o.lifetime_xp, o.today, o.today_xp, o.week_start, o.week_xp);
  -- Entries of organizations where they earned nothing show 0.
  update private.leaderboard_entries e set lifetime_xp = 0, today = null, today_xp = 0, week_start = null, week_xp = 0
  where e.user_id = any (learners)
    and not exists (select from public.organization_xp o
                    where o.user_id = e.user_id and o.organization_id = e.organization_id)
    and (e.lifetime_xp, e.today_xp, e.week_xp) is distinct from (0, 0, 0);
  return rebuilt;
end
$$;
revoke execute on function private.rebuild_organization_xp(uuid[]) from public;
grant execute on function private.rebuild_organization_xp(uuid[]) to service_role;
comment on function private.rebuild_organization_xp(uuid[]) is
  'Recomputes the learners'' organization_xp from the ledger (XP of no organization counts nowhere; correct '
  'answers, lessons, perfect scores and challenges won from the rows that paid them; unpaid and fast answers are '
  'not in the ledger) and achievements unlocked, and their board entries. For restores and repairs.';

create function private.organization_weekly_xp(learner uuid, organization uuid, week_start date) returns integer
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  -- created_at bounds the ledger range read through (user_id, created_at): a local day lies within a
  -- couple of days of the UTC date whatever the time zone (and its 24-hour rule).
  return (
    select coalesce(sum(t.amount), 0)::integer from public.xp_transactions t
    where t.user_id = learner and t.organization_id = organization and t.kind = 'earned'
      and t.local_day between organization_weekly_xp.week_start and organization_weekly_xp.week_start + 6
      and t.created_at >= (organization_weekly_xp.week_start - 3)::timestamp at time zone 'UTC'
      and t.created_at < (organization_weekly_xp.week_start + 11)::timestamp at time zone 'UTC');
end
$$;
comment on function private.organization_weekly_xp(uuid, uuid, date) is
  'XP a learner earned in one organization on the local days of a week (what its league ranks).';
revoke execute on function private.organization_weekly_xp(uuid, uuid, date) from public;
grant execute on function private.organization_weekly_xp(uuid, uuid, date) to service_role;

create function private.trigger_count_unlocked_achievement() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner uuid;
begin
  if new.unlocked_at is null or (tg_op = 'UPDATE' and old.unlocked_at is not null) then
    return null;
  end if;
  select a.organization_id into owner from public.achievements a where a.id = new.achievement_id;
  if owner is not null then  -- a platform-wide achievement (global counters) counts on no board
    insert into public.organization_xp as o (user_id, organization_id, achievements_unlocked)
    select new.user_id, owner, 1
    on conflict (user_id, organization_id) do update set
      achievements_unlocked = o.achievements_unlocked + 1, updated_at = now();
    update private.leaderboard_entries set achievements_unlocked = achievements_unlocked + 1
    where user_id = new.user_id and organization_id = owner;
  end if;
  return null;
end
$$;
revoke execute on function private.trigger_count_unlocked_achievement() from public;
comment on function private.trigger_count_unlocked_achievement() is
  'user_achievements: an unlock counts on its organization''s achievements board (a platform-wide one on none).';

create function private.platform_achievements_unlocked(learner uuid) returns integer
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (select count(*)::integer from public.user_achievements ua
          join public.achievements a on a.id = ua.achievement_id
          where ua.user_id = learner and ua.unlocked_at is not null and a.organization_id is null);
end
$$;
comment on function private.platform_achievements_unlocked(uuid) is
  'How many platform-wide achievements (no organization) a learner unlocked.';
revoke execute on function private.platform_achievements_unlocked(uuid) from public;

create function public.get_my_achievements()
returns table (
  achievement_id uuid, slug text, name text, description text, icon_url text, criteria text, target integer,
  rarity text, xp_reward integer, progress integer, percentage smallint, unlocked_at timestamptz
)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  -- Security invoker: the achievements policies decide which definitions (secret ones once unlocked) are seen.
  return query
    select a.id, a.slug, a.name, a.description, a.icon_url, a.criteria, a.target, a.rarity, a.xp_reward,
           coalesce(ua.progress, least(metric.value, a.target)),
           coalesce(ua.percentage, least(100, least(metric.value, a.target) * 100 / a.target)::smallint),
           ua.unlocked_at
    from public.xp_profiles s
    cross join public.achievements a
    left join public.user_achievements ua on ua.user_id = s.user_id and ua.achievement_id = a.id
    cross join lateral (select case a.criteria
        when 'xp_total' then least(s.lifetime_xp, 2147483647)::integer
        when 'streak' then s.best_streak
        when 'lessons_completed' then s.lessons_completed
        when 'perfect_scores' then s.perfect_scores
        when 'skills_mastered' then s.skills_mastered
        when 'speed' then s.fast_answers
        when 'challenges_won' then s.challenges_won end as value) metric
    where s.user_id = (select auth.uid()) and (a.is_active or ua.unlocked_at is not null)
    order by ua.unlocked_at is null, a.display_order, a.name;
end
$$;
comment on function public.get_my_achievements() is
  'The signed-in learner''s achievements they may see, with progress (derived from their counters until '
  'unlocked) and when each was unlocked.';
revoke execute on function public.get_my_achievements() from public;
grant execute on function public.get_my_achievements() to authenticated, service_role;

-- ======================================================================
-- triggers
-- ======================================================================

create trigger gamification_settings_set_updated_at before update on public.gamification_settings
  for each row execute function private.trigger_set_updated_at();

create trigger profiles_create_xp_profile after insert on public.profiles
  for each row execute function private.trigger_create_xp_profile();

create trigger xp_transactions_append_only before update or delete on public.xp_transactions
  for each row execute function private.trigger_keep_ledger_append_only();

create trigger xp_profiles_set_updated_at before update on public.xp_profiles
  for each row when (new.updated_at is not distinct from old.updated_at)
  execute function private.trigger_set_updated_at();

create trigger platform_limits_set_updated_at before update on public.platform_limits
  for each row execute function private.trigger_set_updated_at();

create trigger gamification_settings_within_platform_limits before insert or update
  on public.gamification_settings
  for each row execute function private.trigger_limit_gamification_settings();

create trigger achievements_within_platform_limits before insert or update on public.achievements
  for each row execute function private.trigger_limit_achievements();

create trigger daily_challenges_within_platform_limits before insert or update on public.daily_challenges
  for each row execute function private.trigger_limit_daily_challenges();

create trigger organization_xp_mirror_leaderboard after insert or update on public.organization_xp
  for each row execute function private.trigger_mirror_organization_xp();

create trigger user_achievements_count_unlocked after insert or update of unlocked_at on public.user_achievements
  for each row execute function private.trigger_count_unlocked_achievement();

create trigger achievements_bound_input before insert or update on public.achievements
  for each row execute function private.trigger_bound_input(
    'criteria:2000', 'description:1000', 'icon_url:2000', 'name:100', 'rarity:50', 'slug:100');

create trigger daily_challenges_bound_input before insert or update on public.daily_challenges
  for each row execute function private.trigger_bound_input(
    'challenge_type:50', 'description:1000', 'name:200', 'slug:100');

create trigger gamification_settings_bound_input before insert or update on public.gamification_settings
  for each row execute function private.trigger_bound_input(
    'streak_milestones:16384:json');
