-- Policies of public.journey_summaries: a learner starts a journey choosing career
-- and companion; its metrics are the server's. A journey belongs to no
-- organization: the learner and their guardians read it, staff do not.

create policy "Learners and their guardians can read journey summaries"
  on public.journey_summaries for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

create policy "Students can start their own journeys"
  on public.journey_summaries for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can change their own journey's career and companion"
  on public.journey_summaries for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
