-- Policies of public.question_progress: server-owned per-question progress. The
-- learner, their guardians and their organization's staff read it; only the
-- attempt trigger (security definer) and service_role write it.

create policy "Learners, guardians and staff can read question progress"
  on public.question_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
