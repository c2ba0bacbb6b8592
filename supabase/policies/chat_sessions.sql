-- Policies of public.chat_sessions: a learner owns their tutor conversations;
-- guardians read them. A tutor chat belongs to no organization (even when it
-- is about a course): staff do not read it.

create policy "Learners and their guardians can read tutor chats"
  on public.chat_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

create policy "Students can start their own tutor chats"
  on public.chat_sessions for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can rename or close their own tutor chats"
  on public.chat_sessions for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

create policy "Students can delete their own tutor chats"
  on public.chat_sessions for delete to authenticated
  using (user_id = (select private.uid()));
