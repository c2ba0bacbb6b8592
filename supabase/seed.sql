-- Demo data for learnkit. Re-runnable: every insert skips rows that exist.
--
-- Two organizations (Maple Grove Microschool, Harbor Homeschool Co-op), their
-- admins and educators, 34 students, 14 guardians, subjects, courses and
-- tracks with lessons, a concept graph, 200 math facts with hidden answer keys and hints,
-- and 30 days of practice sessions and answers ending today. Fixed ids (the
-- 5eed… prefix, or md5 of a stable name) keep re-runs idempotent; bulk rows are
-- generated set-based and pseudo-randomly (hashtext) so every run is the same.
-- Users go into auth.users, so the sign-up trigger creates their profiles.

-- ---------------------------------------------------------------- people
-- staff: 5eed0000-0000-4000-8000-0000000000NN
insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
values
  ('5eed0000-0000-4000-8000-000000000001', 'rosa.admin@maplegrove.example',
   '{"nickname": "Ms Rosa", "full_name": "Rosa Delgado", "time_zone": "America/Chicago"}', now()),
  ('5eed0000-0000-4000-8000-000000000002', 'ben.teacher@maplegrove.example',
   '{"nickname": "Mr Ben", "full_name": "Ben Okafor", "time_zone": "America/Chicago"}', now()),
  ('5eed0000-0000-4000-8000-000000000003', 'ada.teacher@maplegrove.example',
   '{"nickname": "Ms Ada", "full_name": "Ada Lindqvist", "time_zone": "America/Chicago"}', now()),
  ('5eed0000-0000-4000-8000-000000000004', 'maya.admin@harbor.example',
   '{"nickname": "Maya", "full_name": "Maya Tanaka", "time_zone": "Europe/London"}', now()),
  ('5eed0000-0000-4000-8000-000000000005', 'leo.tutor@harbor.example',
   '{"nickname": "Leo", "full_name": "Leo Marchetti", "time_zone": "Europe/London"}', now())
on conflict do nothing;

-- students 1..34: 5eed0000-0000-4000-8000-0000000001NN (hex); 1..20 Maple Grove, 21..34 Harbor
insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
select
  ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
  format('student%s@learners.example', n),
  jsonb_build_object(
    'nickname', (array['Ava', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jade', 'Kai', 'Lena',
                       'Milo', 'Nia', 'Omar', 'Pia', 'Quinn', 'Rae', 'Sami', 'Tess', 'Uma', 'Vik', 'Wren', 'Xia',
                       'Yuri', 'Zoe', 'Arlo', 'Bea', 'Cruz', 'Dina', 'Ezra', 'Flor', 'Gio', 'Hal'])[n],
    'full_name', (array['Ava', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jade', 'Kai', 'Lena',
                        'Milo', 'Nia', 'Omar', 'Pia', 'Quinn', 'Rae', 'Sami', 'Tess', 'Uma', 'Vik', 'Wren', 'Xia',
                        'Yuri', 'Zoe', 'Arlo', 'Bea', 'Cruz', 'Dina', 'Ezra', 'Flor', 'Gio', 'Hal'])[n]
                 || ' ' || (array['Stone', 'Rivera', 'Nakamura', 'Okoye', 'Schmidt', 'Haddad', 'Kowalski'])[1 + n % 7],
    'grade_level', (2 + n % 5)::text,
    'time_zone', case when n <= 20 then 'America/Chicago' else 'Europe/London' end,
    'locale', case when n <= 20 then 'en-US' else 'en-GB' end,
    'preferences', jsonb_build_object('companion', (array['Sage', 'Finn', 'Harmony'])[1 + n % 3])),
  now()
from generate_series(1, 34) as n
on conflict do nothing;

-- guardians 1..14: 5eed0000-0000-4000-8000-0000000002NN; guardian g looks after students 2g-1 and 2g (Maple
-- Grove, g ≤ 10) or student 20 + g (Harbor)
insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
select
  ('5eed0000-0000-4000-8000-' || lpad(to_hex(512 + g), 12, '0'))::uuid,
  format('parent%s@families.example', g),
  jsonb_build_object('nickname', format('Parent %s', g), 'full_name', format('Parent %s', g),
                     'time_zone', case when g <= 10 then 'America/Chicago' else 'Europe/London' end),
  now()
from generate_series(1, 14) as g
on conflict do nothing;

