-- bound everything the API roles can send
--
-- Until now a signed-in student could store a 96 MB answer: answer_attempts.answer,
-- like most text, jsonb and array columns anon or authenticated may write, had no size
-- limit, and where a limit existed it was a check constraint (SQLSTATE 23514, which
-- names a constraint, not the input). Now:
--
-- * every column the API roles hold INSERT or UPDATE privilege on, of type text, jsonb or
--   an array, is bounded by a BEFORE INSERT OR UPDATE trigger `<table>_bound_input`
--   whose arguments list each such column with its limit: 'column:limit' in characters
--   for text, 'column:limit:json' in bytes of the JSON text for jsonb and arrays (an
--   answer: 16 KB). Over the limit the statement fails with SQLSTATE 22001 naming the
--   column, its size and the limit, before any other trigger or constraint runs, and
--   nothing is stored.
--   Existing check constraints stay (the trigger repeats their maximum, so the API sees
--   22001 first; they still guard every other writer). Server-only columns are not
--   listed. tests/test_trust_inputs.py enumerates the writable columns from the catalog
--   and fails for any one no trigger bounds, so a new column cannot slip through.
-- * RPC arguments: submit_answer's answer and idempotency key are stored in
--   answer_attempts (bounded there), use_hint's key is checked by private.take_hint,
--   buy_streak_freeze's by private.increment_xp (22023), leaderboard metric, period and
--   scope are checked against their lists; progress_report_location() now checks its
--   period first (22001) instead of echoing a megabyte of it into a 42501 message.
-- A check constraint cannot raise 22001, hence triggers (domains would rewrite the
-- tables and every view and function typed by their columns). Not destructive.

-- ---------------------------------------------------------------- functions
create function private.check_input_bounds(target regclass, item jsonb, limits text[])
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  spec text;
  field text;
  max_size bigint;
  value jsonb;
  size bigint;
