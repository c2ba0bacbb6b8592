-- Policies of public.ai_usage: tokens and latency of AI calls made for a
-- learner. Only service_role writes; the learner and guardians read (AI usage
-- belongs to no organization: staff do not).

create policy "Learners and their guardians can read AI usage"
  on public.ai_usage for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));
