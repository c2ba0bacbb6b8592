-- create platform limits
--
-- Issue 14, item 4 ("an economy no one can mint"). Any signed-in user can
-- found an organization and so become its admin; an admin writes the
-- organization's gamification_settings, achievements and daily challenges.
-- Until now only wide check constraints bounded them (1,000 XP per answer, a
-- daily cap of 1,000,000, achievement rewards of 100,000 each and as many
-- achievements and challenges, for any dates, as one cares to define), so an organization
-- could pay its members almost anything. public.platform_limits holds the
-- bounds every organization's rules must respect, with safe defaults; only
-- service_role writes it (one row, no insert or delete). Triggers refuse, with
-- SQLSTATE 22023 and a message naming the setting and the limit, any write of
-- an organization's rules, achievements or challenges beyond them (the platform
-- defaults and platform-wide achievements and challenges, organization_id
-- null, are service_role's own and not bounded). Lowering a limit does not
-- rewrite rules already stored: the next write of such a row must respect it.

-- ---------------------------------------------------------------- platform_limits
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

create trigger platform_limits_set_updated_at before update on public.platform_limits
  for each row execute function private.trigger_set_updated_at();

insert into public.platform_limits (id) values (true);

-- ---------------------------------------------------------------- checks
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

-- Raises 22023 when value is above the platform's maximum (or, with at_least, below its minimum).
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

create trigger gamification_settings_within_platform_limits before insert or update
  on public.gamification_settings
  for each row execute function private.trigger_limit_gamification_settings();

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

create trigger achievements_within_platform_limits before insert or update on public.achievements
  for each row execute function private.trigger_limit_achievements();

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

create trigger daily_challenges_within_platform_limits before insert or update on public.daily_challenges
  for each row execute function private.trigger_limit_daily_challenges();

revoke execute on function
  private.platform_limits(),
  private.check_platform_limit(text, bigint, bigint, text, boolean),
  private.trigger_limit_gamification_settings(),
  private.trigger_limit_achievements(),
  private.trigger_limit_daily_challenges()
  from public;
grant execute on function private.platform_limits() to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/platform_limits.sql
-- Policies of public.platform_limits: every signed-in user reads the limits
-- (an admin's settings screen shows them); only service_role changes them
-- (no write privileges for authenticated).

create policy "Signed-in users can read the platform limits"
  on public.platform_limits for select to authenticated
  using (true);
