-- Policies of public.ai_usage: tokens and latency of AI calls made for a
-- learner. Only service_role writes; the learner, guardians and staff read.

create policy "Learners, guardians and staff can read AI usage"
  on public.ai_usage for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));