begin
  foreach spec in array limits loop
    field := split_part(spec, ':', 1);
    max_size := split_part(spec, ':', 2)::bigint;
    value := item -> field;
    if value is null or jsonb_typeof(value) = 'null' then
      continue;
    elsif split_part(spec, ':', 3) <> 'json' then
      size := char_length(value #>> '{}');
      if size > max_size then
        raise exception using
          errcode = '22001',
          message = format('%s.%s is too long: %s characters, at most %s allowed', target, field, size, max_size);
      end if;
    else
      size := octet_length(value::text);
      if size > max_size then
        raise exception using
          errcode = '22001',
          message = format('%s.%s is too large: %s bytes of JSON, at most %s allowed', target, field, size,
                           max_size);
      end if;
    end if;
  end loop;
end
$$;
comment on function private.check_input_bounds(regclass, jsonb, text[]) is
  'Raises 22001 when a field of `item` (a row as jsonb) is over its limit; `limits` are ''column:limit'' '
  '(characters, for text) or ''column:limit:json'' (bytes of the JSON text, for jsonb and arrays) strings. '
  'Used by trigger_bound_input().';
revoke execute on function private.check_input_bounds(regclass, jsonb, text[]) from public;
grant execute on function private.check_input_bounds(regclass, jsonb, text[])
  to anon, authenticated, service_role;

create function private.trigger_bound_input()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.check_input_bounds(tg_relid::regclass, to_jsonb(new), tg_argv);
  return new;
end
$$;
comment on function private.trigger_bound_input() is
  'BEFORE INSERT OR UPDATE trigger: the columns named in its arguments (''column:limit[:json]'') are within '
  'their limits, else 22001.';
revoke execute on function private.trigger_bound_input() from public;

create function private.check_argument_length(argument text, value text, max_length integer)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if char_length(value) > max_length then
    raise exception using
      errcode = '22001',
      message = format('argument %s is too long: %s characters, at most %s allowed', argument,
                       char_length(value), max_length);
  end if;
  return value;
end
$$;
comment on function private.check_argument_length(text, text, integer) is
  'Returns `value` when it has at most `max_length` characters, else raises 22001 naming the RPC argument.';
revoke execute on function private.check_argument_length(text, text, integer) from public;
grant execute on function private.check_argument_length(text, text, integer) to anon, authenticated, service_role;

-- ---------------------------------------------------------------- rpc arguments
create or replace function public.progress_report_location(student uuid, period text)
returns table (object_path text, target text, location text, period_start date, period_end date,
               generated_at timestamptz)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  perform private.check_argument_length('period', period, 20);
  -- Row level security decides: the student and their linked guardians see the row, nobody else does.
  return query
    select r.object_path, r.target, r.location, r.period_start, r.period_end, r.generated_at
    from public.progress_reports r
    where r.student_id = progress_report_location.student and r.period = progress_report_location.period;
  if not found then
    raise exception using
      errcode = '42501',
      message = format('no progress report of student %s for %s that you may fetch', student, period),
      hint = 'Only the student and their linked guardians can fetch a report, once the weekly job wrote it.';
  end if;
end
$$;
comment on function public.progress_report_location(uuid, text) is
  'Where the weekly progress report of `student` for ISO week `period` (e.g. 2026-W47) is, if the caller is '
  'the student or a linked guardian; raises 42501 otherwise (and when there is no such report), 22001 for a '
  'period over 20 characters.';

-- create or replace keeps the grants; restated so this file alone says who may call it.
revoke execute on function public.progress_report_location(uuid, text) from public;
grant execute on function public.progress_report_location(uuid, text) to authenticated, service_role;

-- ---------------------------------------------------------------- triggers
-- One per table the API roles write, naming each text, jsonb or array column they may
-- insert or update (defaults: 2,000 characters, 16,384 bytes of JSON).
create trigger achievements_bound_input before insert or update on public.achievements
  for each row execute function private.trigger_bound_input(
    'criteria:2000', 'description:1000', 'icon_url:2000', 'name:100', 'rarity:50', 'slug:100');
create trigger analytics_events_bound_input before insert or update on public.analytics_events
  for each row execute function private.trigger_bound_input(
    'event_data:16384:json', 'event_type:2000');
create trigger answer_attempts_bound_input before insert or update on public.answer_attempts
  for each row execute function private.trigger_bound_input(
    'answer:16384:json', 'idempotency_key:200', 'raw_input:10000');
create trigger assessments_bound_input before insert or update on public.assessments
  for each row execute function private.trigger_bound_input(
    'exercise_prompt:10000', 'response_format:50', 'student_response:10000');
create trigger chat_messages_bound_input before insert or update on public.chat_messages
  for each row execute function private.trigger_bound_input(
    'attachments:16384:json', 'content:100000', 'message_type:50');
create trigger chat_sessions_bound_input before insert or update on public.chat_sessions
  for each row execute function private.trigger_bound_input(
    'context_snapshot:65536:json', 'title:200');
create trigger coding_attempts_bound_input before insert or update on public.coding_attempts
  for each row execute function private.trigger_bound_input(
    'language:50', 'submitted_code:200000');
create trigger concept_prerequisites_bound_input before insert or update on public.concept_prerequisites
  for each row execute function private.trigger_bound_input(
    'reason:2000');
create trigger concepts_bound_input before insert or update on public.concepts
  for each row execute function private.trigger_bound_input(
    'code:200', 'description:10000', 'key_vocabulary:16384:json', 'learning_objectives:16384:json', 'name:255');
create trigger content_examples_bound_input before insert or update on public.content_examples
  for each row execute function private.trigger_bound_input(
    'example_text:10000', 'interactive_element:16384:json', 'interest_tags:16384:json');
create trigger content_hooks_bound_input before insert or update on public.content_hooks
  for each row execute function private.trigger_bound_input(
    'hook_text:4000', 'hook_type:50', 'sub_category:100');
create trigger courses_bound_input before insert or update on public.courses
  for each row execute function private.trigger_bound_input(
    'description:20000', 'duration_label:100', 'grade_levels:16384:json', 'kind:50', 'settings:16384:json',
    'short_description:500', 'slug:200', 'tags:16384:json', 'title:200');
create trigger daily_challenges_bound_input before insert or update on public.daily_challenges
  for each row execute function private.trigger_bound_input(
    'challenge_type:50', 'description:1000', 'name:200', 'slug:100');
create trigger error_logs_bound_input before insert or update on public.error_logs
  for each row execute function private.trigger_bound_input(
    'affected_feature:200', 'error_code:50', 'error_message:10000', 'error_type:100', 'request_data:16384:json',
    'service_name:100', 'severity:50', 'stack_trace:100000');
create trigger feedback_bound_input before insert or update on public.feedback
  for each row execute function private.trigger_bound_input(
    'feedback_text:5000', 'feedback_type:50');
create trigger gamification_settings_bound_input before insert or update on public.gamification_settings
  for each row execute function private.trigger_bound_input(
    'streak_milestones:16384:json');
create trigger guardian_actions_bound_input before insert or update on public.guardian_actions
  for each row execute function private.trigger_bound_input(
    'action:100', 'details:16384:json', 'reason:2000', 'target_table:63');
create trigger guardianships_bound_input before insert or update on public.guardianships
  for each row execute function private.trigger_bound_input(
    'relationship:100');
create trigger journey_summaries_bound_input before insert or update on public.journey_summaries
  for each row execute function private.trigger_bound_input(
    'career:100', 'companion:100');
create trigger learning_sessions_bound_input before insert or update on public.learning_sessions
  for each row execute function private.trigger_bound_input(
    'client_info:16384:json', 'config:16384:json', 'content:65536:json', 'device_type:100', 'engagement:16384:json',
    'idle_periods:16384:json', 'interactions:65536:json', 'mode:30', 'raw_metrics:65536:json');
create trigger lesson_notes_bound_input before insert or update on public.lesson_notes
  for each row execute function private.trigger_bound_input(
    'language_code:35', 'note_content:100000', 'title:200', 'tool_calls:65536:json', 'tool_calls_content:65536:json');
create trigger lesson_progress_bound_input before insert or update on public.lesson_progress
  for each row execute function private.trigger_bound_input(
    'last_position:16384:json');
create trigger lessons_bound_input before insert or update on public.lessons
  for each row execute function private.trigger_bound_input(
    'code_example:50000', 'content:200000', 'description:10000', 'explanation:50000', 'key_points:16384:json',
    'lesson_code:100', 'title:200');
create trigger media_assets_bound_input before insert or update on public.media_assets
  for each row execute function private.trigger_bound_input(
    'bucket_id:100', 'metadata:16384:json', 'mime_type:255', 'object_path:1024', 'title:200');
create trigger organization_members_bound_input before insert or update on public.organization_members
  for each row execute function private.trigger_bound_input(
    'permissions:16384:json');
create trigger organizations_bound_input before insert or update on public.organizations
  for each row execute function private.trigger_bound_input(
    'billing_email:320', 'name:200', 'settings:16384:json', 'slug:200');
create trigger profiles_bound_input before insert or update on public.profiles
  for each row execute function private.trigger_bound_input(
    'avatar_url:2000', 'bio:2000', 'career_interests:16384:json', 'full_name:200', 'interests:16384:json',
    'learning_goals:16384:json', 'learning_style_indicators:16384:json', 'life_category_weights:16384:json',
    'locale:35', 'nickname:50', 'philanthropic_interests:16384:json', 'preferences:16384:json', 'time_zone:64');
create trigger question_answer_keys_bound_input before insert or update on public.question_answer_keys
  for each row execute function private.trigger_bound_input(
    'accepted_answers:16384:json', 'correct_answer:16384:json', 'expected_output:10000', 'test_cases:65536:json');
create trigger question_hints_bound_input before insert or update on public.question_hints
  for each row execute function private.trigger_bound_input(
    'hint:2000');
create trigger questions_bound_input before insert or update on public.questions
  for each row execute function private.trigger_bound_input(
    'category:100', 'display_format:50', 'operation:10', 'operation2:10', 'options:16384:json', 'prompt:16384:json',
    'tags:16384:json', 'units:50');
create trigger tests_bound_input before insert or update on public.tests
  for each row execute function private.trigger_bound_input(
    'instructions:10000', 'title:200');
create trigger textbooks_bound_input before insert or update on public.textbooks
  for each row execute function private.trigger_bound_input(
    'difficulty_range:100', 'grade_levels:16384:json', 'isbn:20', 'publisher:200', 'title:255');
create trigger user_settings_bound_input before insert or update on public.user_settings
  for each row execute function private.trigger_bound_input(
    'app_theme:50', 'color_scheme:20', 'font_size:50', 'notifications:16384:json', 'preferred_input_method:50');