-- ---------------------------------------------------------------- organizations
insert into public.organizations (id, name, slug, kind, subscription_tier, max_students, billing_email, created_by)
values
  ('5eed0000-0000-4000-8000-00000000a001', 'Maple Grove Microschool', 'maple-grove', 'microschool', 'professional',
   40, 'billing@maplegrove.example', '5eed0000-0000-4000-8000-000000000001'),
  ('5eed0000-0000-4000-8000-00000000a002', 'Harbor Homeschool Co-op', 'harbor-coop', 'homeschool_group', 'starter',
   20, 'hello@harbor.example', '5eed0000-0000-4000-8000-000000000004')
on conflict do nothing;

insert into public.organization_members (organization_id, user_id, role)
values
  ('5eed0000-0000-4000-8000-00000000a001', '5eed0000-0000-4000-8000-000000000001', 'admin'),
  ('5eed0000-0000-4000-8000-00000000a001', '5eed0000-0000-4000-8000-000000000002', 'educator'),
  ('5eed0000-0000-4000-8000-00000000a001', '5eed0000-0000-4000-8000-000000000003', 'educator'),
  ('5eed0000-0000-4000-8000-00000000a002', '5eed0000-0000-4000-8000-000000000004', 'admin'),
  ('5eed0000-0000-4000-8000-00000000a002', '5eed0000-0000-4000-8000-000000000005', 'educator')
on conflict do nothing;

insert into public.organization_members (organization_id, user_id, role)
select case when n <= 20 then '5eed0000-0000-4000-8000-00000000a001'::uuid
            else '5eed0000-0000-4000-8000-00000000a002'::uuid end,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       'student'
from generate_series(1, 34) as n
on conflict do nothing;

insert into public.organization_members (organization_id, user_id, role)
select case when g <= 10 then '5eed0000-0000-4000-8000-00000000a001'::uuid
            else '5eed0000-0000-4000-8000-00000000a002'::uuid end,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(512 + g), 12, '0'))::uuid,
       'parent'
from generate_series(1, 14) as g
on conflict do nothing;

insert into public.guardianships (guardian_id, student_id, relationship, created_by)
select ('5eed0000-0000-4000-8000-' || lpad(to_hex(512 + g), 12, '0'))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       'parent',
       '5eed0000-0000-4000-8000-000000000001'
from generate_series(1, 14) as g
cross join lateral (
  select unnest(case when g <= 10 then array[2 * g - 1, 2 * g] else array[20 + g] end) as n
) as students
on conflict do nothing;

-- Each link is vouched for by the student's organization, as if its admin had invited the guardian
-- (public.create_guardian_invitation) and the guardian accepted: the link lapses if the student leaves.
-- `learnkit demo` shows the real path, an invitation accepted through the RPCs.
insert into public.guardianship_vouches (guardian_id, student_id, organization_id, vouched_by)
select g.guardian_id, g.student_id, m.organization_id, o.created_by
from public.guardianships as g
join public.organization_members as m on m.user_id = g.student_id and m.role = 'student'
join public.organizations as o on o.id = m.organization_id
where g.guardian_id::text like '5eed0000-%'
on conflict do nothing;

-- ---------------------------------------------------------------- content
insert into public.subjects (id, slug, name, color, grade_levels)
values
  ('5eed0000-0000-4000-8000-00000000b001', 'math', 'Math', '#FF6B6B', '{1,2,3,4,5,6}'),
  ('5eed0000-0000-4000-8000-00000000b002', 'ela', 'English Language Arts', '#4D96FF', '{1,2,3,4,5,6}'),
  ('5eed0000-0000-4000-8000-00000000b003', 'science', 'Science', '#6BCB77', '{1,2,3,4,5,6}'),
  ('5eed0000-0000-4000-8000-00000000b004', 'social-studies', 'Social Studies', '#FFD93D', '{1,2,3,4,5,6}'),
  ('5eed0000-0000-4000-8000-00000000b005', 'computing', 'Computing', '#845EC2', '{5,6,7,8}')
on conflict do nothing;

insert into public.courses (id, organization_id, subject_id, author_id, kind, slug, title, short_description,
                            difficulty, estimated_hours, grade_levels, tags, settings, is_published)
