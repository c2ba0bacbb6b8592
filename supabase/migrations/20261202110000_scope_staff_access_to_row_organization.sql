-- scope staff access to the row's organization
--
-- Issue 14, item 3. Staff policies on learners' rows read "a student of ANY
-- organization I staff" (private.linked_learner_ids(), staff_student_ids()):
-- an admin of organization O (one they founded, say) read every row of a
-- student of O — the answers, sessions, enrollments and progress that belong
-- to the student's other organization P, their tutor chats — and updated the
-- student's enrollments in P. Now:
--
-- * A learner's row that belongs to an organization is read (and, for
--   enrollments, changed) by staff of THAT organization only, while the
--   learner is a student there: `(row's organization, user_id) in (select …
--   from private.staff_learner_pairs())`. The row's organization is its own
--   column (enrollments, analytics_events, learning_events) or its content's,
--   looked up by primary key through the row's foreign key
--   (private.<content>_organization_id()): a lesson's (lesson_progress), a course's or
--   else a textbook's (learning_paths), a course's, else a lesson's, else a
--   concept's (learning_sessions), a question's (answer_attempts,
--   question_progress), a concept's (skill_progress, assessments,
--   exercise_generations, remediation_paths), a test's or else a question's
--   (coding_attempts), a course's, lesson's or test's (feedback). Content of no
--   organization (platform content) makes a row of no organization. Events
--   and feedback are read by staff while their author is a member of any
--   role (private.staff_member_pairs()). Media registered to an organization
--   stays that organization's; a learner's upload of none is no longer read
--   by the staff of their organizations.
-- * Rows of no organization — tutor chats and their messages, AI usage,
--   journey summaries, and the daily rollups in schema analytics, which sum a
--   learner's activity over all their organizations — are the learner's and
--   their guardians' alone. Notifications, settings and error logs stay the
--   user's alone, progress reports the student's and guardians'.
-- * Guardians keep reading all of their child's rows (guardianships exist by
--   consent, vouched by an organization); they get their own policy arm.
-- * Membership is read at each request: leaving an organization ends every
--   access it gave at once.
--
-- Cost (bench/rls_overhead.py measures these policies): the learner's own
-- rows stay the first arm, so a student reading their rows evaluates nothing
-- else; guardians match the second. Students and guardians plan one more
-- hashed subplan per policy than with linked_learner_ids() (guardian_student_ids()
-- and staff_learner_pairs()), and never run a content lookup: a hashed
-- subplan with no rows is false without evaluating its left side. Staff pay
-- one primary-key lookup per candidate row. The older "any organization"
-- helpers stay for the tables other changes own; their comments now say what
-- they must not be used for.

-- ---------------------------------------------------------------- helpers
create function private.staff_learner_pairs()
returns table (organization_id uuid, learner_id uuid)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select staff.organization_id, student.user_id
    from public.organization_members staff
    join public.organization_members student
      on student.organization_id = staff.organization_id and student.role = 'student'
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator');
end
$$;
comment on function private.staff_learner_pairs() is
  'Each organization the current user staffs (admin or educator) with each of its current students: '
  'staff reach a learner''s row when (the row''s organization, the learner) is one of these pairs.';

create function private.staff_member_pairs()
returns table (organization_id uuid, member_id uuid)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select staff.organization_id, member.user_id
    from public.organization_members staff
    join public.organization_members member on member.organization_id = staff.organization_id
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator');
end
$$;
comment on function private.staff_member_pairs() is
  'Each organization the current user staffs (admin or educator) with each of its current members, any role.';

revoke execute on function private.staff_learner_pairs(), private.staff_member_pairs() from public;
grant execute on function private.staff_learner_pairs(), private.staff_member_pairs() to authenticated, service_role;

-- The organization of a learner's row is its content's: looked up as the
-- owner (security definer), so a policy plans one function call instead of
-- the content table's own policies, and only staff ever evaluate it (the
-- learner's and guardians' arms come first). plpgsql keeps each lookup's plan
-- for the session.
create function private.course_organization_id(course uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select courses.organization_id from public.courses where courses.id = course_organization_id.course);
end
$$;
comment on function private.course_organization_id(uuid) is
  'The organization a course belongs to (null: none, or no such course), whoever may read it.';

create function private.lesson_organization_id(lesson uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select lessons.organization_id from public.lessons where lessons.id = lesson_organization_id.lesson);
end
$$;
comment on function private.lesson_organization_id(uuid) is
  'The organization a lesson belongs to (null: none, or no such lesson), whoever may read it.';

