-- Policies of the rollup tables in schema analytics (user_mode_daily, user_daily, event_dimension_daily),
-- read through the security-invoker views in public: a learner's own days, a guardian's students' days,
-- staff's organizations' students' days. Only the server writes them (the refresh-rollups worker).

create policy "Learners, guardians and staff can read practice metrics"
  on analytics.user_mode_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids())
  );

create policy "Learners, guardians and staff can read daily summaries"
  on analytics.user_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids())
  );

create policy "Learners, guardians and staff can read event rollups"
  on analytics.event_dimension_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids())
  );