values
  ('5eed0000-0000-4000-8000-00000000c001', '5eed0000-0000-4000-8000-00000000a001',
   '5eed0000-0000-4000-8000-00000000b001', '5eed0000-0000-4000-8000-000000000002', 'track', 'addition-facts',
   'Addition facts to 18', 'Fluency with single-digit addition', 'beginner', 6, '{2,3}', '{math,fluency}',
   '{"operations": ["+"], "operand_ranges": {"min": 0, "max": 9}, "color": "#FF6B6B"}', true),
  ('5eed0000-0000-4000-8000-00000000c002', '5eed0000-0000-4000-8000-00000000a001',
   '5eed0000-0000-4000-8000-00000000b001', '5eed0000-0000-4000-8000-000000000002', 'track', 'multiplication-facts',
   'Multiplication tables 1-10', 'The times tables, fact by fact', 'intermediate', 10, '{3,4,5}',
   '{math,fluency}', '{"operations": ["×"], "operand_ranges": {"min": 1, "max": 10}, "color": "#FFA94D"}', true),
  ('5eed0000-0000-4000-8000-00000000c003', '5eed0000-0000-4000-8000-00000000a001',
   '5eed0000-0000-4000-8000-00000000b005', '5eed0000-0000-4000-8000-000000000003', 'course', 'python-first-steps',
   'Python first steps', 'Variables, loops and functions with a tutor', 'beginner', 12, '{5,6}',
   '{coding,python}', '{}', true),
  ('5eed0000-0000-4000-8000-00000000c004', '5eed0000-0000-4000-8000-00000000a002',
   '5eed0000-0000-4000-8000-00000000b002', '5eed0000-0000-4000-8000-000000000005', 'course', 'word-explorers',
   'Word Explorers', 'Words, sentences and stories in three journeys', 'intro', 8, '{2,3,4}',
   '{reading,writing}', '{}', true),
  ('5eed0000-0000-4000-8000-00000000c005', '5eed0000-0000-4000-8000-00000000a001',
   '5eed0000-0000-4000-8000-00000000b003', '5eed0000-0000-4000-8000-000000000003', 'course', 'weather-lab',
   'Weather lab (draft)', 'Clouds, rain and measuring the weather', 'beginner', 5, '{3,4}', '{science}', '{}', false)
on conflict do nothing;

insert into public.lessons (id, course_id, subject_id, author_id, lesson_code, title, description, lesson_type,
                            container, difficulty, order_index, duration_minutes, is_published)
values
  (
      '5eed0000-0000-4000-8000-00000000d101',
      '5eed0000-0000-4000-8000-00000000c001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002',
   'ADD-1',
   'Sums to 10',
   'Facts with sums up to ten',
   'math_facts',
   'learn',
   'beginner',
   1,
   15,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d102',
      '5eed0000-0000-4000-8000-00000000c001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002',
   'ADD-2',
   'Sums to 18',
   'Bridging through ten',
   'math_facts',
   'experience',
   'beginner',
   2,
   15,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d103',
      '5eed0000-0000-4000-8000-00000000c001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002',
   'ADD-3',
   'Addition challenge',
   'Mixed review against the clock',
   'math_facts',
   'discover',
   'intermediate',
   3,
   10,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d201',
      '5eed0000-0000-4000-8000-00000000c002',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002',
   'MUL-1',
   'Tables 1, 2, 5 and 10',
   'The friendly tables',
   'math_facts',
   'learn',
   'beginner',
   1,
   15,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d202',
      '5eed0000-0000-4000-8000-00000000c002',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002',
   'MUL-2',
   'Tables 3, 4 and 6',
   'Doubling strategies',
   'math_facts',
   'experience',
   'intermediate',
   2,
   20,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d203',
      '5eed0000-0000-4000-8000-00000000c002',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002',
   'MUL-3',
   'Tables 7, 8 and 9',
   'The tricky ones',
   'math_facts',
   'discover',
   'advanced',
   3,
   20,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d301',
      '5eed0000-0000-4000-8000-00000000c003',
      '5eed0000-0000-4000-8000-00000000b005',
   '5eed0000-0000-4000-8000-000000000003',
   'PY-1',
   'Hello, variables',
   'Names for values',
   'coding',
   null,
   'intro',
   1,
   30,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d302',
      '5eed0000-0000-4000-8000-00000000c003',
      '5eed0000-0000-4000-8000-00000000b005',
   '5eed0000-0000-4000-8000-000000000003',
   'PY-2',
   'Loops',
   'Doing things again and again',
   'coding',
   null,
   'beginner',
   2,
   30,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d401',
      '5eed0000-0000-4000-8000-00000000c004',
      '5eed0000-0000-4000-8000-00000000b002',
   '5eed0000-0000-4000-8000-000000000005', 'WE-1', 'Sight words', 'Say and spell', 'word', 'learn', 'intro', 1, 15, true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d402',
      '5eed0000-0000-4000-8000-00000000c004',
      '5eed0000-0000-4000-8000-00000000b002',
   '5eed0000-0000-4000-8000-000000000005',
   'WE-2',
   'Building sentences',
   'Who did what',
   'sentence',
   'experience',
   'beginner',
   2,
   20,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d403',
      '5eed0000-0000-4000-8000-00000000c004',
      '5eed0000-0000-4000-8000-00000000b002',
   '5eed0000-0000-4000-8000-000000000005',
   'WE-3',
   'Story studio',
   'Write your own story',
   'freestyle',
   'discover',
   'intermediate',
   3,
   25,
   true
   ),
  (
      '5eed0000-0000-4000-8000-00000000d501',
      '5eed0000-0000-4000-8000-00000000c005',
      '5eed0000-0000-4000-8000-00000000b003',
   '5eed0000-0000-4000-8000-000000000003',
   'WX-1',
   'Cloud types (draft)',
   'Cumulus, stratus, cirrus',
   'standard',
   'learn',
   'beginner',
   1,
   20,
   false
   )
