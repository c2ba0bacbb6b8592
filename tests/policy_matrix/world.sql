-- The policy matrix's rows beyond tests/personas.py: for every table a row of
-- the student (or of organization A) for each case to aim at, as the owner.
-- Parameters are the world's references (see world.py).

-- name: content
-- Leaf rows nothing else references, published and draft, so deleting one
-- deletes only it.
insert into public.subjects (id, slug, name) values (%(subject_leaf)s, %(subject_leaf_slug)s, 'Matrix subject');
insert into public.courses (id, organization_id, subject_id, kind, slug, title, is_published, author_id)
values (%(course_pub)s, %(org)s, %(subject)s, 'course', %(course_pub_slug)s, 'Published course', true, %(educator)s),
       (%(course_draft)s, %(org)s, %(subject)s, 'course', %(course_draft_slug)s, 'Draft course', false, %(educator)s);
insert into public.lessons (id, course_id, subject_id, author_id, title, order_index, is_published)
values (%(lesson_pub)s, %(course)s, %(subject)s, %(educator)s, 'Published lesson', 2, true),
       (%(lesson_draft)s, %(course)s, %(subject)s, %(educator)s, 'Draft lesson', 3, false);
insert into public.lesson_notes (id, lesson_id, note_content)
values (%(note_pub)s, %(lesson_pub)s, 'Notes of a published lesson'),
       (%(note_draft)s, %(lesson_draft)s, 'Notes of a draft lesson');
insert into public.tests (id, course_id, author_id, title, kind, is_published)
values (%(test_pub)s, %(course)s, %(educator)s, 'Published test', 'quiz', true),
       (%(test_draft)s, %(course)s, %(educator)s, 'Draft test', 'quiz', false);
insert into public.textbooks (id, organization_id, subject_id, author_id, title, is_published)
values (%(textbook_pub)s, %(org)s, %(subject)s, %(educator)s, 'Published textbook', true),
       (%(textbook_draft)s, %(org)s, %(subject)s, %(educator)s, 'Draft textbook', false);
insert into public.concepts (id, organization_id, subject_id, author_id, code, name, is_published)
values (%(concept_pub)s, %(org)s, %(subject)s, %(educator)s, %(concept_pub_code)s, 'Published concept', true),
       (%(concept_draft)s, %(org)s, %(subject)s, %(educator)s, %(concept_draft_code)s, 'Draft concept', false),
       (%(concept_spare)s, %(org)s, %(subject)s, %(educator)s, %(concept_spare_code)s, 'Spare concept', true);
insert into public.concept_prerequisites (concept_id, prerequisite_id) values (%(concept_pub)s, %(concept)s);
insert into public.content_hooks (id, concept_id, organization_id, author_id, life_category, hook_text, is_published)
values (%(hook_pub)s, %(concept)s, %(org)s, %(educator)s, 'personal', 'Published hook', true),
       (%(hook_draft)s, %(concept)s, %(org)s, %(educator)s, 'personal', 'Draft hook', false);
insert into public.content_examples (id, concept_id, organization_id, author_id, example_text, life_category,
                                     is_published)
values (%(example_pub)s, %(concept)s, %(org)s, %(educator)s, 'Published example', 'personal', true),
       (%(example_draft)s, %(concept)s, %(org)s, %(educator)s, 'Draft example', 'personal', false);
insert into public.questions (id, organization_id, course_id, lesson_id, author_id, question_type, prompt, is_published)
values (%(question_pub)s, %(org)s, %(course)s, %(lesson)s, %(educator)s, 'multiple_choice', '{"text": "Published?"}', true),
       (%(question_draft)s, %(org)s, %(course)s, %(lesson)s, %(educator)s, 'multiple_choice', '{"text": "Draft?"}', false);