create function private.concept_organization_id(concept uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select concepts.organization_id from public.concepts where concepts.id = concept_organization_id.concept);
end
$$;
comment on function private.concept_organization_id(uuid) is
  'The organization a concept belongs to (null: none, or no such concept), whoever may read it.';

create function private.question_organization_id(question uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select questions.organization_id from public.questions
          where questions.id = question_organization_id.question);
end
$$;
comment on function private.question_organization_id(uuid) is
  'The organization a question belongs to (null: none, or no such question), whoever may read it.';

create function private.test_organization_id(test uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select tests.organization_id from public.tests where tests.id = test_organization_id.test);
end
$$;
comment on function private.test_organization_id(uuid) is
  'The organization a test belongs to (null: none, or no such test), whoever may read it.';

create function private.textbook_organization_id(textbook uuid) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return (select textbooks.organization_id from public.textbooks where textbooks.id = textbook_organization_id.textbook);
end
$$;
comment on function private.textbook_organization_id(uuid) is
  'The organization a textbook belongs to (null: none, or no such textbook), whoever may read it.';

revoke execute on function
  private.course_organization_id(uuid), private.lesson_organization_id(uuid), private.concept_organization_id(uuid),
  private.question_organization_id(uuid), private.test_organization_id(uuid), private.textbook_organization_id(uuid)
from public;
grant execute on function
  private.course_organization_id(uuid), private.lesson_organization_id(uuid), private.concept_organization_id(uuid),
  private.question_organization_id(uuid), private.test_organization_id(uuid), private.textbook_organization_id(uuid)
to authenticated, service_role;

comment on function private.staff_student_ids() is
  'Students of the organizations where the current user is admin or educator — of ANY of them: never use it '
  'for a row that belongs to one organization (private.staff_learner_pairs() checks the row''s own).';
comment on function private.staff_member_ids() is
  'Every member of the organizations where the current user is admin or educator — of ANY of them: never use it '
  'for a row that belongs to one organization (private.staff_member_pairs() checks the row''s own).';
comment on function private.is_staff_of_student(uuid) is
  'Whether the student belongs, as a student, to ANY organization the current user staffs: never use it for a '
  'row that belongs to one organization (private.staff_learner_pairs()).';
comment on function private.linked_learner_ids() is
  'Learners the current user reads as their guardian or as staff of ANY of their organizations: '
  'private.guardian_student_ids() and private.staff_student_ids() in one call. Not for rows that belong to one '
  'organization (private.staff_learner_pairs()) or to none (private.guardian_student_ids()).';

-- ---------------------------------------------------------------- enrollments
drop policy "Learners, guardians and staff can read enrollments" on public.enrollments;
drop policy "Students can enroll themselves and staff their students" on public.enrollments;
drop policy "Students and their organizations' staff can update enrollments" on public.enrollments;

create policy "Learners, guardians and staff can read enrollments"
  on public.enrollments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));

create policy "Students can enroll themselves and staff their students"
  on public.enrollments for insert to authenticated
  with check (
    (user_id = (select private.uid())
      and exists (select from public.courses where courses.id = enrollments.course_id))
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));

