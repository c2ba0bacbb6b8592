-- Policies of public.feedback: users give and read their own feedback; staff
-- read feedback on their organization's courses, lessons and tests while its
-- author is a member there. Feedback on nothing of an organization's (a tutor
-- message, say) is the author's alone.

create policy "Users can read their feedback, staff feedback on their content"
  on public.feedback for select to authenticated
  using (
    user_id = (select private.uid())
    or (case
          when feedback.course_id is not null
            then private.course_organization_id(feedback.course_id)
          when feedback.lesson_id is not null
            then private.lesson_organization_id(feedback.lesson_id)
          else private.test_organization_id(feedback.test_id)
        end,
        user_id) in (select pair.organization_id, pair.member_id from private.staff_member_pairs() as pair));

create policy "Users can give feedback"
  on public.feedback for insert to authenticated
  with check (user_id = (select private.uid()));
