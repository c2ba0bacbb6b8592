-- Policies of the rollup tables in schema analytics (user_mode_daily, user_daily, event_dimension_daily),
-- read through the security-invoker views in public: a learner's own days, a guardian's students' days.
-- A day sums a learner's activity in all their organizations, so it belongs to none: staff do not read
-- it (they read their organization's learning_events). Only the server writes them (the refresh-rollups
-- worker).

create policy "Learners and their guardians can read practice metrics"
  on analytics.user_mode_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
  );

create policy "Learners and their guardians can read daily summaries"
  on analytics.user_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
  );

create policy "Learners and their guardians can read event rollups"
  on analytics.event_dimension_daily for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
  );
