-- Policies of public.learning_events (select copied onto each monthly partition): learners read their own
-- activity, guardians their students', staff the activity recorded in their organizations by its current
-- members. Only the server writes (service role, server-side functions): no insert, update or delete policy.

create policy "Learners, guardians and staff can read learning events"
  on public.learning_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.member_id
                                      from private.staff_member_pairs() as pair)
  );