on conflict do nothing;

insert into public.concepts (id, organization_id, subject_id, author_id, kind, code, name, mastery_threshold,
                             order_index, grade_level, is_published)
values
  (
      '5eed0000-0000-4000-8000-00000000e001',
      '5eed0000-0000-4000-8000-00000000a001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002', 'skill', 'math.add.to-10', 'Addition to 10', 0.60, 1, '2', true),
  (
      '5eed0000-0000-4000-8000-00000000e002',
      '5eed0000-0000-4000-8000-00000000a001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002', 'skill', 'math.add.to-18', 'Addition to 18', 0.60, 2, '2', true),
  (
      '5eed0000-0000-4000-8000-00000000e003',
      '5eed0000-0000-4000-8000-00000000a001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002', 'skill', 'math.mul.friendly', 'Times tables 1, 2, 5, 10', 0.60, 3, '3', true
   ),
  (
      '5eed0000-0000-4000-8000-00000000e004',
      '5eed0000-0000-4000-8000-00000000a001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002', 'skill', 'math.mul.middle', 'Times tables 3, 4, 6', 0.60, 4, '3', true),
  (
      '5eed0000-0000-4000-8000-00000000e005',
      '5eed0000-0000-4000-8000-00000000a001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002', 'skill', 'math.mul.tricky', 'Times tables 7, 8, 9', 0.60, 5, '4', true),
  (
      '5eed0000-0000-4000-8000-00000000e006',
      '5eed0000-0000-4000-8000-00000000a001',
      '5eed0000-0000-4000-8000-00000000b001',
   '5eed0000-0000-4000-8000-000000000002',
   'concept',
   'math.div.facts',
   'Division as inverse multiplication',
   0.80,
   6,
   '4',
   true
   )
on conflict do nothing;

insert into public.concept_prerequisites (concept_id, prerequisite_id, strength, reason)
values
  (
      '5eed0000-0000-4000-8000-00000000e002',
      '5eed0000-0000-4000-8000-00000000e001',
      'strong',
      'bridging through ten needs sums to ten'
  ),
  ('5eed0000-0000-4000-8000-00000000e003', '5eed0000-0000-4000-8000-00000000e002', 'moderate', 'repeated addition'),
  (
      '5eed0000-0000-4000-8000-00000000e004',
      '5eed0000-0000-4000-8000-00000000e003',
      'strong',
      'doubling the friendly tables'
  ),
  ('5eed0000-0000-4000-8000-00000000e005', '5eed0000-0000-4000-8000-00000000e004', 'strong', 'derived facts'),
  ('5eed0000-0000-4000-8000-00000000e006', '5eed0000-0000-4000-8000-00000000e005', 'strong', 'inverse of every table')
on conflict do nothing;

insert into public.content_hooks (id, concept_id, organization_id, life_category, sub_category, hook_text, is_published)
values
  (
      '5eed0000-0000-4000-8000-00000000f001',
      '5eed0000-0000-4000-8000-00000000e003',
      '5eed0000-0000-4000-8000-00000000a001',
   'career', 'technology', 'Game designers multiply all day: 5 levels × 10 coins each...', true),
  (
      '5eed0000-0000-4000-8000-00000000f002',
      '5eed0000-0000-4000-8000-00000000e001',
      '5eed0000-0000-4000-8000-00000000a001',
   'personal', null, 'Counting your pocket money? That''s addition.', true)
on conflict do nothing;

insert into public.content_examples (id, concept_id, organization_id, example_text, interest_tags, life_category,
                                     difficulty, is_published)
values
  (
      '5eed0000-0000-4000-8000-00000000f101',
      '5eed0000-0000-4000-8000-00000000e003',
      '5eed0000-0000-4000-8000-00000000a001',
   'A Minecraft chest holds 9 rows of 3 stacks: how many stacks?', '{gaming}', 'personal', 'beginner', true)
