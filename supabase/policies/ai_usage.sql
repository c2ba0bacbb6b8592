-- Policies of public.ai_usage: tokens and latency of AI calls made for a
-- learner. Only service_role writes; the learner, guardians and staff read.

create policy "Students can read their own AI usage"
  on public.ai_usage for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' AI usage"
  on public.ai_usage for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' AI usage"
  on public.ai_usage for select to authenticated
  using (user_id in (select private.staff_student_ids()));