create policy "Students and their organizations' staff can update enrollments"
  on public.enrollments for update to authenticated
  using (
    user_id = (select private.uid())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair))
  with check (
    user_id = (select private.uid())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- lesson_progress
drop policy "Learners, guardians and staff can read lesson progress" on public.lesson_progress;

create policy "Learners, guardians and staff can read lesson progress"
  on public.lesson_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.lesson_organization_id(lesson_progress.lesson_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- learning_paths
drop policy "Learners, guardians and staff can read learning paths" on public.learning_paths;

create policy "Learners, guardians and staff can read learning paths"
  on public.learning_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when learning_paths.course_id is not null
            then private.course_organization_id(learning_paths.course_id)
          else private.textbook_organization_id(learning_paths.textbook_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- learning_sessions
drop policy "Learners, guardians and staff can read learning sessions" on public.learning_sessions;

create policy "Learners, guardians and staff can read learning sessions"
  on public.learning_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when learning_sessions.course_id is not null
            then private.course_organization_id(learning_sessions.course_id)
          when learning_sessions.lesson_id is not null
            then private.lesson_organization_id(learning_sessions.lesson_id)
          else private.concept_organization_id(learning_sessions.concept_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- answer_attempts
drop policy "Learners, guardians and staff can read answer attempts" on public.answer_attempts;

create policy "Learners, guardians and staff can read answer attempts"
  on public.answer_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.question_organization_id(answer_attempts.question_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- question_progress
drop policy "Learners, guardians and staff can read question progress" on public.question_progress;

create policy "Learners, guardians and staff can read question progress"
  on public.question_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.question_organization_id(question_progress.question_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- skill_progress
drop policy "Learners, guardians and staff can read skill progress" on public.skill_progress;

create policy "Learners, guardians and staff can read skill progress"
  on public.skill_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(skill_progress.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- assessments
drop policy "Learners, guardians and staff can read assessments" on public.assessments;

create policy "Learners, guardians and staff can read assessments"
  on public.assessments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(assessments.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- exercise_generations
drop policy "Learners, guardians and staff can read generated exercises" on public.exercise_generations;

create policy "Learners, guardians and staff can read generated exercises"
  on public.exercise_generations for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(exercise_generations.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- coding_attempts
drop policy "Learners, guardians and staff can read coding attempts" on public.coding_attempts;

create policy "Learners, guardians and staff can read coding attempts"
  on public.coding_attempts for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when coding_attempts.test_id is not null
            then private.test_organization_id(coding_attempts.test_id)
          else private.question_organization_id(coding_attempts.question_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- remediation_paths
drop policy "Learners, guardians and staff can read remediation paths" on public.remediation_paths;

create policy "Learners, guardians and staff can read remediation paths"
  on public.remediation_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(remediation_paths.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

-- ---------------------------------------------------------------- journey_summaries
drop policy "Learners, guardians and staff can read journey summaries" on public.journey_summaries;

create policy "Learners and their guardians can read journey summaries"
  on public.journey_summaries for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ---------------------------------------------------------------- chat_sessions
drop policy "Learners, guardians and staff can read tutor chats" on public.chat_sessions;

create policy "Learners and their guardians can read tutor chats"
  on public.chat_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ---------------------------------------------------------------- chat_messages
drop policy "Learners, guardians and staff can read chat messages" on public.chat_messages;

create policy "Learners and their guardians can read chat messages"
  on public.chat_messages for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ---------------------------------------------------------------- ai_usage
drop policy "Learners, guardians and staff can read AI usage" on public.ai_usage;

create policy "Learners and their guardians can read AI usage"
  on public.ai_usage for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids()));

-- ---------------------------------------------------------------- feedback
drop policy "Users can read their feedback, staff feedback on their content" on public.feedback;

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

-- ---------------------------------------------------------------- media_assets
drop policy "Users can read published, own and supervised media" on public.media_assets;

create policy "Users can read published, own and supervised media"
  on public.media_assets for select to authenticated
  using (
    (is_published and organization_id is null)
    or owner_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or owner_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- analytics_events
drop policy "Learners, guardians and staff can read analytics events" on public.analytics_events;

create policy "Learners, guardians and staff can read analytics events"
  on public.analytics_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.member_id
                                      from private.staff_member_pairs() as pair)
  );

-- ---------------------------------------------------------------- learning_events
drop policy "Learners, guardians and staff can read learning events" on public.learning_events;

create policy "Learners, guardians and staff can read learning events"
  on public.learning_events for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.member_id
                                      from private.staff_member_pairs() as pair)
  );

-- ---------------------------------------------------------------- analytics rollups
drop policy "Learners, guardians and staff can read practice metrics" on analytics.user_mode_daily;
drop policy "Learners, guardians and staff can read daily summaries" on analytics.user_daily;
drop policy "Learners, guardians and staff can read event rollups" on analytics.event_dimension_daily;

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

-- ---------------------------------------------------------------- partitions
-- Each monthly partition of analytics_events and learning_events carries a copy
-- of its parent's read policies (private.create_monthly_partitions): replace
-- the existing partitions' copies with the parents' new policies.
do $$
declare
  partition record;
  policy record;
begin
  for partition in
    select i.inhrelid::regclass as partition_table, i.inhparent as parent
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    where c.relispartition
      and i.inhparent in ('public.analytics_events'::regclass, 'public.learning_events'::regclass)
  loop
    for policy in select p.polname from pg_catalog.pg_policy p where p.polrelid = partition.partition_table loop
      execute format('drop policy %I on %s', policy.polname, partition.partition_table);
    end loop;
    for policy in
      select p.polname,
             pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expression,
             coalesce((select string_agg(quote_ident(r.rolname), ', ') from pg_catalog.pg_roles r
                       where r.oid = any (p.polroles)), 'public') as roles
      from pg_catalog.pg_policy p
      where p.polrelid = partition.parent and p.polcmd = 'r' and p.polpermissive
    loop
      execute format('create policy %I on %s for select to %s using (%s)',
        policy.polname, partition.partition_table, policy.roles, policy.using_expression);
    end loop;
  end loop;
end
$$;