on conflict do nothing;

-- math facts: 100 additions (0-9 + 0-9) and 100 multiplications (1-10 × 1-10), sequenced within their lesson
insert into public.questions (id, course_id, lesson_id, concept_id, author_id, question_type, operand1, operand2,
                              operation, sequence_number, difficulty, category, is_published)
select md5(format('seed-question-add-%s-%s', a, b))::uuid,
       '5eed0000-0000-4000-8000-00000000c001',
       case when a + b <= 10 then '5eed0000-0000-4000-8000-00000000d101'::uuid
            else '5eed0000-0000-4000-8000-00000000d102'::uuid end,
       case when a + b <= 10 then '5eed0000-0000-4000-8000-00000000e001'::uuid
            else '5eed0000-0000-4000-8000-00000000e002'::uuid end,
       '5eed0000-0000-4000-8000-000000000002', 'math_fact', a, b, '+', a * 10 + b,
       case when a + b <= 10 then 'beginner' else 'intermediate' end::public.difficulty_level,
       'addition', true
from generate_series(0, 9) as a, generate_series(0, 9) as b
on conflict do nothing;

insert into public.questions (id, course_id, lesson_id, concept_id, author_id, question_type, operand1, operand2,
                              operation, sequence_number, difficulty, category, is_published)
select md5(format('seed-question-mul-%s-%s', a, b))::uuid,
       '5eed0000-0000-4000-8000-00000000c002',
       case when a in (1, 2, 5, 10) then '5eed0000-0000-4000-8000-00000000d201'::uuid
            when a in (3, 4, 6) then '5eed0000-0000-4000-8000-00000000d202'::uuid
            else '5eed0000-0000-4000-8000-00000000d203'::uuid end,
       case when a in (1, 2, 5, 10) then '5eed0000-0000-4000-8000-00000000e003'::uuid
            when a in (3, 4, 6) then '5eed0000-0000-4000-8000-00000000e004'::uuid
            else '5eed0000-0000-4000-8000-00000000e005'::uuid end,
       '5eed0000-0000-4000-8000-000000000002', 'math_fact', a, b, '×', a * 10 + b,
       case when a in (1, 2, 5, 10) then 'beginner' when a in (3, 4, 6) then 'intermediate'
            else 'advanced' end::public.difficulty_level,
       'multiplication', true
from generate_series(1, 10) as a, generate_series(1, 10) as b
on conflict do nothing;

-- hints live apart from the questions, hidden like the answer keys: learners take them through use_hint()
insert into public.question_hints (question_id, hint)
select q.id, case q.operation when '+' then 'Start from the bigger number and count on.'
                              else 'Skip-count by the first number.' end
from public.questions as q
where q.course_id in ('5eed0000-0000-4000-8000-00000000c001', '5eed0000-0000-4000-8000-00000000c002')
on conflict do nothing;

insert into public.question_answer_keys (question_id, correct_answer, correct_value)
select q.id, to_jsonb(case q.operation when '+' then q.operand1 + q.operand2 else q.operand1 * q.operand2 end),
       case q.operation when '+' then q.operand1 + q.operand2 else q.operand1 * q.operand2 end
from public.questions as q
where q.course_id in ('5eed0000-0000-4000-8000-00000000c001', '5eed0000-0000-4000-8000-00000000c002')
on conflict do nothing;

-- a Word Explorers quiz and a Python coding test (answer keys hidden from students)
insert into public.tests (
    id, course_id, lesson_id, author_id, kind, title, passing_score, time_limit_seconds, is_published
)
values
  (
      '5eed0000-0000-4000-8000-0000000a0001',
      '5eed0000-0000-4000-8000-00000000c004',
      '5eed0000-0000-4000-8000-00000000d401',
   '5eed0000-0000-4000-8000-000000000005', 'quiz', 'Sight words check', 70, 300, true),
  (
      '5eed0000-0000-4000-8000-0000000a0002',
      '5eed0000-0000-4000-8000-00000000c003',
      '5eed0000-0000-4000-8000-00000000d302',
   '5eed0000-0000-4000-8000-000000000003', 'coding', 'Loop challenge', 80, 1800, true)
on conflict do nothing;

insert into public.questions (id, course_id, lesson_id, test_id, author_id, question_type, prompt, options,
                              sequence_number, is_published)
