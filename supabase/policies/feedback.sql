-- Policies of public.feedback: users give and read their own feedback; staff
-- read feedback on their organization's courses and lessons.

create policy "Users can read their feedback, staff feedback on their content"
  on public.feedback for select to authenticated
  using (
    user_id = (select private.uid())
    or course_id in (select id from public.courses where organization_id in (select private.staff_org_ids()))
    or lesson_id in (select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Users can give feedback"
  on public.feedback for insert to authenticated
  with check (user_id = (select private.uid()));
