-- Policies of public.chat_messages: learners post user messages to their own
-- chats (sender defaults to user and is not theirs to set); tutor and system
-- messages come from service_role. The learner and their guardians read;
-- staff do not (tutor chats belong to no organization).

create policy "Learners and their guardians can read chat messages"
  on public.chat_messages for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

create policy "Students can post in their own tutor chats"
  on public.chat_messages for insert to authenticated
  with check (
    sender = 'user'
    and chat_id in (select id from public.chat_sessions where user_id = (select private.uid())));
