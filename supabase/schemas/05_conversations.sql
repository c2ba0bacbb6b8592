-- Conversations: tutor chat sessions and messages, AI usage, notifications, feedback and error logs. All of
-- it is the owner's (and their guardians') only: staff authority does not reach it.
-- Policies: one file per table in supabase/policies/.

-- ======================================================================
-- types
-- ======================================================================

create type public.chat_context as enum ('general_chat', 'lesson_chat', 'assessment_help', 'course_guidance');

create type public.chat_sender as enum ('user', 'tutor', 'system');

-- ======================================================================
-- tables
-- ======================================================================

create table public.chat_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  title text check (char_length(title) <= 200),
  context public.chat_context not null default 'general_chat',
  context_snapshot jsonb,
  course_id uuid references public.courses (id) on delete set null,
  lesson_id uuid references public.lessons (id) on delete set null,
  test_id uuid references public.tests (id) on delete set null,
  is_active boolean not null default true,
  last_message_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.chat_sessions enable row level security;
comment on table public.chat_sessions is
  'A tutor conversation of a learner, optionally about a course, lesson or test; updated_at follows the last message.';
revoke all on table public.chat_sessions from anon, authenticated;
grant select, delete on table public.chat_sessions to authenticated;
grant insert (user_id, title, context, context_snapshot, course_id, lesson_id, test_id)
  on table public.chat_sessions to authenticated;
grant update (title, is_active) on table public.chat_sessions to authenticated;
grant all on table public.chat_sessions to service_role;
create index chat_sessions_user_id_idx on public.chat_sessions (user_id, updated_at desc);
create index chat_sessions_course_id_idx on public.chat_sessions (course_id);
create index chat_sessions_lesson_id_idx on public.chat_sessions (lesson_id);
create index chat_sessions_test_id_idx on public.chat_sessions (test_id);

create table public.chat_messages (
  id uuid primary key default gen_random_uuid(),
  chat_id uuid not null references public.chat_sessions (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  sequence bigint generated always as identity,
  sender public.chat_sender not null default 'user',
  message_type text not null default 'text' check (message_type in ('text', 'code', 'explanation')),
  content text check (char_length(content) <= 100000),
  tool_calls jsonb not null default '[]' check (jsonb_typeof(tool_calls) = 'array'),
  tool_calls_content jsonb not null default '[]' check (jsonb_typeof(tool_calls_content) = 'array'),
  attachments jsonb not null default '[]' check (jsonb_typeof(attachments) = 'array'),
  created_at timestamptz not null default now()
);
alter table public.chat_messages enable row level security;
comment on table public.chat_messages is
  'Ordered messages of a chat (sequence): user, tutor or system, with tool calls and attachments. '
  'user_id is the chat owner''s, copied by a trigger.';
revoke all on table public.chat_messages from anon, authenticated;
grant select on table public.chat_messages to authenticated;
grant insert (chat_id, message_type, content, attachments) on table public.chat_messages to authenticated;
grant all on table public.chat_messages to service_role;
create index chat_messages_chat_sequence_idx on public.chat_messages (chat_id, sequence desc);
create index chat_messages_user_id_idx on public.chat_messages (user_id);
create index chat_messages_tutor_idx on public.chat_messages (created_at) where sender = 'tutor';

create table public.ai_usage (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  chat_id uuid references public.chat_sessions (id) on delete set null,
  exercise_generation_id uuid references public.exercise_generations (id) on delete set null,
  interaction_type text not null,
  model text,
  input_data jsonb,
  output_data jsonb,
  prompt_tokens integer not null default 0 check (prompt_tokens >= 0),
  completion_tokens integer not null default 0 check (completion_tokens >= 0),
  total_tokens integer generated always as (prompt_tokens + completion_tokens) stored,
  latency_ms integer check (latency_ms >= 0),
  cost_usd numeric(10, 6),
  created_at timestamptz not null default now()
);
alter table public.ai_usage enable row level security;
comment on table public.ai_usage is
  'One AI call (AI Learning Assistant ai_interactions): tokens, latency, cost. Written by the server only.';
revoke all on table public.ai_usage from anon, authenticated;
grant select on table public.ai_usage to authenticated;
grant all on table public.ai_usage to service_role;
create index ai_usage_user_id_idx on public.ai_usage (user_id, created_at desc);
create index ai_usage_chat_id_idx on public.ai_usage (chat_id);
create index ai_usage_exercise_generation_id_idx on public.ai_usage (exercise_generation_id);

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  type text not null check (type ~ '^[a-z][a-z_]{1,49}$'),
  title text not null check (char_length(title) <= 200),
  message text not null check (char_length(message) <= 2000),
  action_url text,
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  is_read boolean not null default false,
  read_at timestamptz,
  created_at timestamptz not null default now()
);
alter table public.notifications enable row level security;
comment on table public.notifications is
  'A message to one user (achievement, nudge, report ready, ...); created by the server, marked read by the user.';
