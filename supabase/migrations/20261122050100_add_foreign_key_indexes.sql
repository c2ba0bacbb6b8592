-- add foreign key indexes
--
-- Foreign keys `learnkit db advise` found without a covering index: deleting
-- a subject, course or learner would scan these tables, and the planner has no
-- index for joins on them. (The existing indexes named *_course_id_idx and
-- *_user_id_idx lead with another column or are partial, so they do not cover.)

create index learning_paths_subject_fk_idx on public.learning_paths (subject_id);
create index lesson_progress_course_fk_idx on public.lesson_progress (course_id);
create index streak_freezes_user_fk_idx on public.streak_freezes (user_id);