values
  (
      '5eed0000-0000-4000-8000-0000000b0001',
      '5eed0000-0000-4000-8000-00000000c004',
      '5eed0000-0000-4000-8000-00000000d401',
   '5eed0000-0000-4000-8000-0000000a0001', '5eed0000-0000-4000-8000-000000000005', 'multiple_choice',
   '{"text": "Which word rhymes with cat?"}', '["dog", "hat", "sun"]', 1, true),
  (
      '5eed0000-0000-4000-8000-0000000b0002',
      '5eed0000-0000-4000-8000-00000000c004',
      '5eed0000-0000-4000-8000-00000000d401',
   '5eed0000-0000-4000-8000-0000000a0001', '5eed0000-0000-4000-8000-000000000005', 'ordering',
   '{"text": "Put the words in order"}', '["ran", "the", "dog"]', 2, true),
  (
      '5eed0000-0000-4000-8000-0000000b0003',
      '5eed0000-0000-4000-8000-00000000c003',
      '5eed0000-0000-4000-8000-00000000d302',
   '5eed0000-0000-4000-8000-0000000a0002', '5eed0000-0000-4000-8000-000000000003', 'coding',
   '{"instructions": "Print the numbers 1 to 5, one per line.", "starter_code": "for i in ...:\n    print(i)"}',
   null, 1, true)
on conflict do nothing;

insert into public.question_answer_keys (question_id, correct_answer, accepted_answers, test_cases, expected_output)
values
  ('5eed0000-0000-4000-8000-0000000b0001', '"hat"', '{hat}', null, null),
  ('5eed0000-0000-4000-8000-0000000b0002', '["the", "dog", "ran"]', '{}', null, null),
  ('5eed0000-0000-4000-8000-0000000b0003', '"1\n2\n3\n4\n5"', '{}',
   '[{"stdin": "", "stdout": "1\n2\n3\n4\n5\n"}]', '1\n2\n3\n4\n5')
on conflict do nothing;

-- ---------------------------------------------------------------- enrollments and lesson progress
insert into public.enrollments (id, user_id, course_id)
select md5(format('seed-enrollment-%s-%s', n, c))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       c::uuid
from generate_series(1, 34) as n
cross join lateral unnest(case
  when n <= 20 then array['5eed0000-0000-4000-8000-00000000c001', '5eed0000-0000-4000-8000-00000000c002']
  else array['5eed0000-0000-4000-8000-00000000c004'] end) as c
on conflict do nothing;

-- completed lessons: a student finishes lesson k of a course when their (stable) pace allows
insert into public.lesson_progress (id, user_id, lesson_id, completed, time_spent_seconds, completed_at)
select md5(format('seed-lesson-progress-%s-%s', n, l.id))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       l.id, l.order_index <= 1 + abs(hashtext('pace' || n)) % 3, 600 + abs(hashtext(n || l.title)) % 1200,
       now() - make_interval(days => 30 - 8 * l.order_index)
from generate_series(1, 34) as n
join public.enrollments as e on e.user_id = ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid
join public.lessons as l on l.course_id = e.course_id and l.is_published
on conflict do nothing;

-- ---------------------------------------------------------------- 30 days of practice
-- A student practises on about 70 % of days, one session of 8 answers; skill
-- (60-95 % right) and speed differ per student. Times are relative to now().
insert into public.learning_sessions (id, user_id, session_type, container, mode, subject_id, course_id, lesson_id,
                                      status, config, device_type, started_at, ended_at, active_seconds, score,
                                      feedback)
select md5(format('seed-session-%s-%s', n, d))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       'practice',
       (array['learn', 'experience', 'discover'])[1 + d % 3]::public.learning_container,
       case when n <= 20 then 'timed' else (array['word', 'sentence', 'freestyle'])[1 + d % 3] end,
       case when n <= 20 then '5eed0000-0000-4000-8000-00000000b001'::uuid
            else '5eed0000-0000-4000-8000-00000000b002'::uuid end,
       case when n <= 20 then (case when d % 2 = 0 then '5eed0000-0000-4000-8000-00000000c001'
                                    else '5eed0000-0000-4000-8000-00000000c002' end)::uuid
            else '5eed0000-0000-4000-8000-00000000c004'::uuid end,
       null,
       'completed',
       '{"questions": 8}',
       (array['desktop', 'tablet', 'mobile'])[1 + abs(hashtext('device' || n)) % 3],
       date_trunc('day', now()) - make_interval(days => d) + make_interval(hours => 15 + n % 4, mins => n),
       date_trunc('day', now()) - make_interval(days => d) + make_interval(hours => 15 + n % 4, mins => n + 12),
       600,
       case when n > 20 then 55 + abs(hashtext(format('score-%s-%s', n, d))) % 45 end,
       case when n > 20 then jsonb_build_object('summary', (array['Clear signing, watch your hand shape',
         'Great rhythm in your sentences', 'Try slowing down on new words'])[1 + d % 3]) end