revoke all on table public.notifications from anon, authenticated;
grant select, delete on table public.notifications to authenticated;
grant update (is_read) on table public.notifications to authenticated;
grant all on table public.notifications to service_role;
create index notifications_user_id_idx on public.notifications (user_id, created_at desc);
create index notifications_unread_idx on public.notifications (user_id) where not is_read;

create table public.feedback (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  feedback_type text not null default 'content'
    check (feedback_type in ('content', 'tutor', 'bug', 'feature', 'other')),
  course_id uuid references public.courses (id) on delete set null,
  lesson_id uuid references public.lessons (id) on delete set null,
  test_id uuid references public.tests (id) on delete set null,
  chat_message_id uuid references public.chat_messages (id) on delete set null,
  rating smallint check (rating between 1 and 5),
  feedback_text text check (char_length(feedback_text) <= 5000),
  created_at timestamptz not null default now(),
  check (rating is not null or feedback_text is not null)
);
alter table public.feedback enable row level security;
comment on table public.feedback is 'A rating (1-5) and/or comment from a user on content, the tutor or the app.';
revoke all on table public.feedback from anon, authenticated;
grant select on table public.feedback to authenticated;
grant insert (user_id, feedback_type, course_id, lesson_id, test_id, chat_message_id, rating, feedback_text)
  on table public.feedback to authenticated;
grant all on table public.feedback to service_role;
create index feedback_user_id_idx on public.feedback (user_id, created_at desc);
create index feedback_course_id_idx on public.feedback (course_id);
create index feedback_lesson_id_idx on public.feedback (lesson_id);
create index feedback_test_id_idx on public.feedback (test_id);
create index feedback_chat_message_id_idx on public.feedback (chat_message_id);

create table public.error_logs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid default auth.uid() references public.profiles (id) on delete cascade,
  service_name text not null check (char_length(service_name) <= 100),
  error_type text not null check (char_length(error_type) <= 100),
  error_code text check (char_length(error_code) <= 50),
  error_message text not null check (char_length(error_message) <= 10000),
  stack_trace text check (char_length(stack_trace) <= 100000),
  request_data jsonb,
  response_data jsonb,
  severity text not null default 'medium' check (severity in ('low', 'medium', 'high', 'critical')),
  affected_feature text,
  user_impact boolean not null default false,
  resolved boolean not null default false,
  resolved_at timestamptz,
  resolution_notes text,
  created_at timestamptz not null default now()
);
alter table public.error_logs enable row level security;
comment on table public.error_logs is
  'Errors reported by clients (as the signed-in user) or services (service_role); resolution is the server''s.';
revoke all on table public.error_logs from anon, authenticated;
grant select on table public.error_logs to authenticated;
grant insert (user_id, service_name, error_type, error_code, error_message, stack_trace, request_data,
  severity, affected_feature)
  on table public.error_logs to authenticated;
grant all on table public.error_logs to service_role;
create index error_logs_created_at_idx on public.error_logs (created_at);
create index error_logs_user_id_idx on public.error_logs (user_id);
create index error_logs_unresolved_idx on public.error_logs (severity, service_name) where not resolved;

-- ======================================================================
-- functions
-- ======================================================================

create function private.trigger_attach_chat_message() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select user_id into new.user_id from public.chat_sessions where id = new.chat_id;
  new.created_at := now();
  update public.chat_sessions set last_message_at = new.created_at where id = new.chat_id;
  return new;
end
$$;

create function private.trigger_stamp_read_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.read_at := case when new.is_read then coalesce(old.read_at, now()) end;
  return new;
end
$$;

-- SignifyAI's `sync_chat_context` edge function as one call: what a tutor model is given before it answers.
-- Security invoker: every read goes through the caller's row level security. Bounded: at most 50 messages of
-- at most 2,000 characters each, 20 lessons, 20 results and 20 concepts; the profile's fields are bounded by
-- its own input limits (profiles_bound_input).
create function public.get_tutor_context(
  chat_id uuid, message_count integer default 20, lesson_count integer default 5, concept_count integer default 5
) returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  me constant uuid := auth.uid();
  chat public.chat_sessions;
