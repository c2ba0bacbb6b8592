-- create messaging
--
-- Notifications to a user, feedback from a user, and error logs (client
-- reports and server errors). Users see only their own rows; the server
-- creates notifications and resolves errors.

-- ---------------------------------------------------------------- notifications
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
create index notifications_user_id_idx on public.notifications (user_id, created_at desc);
create index notifications_unread_idx on public.notifications (user_id) where not is_read;

alter table public.notifications enable row level security;
comment on table public.notifications is
  'A message to one user (achievement, nudge, report ready, ...); created by the server, marked read by the user.';

revoke all on table public.notifications from anon, authenticated;
grant select, delete on table public.notifications to authenticated;
grant update (is_read) on table public.notifications to authenticated;
grant all on table public.notifications to service_role;

create function private.trigger_stamp_read_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.read_at := case when new.is_read then coalesce(old.read_at, now()) end;
  return new;
end
$$;
create trigger notifications_stamp_read_at before update of is_read on public.notifications
  for each row execute function private.trigger_stamp_read_at();

-- ---------------------------------------------------------------- feedback
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
create index feedback_user_id_idx on public.feedback (user_id, created_at desc);
create index feedback_course_id_idx on public.feedback (course_id);
create index feedback_lesson_id_idx on public.feedback (lesson_id);
create index feedback_test_id_idx on public.feedback (test_id);
create index feedback_chat_message_id_idx on public.feedback (chat_message_id);

alter table public.feedback enable row level security;
comment on table public.feedback is 'A rating (1-5) and/or comment from a user on content, the tutor or the app.';

revoke all on table public.feedback from anon, authenticated;
grant select on table public.feedback to authenticated;
grant insert (user_id, feedback_type, course_id, lesson_id, test_id, chat_message_id, rating, feedback_text)
  on table public.feedback to authenticated;
grant all on table public.feedback to service_role;

-- ---------------------------------------------------------------- error_logs
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
create index error_logs_created_at_idx on public.error_logs (created_at);
create index error_logs_user_id_idx on public.error_logs (user_id);
create index error_logs_unresolved_idx on public.error_logs (severity, service_name) where not resolved;

alter table public.error_logs enable row level security;
comment on table public.error_logs is
  'Errors reported by clients (as the signed-in user) or services (service_role); resolution is the server''s.';

revoke all on table public.error_logs from anon, authenticated;
grant select on table public.error_logs to authenticated;
grant insert (user_id, service_name, error_type, error_code, error_message, stack_trace, request_data,
  severity, affected_feature)
  on table public.error_logs to authenticated;
grant all on table public.error_logs to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/notifications.sql
-- Policies of public.notifications: each user reads, marks read and deletes
-- their own notifications; the server creates them.

create policy "Users can read their own notifications"
  on public.notifications for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Users can mark their own notifications read"
  on public.notifications for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Users can delete their own notifications"
  on public.notifications for delete to authenticated
  using (user_id = (select auth.uid()));

-- supabase/policies/feedback.sql
-- Policies of public.feedback: users give and read their own feedback; staff
-- read feedback on their organization's courses and lessons.

create policy "Users can read their own feedback"
  on public.feedback for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Staff can read feedback on their organization's courses"
  on public.feedback for select to authenticated
  using (course_id in (select id from public.courses where organization_id in (select private.staff_org_ids())));

create policy "Staff can read feedback on their organization's lessons"
  on public.feedback for select to authenticated
  using (lesson_id in (select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Users can give feedback"
  on public.feedback for insert to authenticated
  with check (user_id = (select auth.uid()));

-- supabase/policies/error_logs.sql
-- Policies of public.error_logs: a signed-in client reports its own errors
-- and reads them back; everything else is service_role's.

create policy "Users can read the errors they reported"
  on public.error_logs for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Users can report their own errors"
  on public.error_logs for insert to authenticated
  with check (user_id = (select auth.uid()));
