-- Policies of public.journey_summaries: a learner starts a journey choosing career
-- and companion; its metrics are the server's. Guardians and staff read.

create policy "Learners, guardians and staff can read journey summaries"
  on public.journey_summaries for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own journeys"
  on public.journey_summaries for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can change their own journey's career and companion"
  on public.journey_summaries for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
