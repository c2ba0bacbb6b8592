-- create tutor chat
--
-- Ask-the-tutor conversations (SignifyAI chat_sessions/chat_messages, the AI
-- Learning Assistant's chat_history) with ordered messages carrying tool calls
-- and attachments, and ai_usage (tokens, latency) per AI call. Learners write
-- only their own user-sender messages; tutor and system messages and usage
-- records are the server's.

-- ---------------------------------------------------------------- types
create type public.chat_context as enum ('general_chat', 'lesson_chat', 'assessment_help', 'course_guidance');
create type public.chat_sender as enum ('user', 'tutor', 'system');

-- ---------------------------------------------------------------- chat_sessions
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
create index chat_sessions_user_id_idx on public.chat_sessions (user_id, updated_at desc);
create index chat_sessions_course_id_idx on public.chat_sessions (course_id);
create index chat_sessions_lesson_id_idx on public.chat_sessions (lesson_id);
create index chat_sessions_test_id_idx on public.chat_sessions (test_id);

alter table public.chat_sessions enable row level security;
comment on table public.chat_sessions is
  'A tutor conversation of a learner, optionally about a course, lesson or test; updated_at follows the last message.';

revoke all on table public.chat_sessions from anon, authenticated;
grant select, delete on table public.chat_sessions to authenticated;
grant insert (user_id, title, context, context_snapshot, course_id, lesson_id, test_id)
  on table public.chat_sessions to authenticated;
grant update (title, is_active) on table public.chat_sessions to authenticated;
grant all on table public.chat_sessions to service_role;

create trigger chat_sessions_set_updated_at before update on public.chat_sessions
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- chat_messages
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
create index chat_messages_chat_sequence_idx on public.chat_messages (chat_id, sequence desc);
create index chat_messages_user_id_idx on public.chat_messages (user_id);
create index chat_messages_tutor_idx on public.chat_messages (created_at) where sender = 'tutor';

alter table public.chat_messages enable row level security;
comment on table public.chat_messages is
  'Ordered messages of a chat (sequence): user, tutor or system, with tool calls and attachments. '
  'user_id is the chat owner''s, copied by a trigger.';

revoke all on table public.chat_messages from anon, authenticated;
grant select on table public.chat_messages to authenticated;
grant insert (chat_id, message_type, content, attachments) on table public.chat_messages to authenticated;
grant all on table public.chat_messages to service_role;

-- The owner column follows the chat, and the chat's activity follows its messages.
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
create trigger chat_messages_attach before insert on public.chat_messages
  for each row execute function private.trigger_attach_chat_message();

-- ---------------------------------------------------------------- ai_usage
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
create index ai_usage_user_id_idx on public.ai_usage (user_id, created_at desc);
create index ai_usage_chat_id_idx on public.ai_usage (chat_id);
create index ai_usage_exercise_generation_id_idx on public.ai_usage (exercise_generation_id);

alter table public.ai_usage enable row level security;
comment on table public.ai_usage is
  'One AI call (AI Learning Assistant ai_interactions): tokens, latency, cost. Written by the server only.';

revoke all on table public.ai_usage from anon, authenticated;
grant select on table public.ai_usage to authenticated;
grant all on table public.ai_usage to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/chat_sessions.sql
-- Policies of public.chat_sessions: a learner owns their tutor conversations;
-- guardians and staff read them.

create policy "Students can read their own tutor chats"
  on public.chat_sessions for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' tutor chats"
  on public.chat_sessions for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' tutor chats"
  on public.chat_sessions for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can start their own tutor chats"
  on public.chat_sessions for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can rename or close their own tutor chats"
  on public.chat_sessions for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Students can delete their own tutor chats"
  on public.chat_sessions for delete to authenticated
  using (user_id = (select auth.uid()));

-- supabase/policies/chat_messages.sql
-- Policies of public.chat_messages: learners post user messages to their own
-- chats (sender defaults to user and is not theirs to set); tutor and system
-- messages come from service_role. Guardians and staff read.

create policy "Students can read their own chat messages"
  on public.chat_messages for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' chat messages"
  on public.chat_messages for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' chat messages"
  on public.chat_messages for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Students can post in their own tutor chats"
  on public.chat_messages for insert to authenticated
  with check (
    sender = 'user'
    and chat_id in (select id from public.chat_sessions where user_id = (select auth.uid())));

-- supabase/policies/ai_usage.sql
-- Policies of public.ai_usage: tokens and latency of AI calls made for a
-- learner. Only service_role writes; the learner, guardians and staff read.

create policy "Students can read their own AI usage"
  on public.ai_usage for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' AI usage"
  on public.ai_usage for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' AI usage"
  on public.ai_usage for select to authenticated
  using (user_id in (select private.staff_student_ids()));