from generate_series(1, 34) as n, generate_series(0, 29) as d
where abs(hashtext(format('active-%s-%s', n, d))) % 10 < 7
on conflict do nothing;

-- Answers in time order through the answer path (grade, record, award, progress), so mastery, SM-2 and XP
-- replay history; the idempotency key makes a second run of this seed change nothing.
do $$
declare
  answer record;
begin
  for answer in
    select s.user_id, s.id as session_id, q.id as question_id,
           to_jsonb(case when abs(hashtext(format('right-%s-%s', s.id, k))) % 100 < skill.percent
                         then q.answer else q.answer + 1 end) as given,
           skill.base_ms + abs(hashtext(format('time-%s-%s', s.id, k))) % 3000 as response_time_ms,
           case when abs(hashtext(format('hint-%s-%s', s.id, k))) % 10 = 0 then 1 else 0 end as hints_used,
           format('seed-attempt-%s-%s', s.id, k) as idempotency_key,
           s.started_at + make_interval(secs => 60 * k) as answered_at
    from public.learning_sessions as s
    cross join lateral (
      select 60 + abs(hashtext('skill' || s.user_id)) % 36 as percent,
             800 + abs(hashtext('speed' || s.user_id)) % 2500 as base_ms
    ) as skill
    cross join generate_series(1, 8) as k
    cross join lateral (
      select question.id,
             case question.operation when '+' then question.operand1 + question.operand2
                  else question.operand1 * question.operand2 end as answer
      from public.questions as question
      where question.course_id = s.course_id and question.question_type = 'math_fact'
      order by md5(format('pick-%s-%s-', s.id, k) || question.id)
      limit 1
    ) as q
    where s.user_id::text like '5eed0000-%'
      and s.course_id in ('5eed0000-0000-4000-8000-00000000c001', '5eed0000-0000-4000-8000-00000000c002')
    order by s.started_at, k
  loop
    perform private.record_answer(answer.user_id, answer.session_id, answer.question_id, answer.given,
      answer.response_time_ms, answer.hints_used, answer.idempotency_key, answer.answered_at,
      trust_reported_time => true);
  end loop;
end
$$;

-- ---------------------------------------------------------------- journeys, chats, notifications
insert into public.journey_summaries (id, user_id, grade_level, career, companion, total_xp_earned,
                                      total_time_seconds, overall_score, skills_mastered, skills_attempted,
                                      learn_progress, experience_progress, discover_progress, started_at, ended_at)
select md5(format('seed-journey-%s', n))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       (2 + n % 5)::text::public.grade_level,
       (array['Marine biologist', 'Game designer', 'Chef', 'Architect'])[1 + n % 4],
       (array['Sage', 'Finn', 'Harmony'])[1 + n % 3],
       150 + 10 * n, 2400 + 60 * n, 70 + n % 25, 1 + n % 3, 4,
       '{"status": "completed", "score": 82}', '{"status": "completed", "score": 76}', '{"status": "in_progress"}',
       now() - interval '3 days', now() - interval '3 days' + interval '50 minutes'
from generate_series(21, 34) as n
on conflict do nothing;

insert into public.chat_sessions (id, user_id, title, context, course_id, lesson_id, created_at, last_message_at)
select md5(format('seed-chat-%s', n))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       'Why does 7 × 8 = 56?', 'lesson_chat', '5eed0000-0000-4000-8000-00000000c002',
       '5eed0000-0000-4000-8000-00000000d203',
       now() - make_interval(days => n % 5),
       now() - make_interval(days => n % 5)
from generate_series(1, 6) as n
on conflict do nothing;

insert into public.chat_messages (id, chat_id, user_id, sender, content, tool_calls)
select md5(format('seed-chat-message-%s-%s', n, m.position))::uuid,
       md5(format('seed-chat-%s', n))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       m.sender::public.chat_sender, m.content, m.tool_calls::jsonb
from generate_series(1, 6) as n
cross join (values
  (1, 'user', 'Why does 7 × 8 = 56?', '[]'),
  (2, 'tutor', 'Think of 7 × 8 as 7 × 4 doubled: 28 + 28 = 56. Want to try 7 × 6 the same way?',
   '[{"name": "lookup_fact", "arguments": {"a": 7, "b": 8}}]'),
  (3, 'user', '7 × 3 = 21, doubled is 42!', '[]')
) as m (position, sender, content, tool_calls)
order by n, m.position
on conflict do nothing;

