-- create session detail retention
--
-- The Math engine's rule "keep session details for 6 months, then only the
-- summary": private.strip_session_details(at) clears the detail columns of
-- learning sessions that finished (or started, if never finished) longer ago
-- than lifecycle_settings.session_details_kept_for. The summary stays: type,
-- mode, subject/course/lesson/concept, status, counters, accuracy, score,
-- mastery gained, XP and times. Destructive by design (the summary is the
-- aggregate the policy keeps); idempotent: a stripped session is not touched again.

create function private.strip_session_details(at timestamptz) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  kept_for interval := (select session_details_kept_for from private.lifecycle_settings);
  stripped bigint;
begin
  update public.learning_sessions
  set config = '{}', content = '{}', raw_metrics = null, interactions = '[]', idle_periods = '[]',
      engagement = '{}', client_info = '{}', feedback = null
  where coalesce(ended_at, started_at) < at - kept_for
    and (config <> '{}' or content <> '{}' or raw_metrics is not null or interactions <> '[]'
         or idle_periods <> '[]' or engagement <> '{}' or client_info <> '{}' or feedback is not null);
  get diagnostics stripped = row_count;
  return stripped;
end
$$;
comment on function private.strip_session_details(timestamptz) is
  'Clears the detail columns (config, content, raw_metrics, interactions, idle_periods, engagement, '
  'client_info, feedback) of sessions past session_details_kept_for at `at`; returns sessions stripped.';
revoke execute on function private.strip_session_details(timestamptz) from public;
