-- Policies of public.chat_sessions: a learner owns their tutor conversations;
-- guardians and staff read them.

create policy "Learners, guardians and staff can read tutor chats"
  on public.chat_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

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