insert into public.ai_usage (
    id, user_id, chat_id, interaction_type, model, prompt_tokens, completion_tokens, latency_ms
)
select md5(format('seed-ai-usage-%s', n))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       md5(format('seed-chat-%s', n))::uuid, 'tutor_reply', 'tutor-small', 420 + n, 96 + n, 850 + 20 * n
from generate_series(1, 6) as n
on conflict do nothing;

insert into public.notifications (id, user_id, type, title, message, action_url)
select md5(format('seed-notification-%s', n))::uuid,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid,
       'review_due', 'Facts to review', 'A few facts are ready for review today.', '/practice/review'
from generate_series(1, 34) as n
on conflict do nothing;

insert into public.guardian_actions (id, guardian_id, student_id, action, reason, details)
values
  (md5('seed-guardian-action-1')::uuid, '5eed0000-0000-4000-8000-000000000201', '5eed0000-0000-4000-8000-000000000101',
   'view_report', null, '{"period": "last_week"}'),
  (md5('seed-guardian-action-2')::uuid, '5eed0000-0000-4000-8000-000000000201', '5eed0000-0000-4000-8000-000000000101',
   'change_setting', 'less screen time on school nights', '{"setting": "daily_goal_minutes", "from": 15, "to": 10}')
on conflict do nothing;

insert into public.feedback (id, user_id, lesson_id, feedback_type, rating, feedback_text)
values
  (md5('seed-feedback-1')::uuid, '5eed0000-0000-4000-8000-000000000101', '5eed0000-0000-4000-8000-00000000d203',
   'content', 4, 'The 7s are hard but the tutor helped.'),
  (md5('seed-feedback-2')::uuid, '5eed0000-0000-4000-8000-000000000116', '5eed0000-0000-4000-8000-00000000d402',
   'content', 5, 'I made a silly sentence about a dragon.')
on conflict do nothing;

-- ---------------------------------------------------------------- semantic retrieval (pgvector servers only)
-- 24 chunks, 4 per Maple Grove concept, each tagged with two interests. Embeddings are deterministic stand-ins
-- for a model's: the l2-normalised sum of pseudo-random unit directions (hashtext per dimension) for the
-- concept (weight 1), each interest (0.5) and the chunk itself (0.3), so chunks of one concept sit close
-- together and the demo can query with the concept's direction (cli/sql/demo_retrieval.sql). Ava (student 1)
-- likes sports and music. Where pgvector is absent the table does not exist and this block does nothing.
do $seed_retrieval$
begin
  if to_regclass('public.content_chunks') is null then
    return;
  end if;

  insert into public.content_chunks (id, organization_id, concept_id, author_id, chunk_index, content, grade_level,
                                     difficulty, interest_tags, embedding, embedding_model, is_published)
  select
    md5(format('seed-chunk-%s-%s', c.code, k))::uuid,
    c.organization_id, c.id, c.author_id, k,
    format('%s, with %s and %s: %s', c.name, tags[1], tags[2],
           (array['warm-up: picture it first', 'worked example, step by step', 'a pattern to notice',
                  'a quick check of what you know'])[k + 1]),
    c.grade_level,
    (array['beginner', 'beginner', 'intermediate', 'advanced'])[k + 1]::public.difficulty_level,
    tags,
    extensions.l2_normalize((
      select array_agg(((hashtext(format('%s:%s', c.code, i))
                         + 0.5 * hashtext(format('interest:%s:%s', tags[1], i))
                         + 0.5 * hashtext(format('interest:%s:%s', tags[2], i))
                         + 0.3 * hashtext(format('chunk:%s:%s:%s', c.code, k, i))) / 2147483648.0)::real
                       order by i)
      from generate_series(1, 1536) as i)::extensions.vector),
    'seed:hashtext',
    true
  from public.concepts as c
  cross join generate_series(0, 3) as k
  cross join lateral (
    select array[
      (array['sports', 'music', 'animals', 'space', 'cooking', 'gaming'])[1 + (k + c.order_index) % 6],
      (array['sports', 'music', 'animals', 'space', 'cooking', 'gaming'])[1 + (k + c.order_index + 3) % 6]
    ] as tags
  ) as interest
  where c.organization_id = '5eed0000-0000-4000-8000-00000000a001' and c.code like 'math.%'
  on conflict do nothing;

  update public.profiles
  set interests = '[{"interest": "sports", "category": "personal", "strength": 0.9},
                    {"interest": "music", "category": "personal", "strength": 0.6}]'
  where id = '5eed0000-0000-4000-8000-000000000101' and interests = '[]';
end
$seed_retrieval$;