begin
  if me is null then
    raise exception using errcode = '42501', message = 'sign in to get a tutor context';
  end if;
  if message_count is null or message_count not between 1 and 50
     or lesson_count is null or lesson_count not between 0 and 20
     or concept_count is null or concept_count not between 0 and 20 then
    raise exception using errcode = '22023',
      message = 'message_count must be 1 to 50, lesson_count and concept_count 0 to 20';
  end if;
  -- The learner's own chat: guardians may read a child's chats, but the tutor speaks to the learner.
  select * into chat from public.chat_sessions c where c.id = get_tutor_context.chat_id and c.user_id = me;
  if not found then
    raise exception using errcode = '42501', message = format('no chat %s of yours', get_tutor_context.chat_id);
  end if;
  return jsonb_build_object(
    'chat', jsonb_build_object(
      'id', chat.id, 'title', chat.title, 'context', chat.context,
      'course', (select jsonb_build_object('id', c.id, 'title', c.title)
                 from public.courses c where c.id = chat.course_id),
      'lesson', (select jsonb_build_object('id', l.id, 'title', l.title)
                 from public.lessons l where l.id = chat.lesson_id),
      'test', (select jsonb_build_object('id', t.id, 'title', t.title)
               from public.tests t where t.id = chat.test_id)),
    'learner', (
      select jsonb_build_object('nickname', p.nickname, 'grade_level', p.grade_level, 'time_zone', p.time_zone,
        'locale', p.locale, 'learning_goals', p.learning_goals, 'interests', p.interests)
      from public.profiles p where p.id = me),
    'progress', (
      select jsonb_build_object('xp', x.xp, 'lifetime_xp', x.lifetime_xp, 'level', x.level, 'tier', x.pathiq_tier)
      from public.xp_profiles x where x.user_id = me),
    'streak', (
      select jsonb_build_object('current', s.current_streak, 'best', s.best_streak, 'alive', s.is_alive,
        'freezes_held', s.freezes_held)
      from public.get_my_streak() s),
    'recent_lessons', coalesce((
      select jsonb_agg(jsonb_build_object('title', recent.title, 'completed', recent.completed,
                                          'completed_at', recent.completed_at, 'minutes', recent.minutes)
                       order by recent.updated_at desc)
      from (select l.title, lp.completed, lp.completed_at, lp.time_spent_seconds / 60 as minutes, lp.updated_at
            from public.lesson_progress lp join public.lessons l on l.id = lp.lesson_id
            where lp.user_id = me
            order by lp.updated_at desc
            limit lesson_count) recent), '[]'::jsonb),
    'recent_results', coalesce((
      select jsonb_agg(jsonb_build_object('lesson', result.title, 'ended_at', result.ended_at,
                                          'questions', result.questions_attempted, 'correct', result.questions_correct,
                                          'accuracy', result.accuracy, 'score', result.score)
                       order by result.ended_at desc)
      from (select l.title, s.ended_at, s.questions_attempted, s.questions_correct, s.accuracy, s.score
            from public.learning_sessions s left join public.lessons l on l.id = s.lesson_id
            where s.user_id = me and s.status = 'completed' and s.questions_attempted > 0
            order by s.ended_at desc
            limit lesson_count) result), '[]'::jsonb),
    'weakest_concepts', coalesce((
      select jsonb_agg(jsonb_build_object('concept', weak.name, 'mastery', weak.mastery, 'fluency', weak.fluency_level,
                                          'attempts', weak.total_attempts)
                       order by weak.mastery, weak.total_attempts desc)
      from (select c.name, sp.mastery, sp.fluency_level, sp.total_attempts
            from public.skill_progress sp join public.concepts c on c.id = sp.concept_id
            where sp.user_id = me and sp.total_attempts > 0
            order by sp.mastery, sp.total_attempts desc
            limit concept_count) weak), '[]'::jsonb),
    'messages', coalesce((
      select jsonb_agg(jsonb_build_object('sender', m.sender, 'type', m.message_type, 'content', left(m.content, 2000),
                                          'truncated', char_length(m.content) > 2000, 'at', m.created_at)
                       order by m.sequence)
      from (select * from public.chat_messages cm
            where cm.chat_id = chat.id
            order by cm.sequence desc
            limit message_count) m), '[]'::jsonb));
end
$$;
comment on function public.get_tutor_context(uuid, integer, integer, integer) is
  'What a tutor model is given before answering in your chat: the chat and what it is about, your profile, '
  'XP and streak, recent lessons and results, weakest concepts, and the chat''s last messages (oldest first, each '
  'cut to 2,000 characters). Errors: 42501 (not signed in / not your chat), 22023 (counts out of range).';
revoke execute on function public.get_tutor_context(uuid, integer, integer, integer) from public;
grant execute on function public.get_tutor_context(uuid, integer, integer, integer) to authenticated, service_role;

-- ======================================================================
-- triggers
-- ======================================================================

create trigger chat_sessions_set_updated_at before update on public.chat_sessions
  for each row execute function private.trigger_set_updated_at();

create trigger chat_messages_attach before insert on public.chat_messages
  for each row execute function private.trigger_attach_chat_message();

create trigger notifications_stamp_read_at before update of is_read on public.notifications
  for each row execute function private.trigger_stamp_read_at();

create trigger chat_messages_bound_input before insert or update on public.chat_messages
  for each row execute function private.trigger_bound_input(
    'attachments:16384:json', 'content:100000', 'message_type:50');

create trigger chat_sessions_bound_input before insert or update on public.chat_sessions
  for each row execute function private.trigger_bound_input(
    'context_snapshot:65536:json', 'title:200');

create trigger error_logs_bound_input before insert or update on public.error_logs
  for each row execute function private.trigger_bound_input(
    'affected_feature:200', 'error_code:50', 'error_message:10000', 'error_type:100', 'request_data:16384:json',
    'service_name:100', 'severity:50', 'stack_trace:100000');

create trigger feedback_bound_input before insert or update on public.feedback
  for each row execute function private.trigger_bound_input(
    'feedback_text:5000', 'feedback_type:50');
