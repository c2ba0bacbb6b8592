-- Policies of public.ai_usage: tokens and latency of AI calls made for a
-- learner. Only service_role writes; the learner, guardians and staff read.

create policy "Learners, guardians and staff can read AI usage"
  on public.ai_usage for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
