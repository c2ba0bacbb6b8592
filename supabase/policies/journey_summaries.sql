-- Policies of public.journey_summaries: a learner starts a journey choosing career
-- and companion; its metrics are the server's. Guardians and staff read.

create policy "Learners, guardians and staff can read journey summaries"
  on public.journey_summaries for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

create policy "Students can start their own journeys"
  on public.journey_summaries for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Students can change their own journey's career and companion"
  on public.journey_summaries for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