insert into public.question_answer_keys (question_id, correct_answer) values (%(question_pub)s, '"yes"');
insert into public.question_hints (question_id, hint) values (%(question_pub)s, 'Read the question again');
insert into storage.buckets (id, name) values (%(bucket)s, %(bucket)s);
insert into storage.objects (bucket_id, name, owner)
values (%(bucket)s, 'student/upload.png', %(student)s), (%(bucket)s, 'org/poster.png', %(educator)s);
insert into public.media_assets (id, owner_id, organization_id, bucket_id, object_path, media_type, is_published)
values (%(media_own)s, %(student)s, %(org)s, %(bucket)s, 'student/upload.png', 'image', false),
       (%(media_pub)s, %(educator)s, %(org)s, %(bucket)s, 'org/poster.png', 'image', true);

-- name: content_chunks
insert into public.content_chunks (id, concept_id, organization_id, author_id, chunk_index, content, embedding,
                                   is_published)
values (%(chunk_pub)s, %(concept)s, %(org)s, %(educator)s, 0, 'Published chunk',
        array_fill(0.01::real, array[1536])::extensions.vector, true),
       (%(chunk_draft)s, %(concept)s, %(org)s, %(educator)s, 1, 'Draft chunk',
        array_fill(0.02::real, array[1536])::extensions.vector, false);

-- name: gamification
insert into public.gamification_settings (id, organization_id) values (%(settings_org)s, %(org)s);
insert into public.achievements (id, organization_id, slug, name, description, criteria, target, is_secret)
values (%(achievement_pub)s, %(org)s, 'matrix-visible', 'Visible', 'A visible achievement', 'xp_total', 100, false),
       (%(achievement_secret)s, %(org)s, 'matrix-secret', 'Secret', 'A secret achievement', 'xp_total', 500, true);
insert into public.user_achievements (user_id, achievement_id, progress, target)
values (%(student)s, %(achievement_pub)s, 10, 100);
insert into public.daily_challenges (id, organization_id, challenge_date, slug, name, description, challenge_type,
                                     target, xp_reward)
values (%(challenge)s, %(org)s, current_date, 'matrix', 'Matrix', 'Answer 5 questions', 'correct_answers', 5, 20);
insert into public.challenge_progress (user_id, challenge_id, progress, target)
values (%(student)s, %(challenge)s, 1, 5);
insert into public.streak_freezes (user_id, bought_on) values (%(student)s, current_date);
insert into public.hint_uses (user_id, question_id, local_day, idempotency_key)
values (%(student)s, %(question)s, current_date, 'matrix-hint');
insert into public.league_groups (id, organization_id, week_start, tier)
values (%(league_group)s, %(org)s, date_trunc('week', current_date)::date, 'bronze');
insert into public.league_members (group_id, user_id, organization_id, week_start, tier)
values (%(league_group)s, %(student)s, %(org)s, date_trunc('week', current_date)::date, 'bronze');

-- name: spare_users
-- A user with no profile (to insert one) and one whose profile lost its
-- settings and XP profile (to insert those).
delete from public.profiles where id = %(spare_bare)s;
delete from public.user_settings where user_id = %(spare_profile)s;
delete from public.xp_profiles where user_id = %(spare_profile)s;

-- name: partitions
select c.relname as partition, p.relname as parent,
       pg_catalog.pg_get_expr(c.relpartbound, c.oid) as bound
from pg_catalog.pg_inherits i
join pg_catalog.pg_class c on c.oid = i.inhrelid
join pg_catalog.pg_class p on p.oid = i.inhparent
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p')
order by p.relname, c.relname;

-- name: public_tables
select c.relname as table_name, c.relispartition as is_partition,
       (select p.relname from pg_catalog.pg_inherits i join pg_catalog.pg_class p on p.oid = i.inhparent
        where i.inhrelid = c.oid) as parent
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p')
order by c.relname;

-- name: lifecycle
insert into public.progress_reports (student_id, period, period_start, period_end, object_path, target, location,
                                     byte_size, sha256, generated_at)
values (%(student)s, '2026-W01', date '2025-12-29', date '2026-01-04', %(student)s || '/2026-W01/summary.pdf',
        'local', '/var/reports', 1024, repeat('a', 64), now());
