-- Policies of public.analytics_events (and, copied by private.create_monthly_partitions, of each of its
-- monthly partitions' select): learners read and record their own telemetry; guardians read their
-- students'; staff read the events recorded in their organizations by its current members. Nobody updates
-- or deletes.

create policy "Learners, guardians and staff can read analytics events"
  on public.analytics_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.member_id
                                      from private.staff_member_pairs() as pair)
  );

create policy "Users can record their own events in their organizations"
  on public.analytics_events for insert to authenticated
  with check (
    user_id = (select private.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids()))
  );

-- The first four months' partitions are made here, after the parent's policies, because each partition
-- copies its parent's select policies when private.create_monthly_partitions creates it; the
-- maintain-partitions job makes the months after.
select private.create_monthly_partitions('public.analytics_events', current_date, 4);
