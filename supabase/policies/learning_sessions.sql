-- Policies of public.learning_sessions: a learner starts and updates their own
-- sessions; guardians and staff read them. Scores, counters and ended_at are
-- server-owned (column privileges and a trigger).

create policy "Learners, guardians and staff can read learning sessions"
  on public.learning_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own learning sessions"
  on public.learning_sessions for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning sessions"
  on public.learning_sessions for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
