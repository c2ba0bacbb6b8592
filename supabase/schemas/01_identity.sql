-- Identity: a profile per auth user (made by a trigger on auth.users), the user's settings, and the clean-up
-- when an account is deleted (Storage objects are queued for the Storage API, never deleted in SQL).
-- Policies: supabase/policies/profiles.sql, user_settings.sql.

-- ======================================================================
-- types
-- ======================================================================

create type public.grade_level as enum (
  'pre_k', 'k', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', 'adult'
);
comment on type public.grade_level is 'School grade of a learner: pre-kindergarten to grade 12, or adult.';

-- ======================================================================
-- tables
-- ======================================================================

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  nickname text not null check (char_length(nickname) between 2 and 50),
  full_name text check (char_length(full_name) <= 200),
  avatar_url text check (char_length(avatar_url) <= 2000),
  bio text check (char_length(bio) <= 2000),
  grade_level public.grade_level,
  birthday date check (birthday > date '1900-01-01'),
  time_zone text not null default 'UTC',
  locale text not null default 'en' check (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  learning_goals text[] not null default '{}',
  interests jsonb not null default '[]' check (jsonb_typeof(interests) = 'array'),
  career_interests jsonb not null default '[]' check (jsonb_typeof(career_interests) = 'array'),
  philanthropic_interests jsonb not null default '[]' check (jsonb_typeof(philanthropic_interests) = 'array'),
  learning_style_indicators jsonb not null default '{}' check (jsonb_typeof(learning_style_indicators) = 'object'),
  life_category_weights jsonb not null
    default '{"personal": 0.25, "social": 0.25, "career": 0.25, "philanthropic": 0.25}'
    check (jsonb_typeof(life_category_weights) = 'object'),
  preferences jsonb not null default '{}' check (jsonb_typeof(preferences) = 'object'),
  last_active_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.profiles enable row level security;
comment on table public.profiles is
  'A learner''s or adult''s profile, 1:1 with auth.users, created by the sign-up trigger.';
comment on column public.profiles.time_zone is 'IANA time zone; streaks and review dates use local days.';
comment on column public.profiles.interests is 'Spool interview results: [{interest, category, strength}].';
comment on column public.profiles.last_active_at is 'Server-owned: set by activity triggers.';
revoke all on table public.profiles from anon, authenticated;
grant select on table public.profiles to authenticated;
grant update (
  nickname, full_name, avatar_url, bio, grade_level, birthday, time_zone, locale, learning_goals,
  interests, career_interests, philanthropic_interests, learning_style_indicators,
  life_category_weights, preferences
) on table public.profiles to authenticated;
grant all on table public.profiles to service_role;
create index profiles_last_active_at_idx on public.profiles (last_active_at);

create table public.user_settings (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  app_theme text not null default 'system' check (app_theme in ('light', 'dark', 'system')),
  font_size text not null default 'medium' check (font_size in ('small', 'medium', 'large')),
  color_scheme text not null default 'default' check (char_length(color_scheme) <= 20),
  prefers_assistive_learning boolean not null default false,
  preferred_input_method text not null default 'keyboard'
    check (preferred_input_method in ('keyboard', 'touch', 'voice', 'handwriting', 'mouse')),
  daily_goal_minutes smallint not null default 15 check (daily_goal_minutes between 1 and 600),
  preferred_session_minutes smallint not null default 45 check (preferred_session_minutes between 1 and 600),
  reminder_time time,
  sound_effects boolean not null default true,
  voice_feedback boolean not null default false,
  show_hints boolean not null default true,
  adaptive_learning boolean not null default true,
  spaced_repetition boolean not null default true,
  notifications jsonb not null default '{}' check (jsonb_typeof(notifications) = 'object'),
  keep_practice_history boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.user_settings enable row level security;
comment on table public.user_settings is 'Per-user preferences (1:1 with profiles), created on sign-up.';
comment on column public.user_settings.keep_practice_history is
  'Opt-in: keep practice sessions beyond the retention window instead of anonymising them.';
revoke all on table public.user_settings from anon, authenticated;
grant select on table public.user_settings to authenticated;
grant update (
  app_theme, font_size, color_scheme, prefers_assistive_learning, preferred_input_method,
  daily_goal_minutes, preferred_session_minutes, reminder_time, sound_effects, voice_feedback,
  show_hints, adaptive_learning, spaced_repetition, notifications, keep_practice_history
) on table public.user_settings to authenticated;
grant all on table public.user_settings to service_role;

create table private.storage_purge_queue (
  bucket_id text not null,
  object_name text not null,
  queued_at timestamptz not null default now(),
  primary key (bucket_id, object_name)
);
comment on table private.storage_purge_queue is
  'Storage objects of deleted users, to be removed through the Storage API by a worker.';
grant all on table private.storage_purge_queue to service_role;
alter table private.storage_purge_queue enable row level security;

-- ======================================================================
-- functions
-- ======================================================================

create function private.trigger_create_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  nickname text := left(btrim(coalesce(
    nullif(btrim(meta ->> 'nickname'), ''),
    nullif(btrim(meta ->> 'full_name'), ''),
    nullif(split_part(new.email, '@', 1), ''),
    'learner')), 50);
  requested_zone text := coalesce(meta ->> 'time_zone', meta ->> 'timezone');
  requested_grade text := lower(meta ->> 'grade_level');
  requested_locale text := coalesce(meta ->> 'locale', meta ->> 'preferred_language');
begin
  insert into public.profiles (id, nickname, full_name, avatar_url, grade_level, time_zone, locale, preferences)
  values (
    new.id,
    case when char_length(nickname) < 2 then 'learner' else nickname end,
    left(meta ->> 'full_name', 200),
    left(meta ->> 'avatar_url', 2000),
    case when requested_grade = any (enum_range(null::public.grade_level)::text[])
      then requested_grade::public.grade_level end,
    case when private.is_valid_time_zone(requested_zone) then requested_zone else 'UTC' end,
    case when requested_locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' then requested_locale else 'en' end,
    case when jsonb_typeof(meta -> 'preferences') = 'object' then meta -> 'preferences' else '{}'::jsonb end
  );
  insert into public.user_settings (user_id) values (new.id);
  return new;
end
$$;
comment on function private.trigger_create_profile() is
  'Sign-up: creates the profile and settings from raw_user_meta_data (nickname, full_name, avatar_url, '
  'grade_level, time_zone, locale, preferences); invalid values fall back to defaults.';

create function private.trigger_release_storage_objects() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.storage_purge_queue (bucket_id, object_name)
  select bucket_id, name from storage.objects where owner = old.id
  on conflict do nothing;
  update storage.objects set owner = null where owner = old.id;
  return old;
end
$$;
comment on function private.trigger_release_storage_objects() is
  'On account deletion: queues the user''s Storage objects for purge and clears their owner.';

-- ======================================================================
-- triggers
-- ======================================================================

create trigger profiles_set_updated_at before update on public.profiles
  for each row execute function private.trigger_set_updated_at();

create trigger profiles_validate_time_zone before insert or update of time_zone on public.profiles
  for each row execute function private.trigger_validate_time_zone();

create trigger user_settings_set_updated_at before update on public.user_settings
  for each row execute function private.trigger_set_updated_at();

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.trigger_create_profile();

create trigger profiles_release_storage_objects after delete on public.profiles
  for each row execute function private.trigger_release_storage_objects();

-- Of the bounded columns only: process-awards' last_active_at updates never fire it.
create trigger profiles_bound_input
  before insert or update of avatar_url, bio, career_interests, full_name, interests, learning_goals,
    learning_style_indicators, life_category_weights, locale, nickname, philanthropic_interests, preferences,
    time_zone on public.profiles
  for each row execute function private.trigger_bound_input(
    'avatar_url:2000', 'bio:2000', 'career_interests:16384:json', 'full_name:200', 'interests:16384:json',
    'learning_goals:16384:json', 'learning_style_indicators:16384:json', 'life_category_weights:16384:json',
    'locale:35', 'nickname:50', 'philanthropic_interests:16384:json', 'preferences:16384:json', 'time_zone:64');

create trigger user_settings_bound_input before insert or update on public.user_settings
  for each row execute function private.trigger_bound_input(
    'app_theme:50', 'color_scheme:20', 'font_size:50', 'notifications:16384:json', 'preferred_input_method:50');
