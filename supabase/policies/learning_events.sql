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

-- The first four months' partitions are made here, after the parent's policies, because each partition
-- copies its parent's select policies when private.create_monthly_partitions creates it; the
-- maintain-partitions job makes the months after.
select private.create_monthly_partitions('public.learning_events', current_date, 4);
