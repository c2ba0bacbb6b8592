-- Structure: the tables exist, RLS is on everywhere, key tables have exactly their policies.
begin;
create extension if not exists pgtap with schema extensions;
select plan(56);

select has_table('public', 'user_settings', 'table public.user_settings exists');
select has_table('public', 'profiles', 'table public.profiles exists');
select has_table('public', 'organizations', 'table public.organizations exists');
select has_table('public', 'organization_members', 'table public.organization_members exists');
select has_table('public', 'guardianships', 'table public.guardianships exists');
select has_table('public', 'guardian_actions', 'table public.guardian_actions exists');
select has_table('public', 'subjects', 'table public.subjects exists');
select has_table('public', 'media_assets', 'table public.media_assets exists');
select has_table('public', 'courses', 'table public.courses exists');
select has_table('public', 'lessons', 'table public.lessons exists');
select has_table('public', 'lesson_notes', 'table public.lesson_notes exists');
select has_table('public', 'textbooks', 'table public.textbooks exists');
select has_table('public', 'tests', 'table public.tests exists');
select has_table('public', 'concepts', 'table public.concepts exists');
select has_table('public', 'concept_prerequisites', 'table public.concept_prerequisites exists');
select has_table('public', 'content_hooks', 'table public.content_hooks exists');
select has_table('public', 'content_examples', 'table public.content_examples exists');
select has_table('public', 'questions', 'table public.questions exists');
select has_table('public', 'question_answer_keys', 'table public.question_answer_keys exists');
select has_table('public', 'question_hints', 'table public.question_hints exists');
select hasnt_column('public', 'questions', 'hint', 'hints live in question_hints, not in the readable questions');
select has_table('public', 'enrollments', 'table public.enrollments exists');
select has_table('public', 'lesson_progress', 'table public.lesson_progress exists');
select has_table('public', 'learning_paths', 'table public.learning_paths exists');
select has_table('public', 'learning_sessions', 'table public.learning_sessions exists');
select has_table('public', 'answer_attempts', 'table public.answer_attempts exists');
select has_table('public', 'question_progress', 'table public.question_progress exists');
select has_table('public', 'skill_progress', 'table public.skill_progress exists');
select has_table('public', 'exercise_generations', 'table public.exercise_generations exists');
select has_table('public', 'assessments', 'table public.assessments exists');
select has_table('public', 'coding_attempts', 'table public.coding_attempts exists');
select has_table('public', 'remediation_paths', 'table public.remediation_paths exists');
select has_table('public', 'journey_summaries', 'table public.journey_summaries exists');
select has_table('public', 'chat_sessions', 'table public.chat_sessions exists');
select has_table('public', 'chat_messages', 'table public.chat_messages exists');
select has_table('public', 'ai_usage', 'table public.ai_usage exists');
select has_table('public', 'notifications', 'table public.notifications exists');
select has_table('public', 'feedback', 'table public.feedback exists');
select has_table('public', 'error_logs', 'table public.error_logs exists');
select tests.rls_enabled('public');
select
    policies_are(
        'public',
        'profiles',
        array['Users can read their own and their linked people''s profiles', 'Users can update their own profile'],
        'public.profiles has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'organization_members',
        array[
            'Users can read their own memberships and staff their rosters',
            'Admins can change staff roles in their organizations',
            'Users can leave organizations and admins remove members'
        ],
        'public.organization_members has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'guardianships',
        array[
            'Guardians, students and vouching staff can read guardianships',
            'Guardians can end their own guardianships'
        ],
        'public.guardianships has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'question_answer_keys',
        array[
            'Staff can read answer keys of their organization''s questions',
            'Staff can add answer keys to their organization''s questions',
            'Staff can update answer keys of their organization''s questions',
            'Staff can delete answer keys of their organization''s questions'
        ],
        'public.question_answer_keys has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'question_hints',
        array[
            'Staff can read hints of their organization''s questions',
            'Staff can add hints to their organization''s questions',
            'Staff can update hints of their organization''s questions',
            'Staff can delete hints of their organization''s questions'
        ],
        'public.question_hints has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'answer_attempts',
        array[
            'Learners, guardians and staff can read answer attempts'
        ],
        'public.answer_attempts has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'learning_sessions',
        array[
            'Learners, guardians and staff can read learning sessions',
            'Students can start their own learning sessions',
            'Students can update their own learning sessions'
        ],
        'public.learning_sessions has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'question_progress',
        array['Learners, guardians and staff can read question progress'],
        'public.question_progress has exactly the expected policies'
    );
select
    policies_are(
        'public',
        'guardian_actions',
        array[
            'Guardians and students can read guardian actions',
            'Guardians can record actions about their students'
        ],
        'public.guardian_actions has exactly the expected policies'
    );
select has_function('private', 'is_org_member', array['uuid'], 'private.is_org_member(uuid) exists');
select has_function('private', 'is_org_staff', array['uuid'], 'private.is_org_staff(uuid) exists');
select has_function('private', 'is_guardian_of', array['uuid'], 'private.is_guardian_of(uuid) exists');
select has_function('public', 'next_available_concepts', array['uuid', 'uuid'], 'next_available_concepts exists');
select is(
  (select count(*)::int from pg_catalog.pg_proc as p join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
   where n.nspname = 'private' and p.prosecdef
     and not coalesce(p.proconfig @> array['search_path=""'], false)),
  0, 'every security definer function in private pins search_path');
select is(
  (select count(*)::int from pg_catalog.pg_policies where schemaname = 'public' and cmd = 'ALL'),
  0, 'no policy is for all commands');
select is(
  (select count(*)::int from information_schema.role_table_grants
   where table_schema = 'public' and grantee = 'anon'
     and table_name
     = any(
         array[
             'user_settings',
             'profiles',
             'organizations',
             'organization_members',
             'guardianships',
             'guardian_actions',
             'subjects',
             'media_assets',
             'courses',
             'lessons',
             'lesson_notes',
             'textbooks',
             'tests',
             'concepts',
             'concept_prerequisites',
             'content_hooks',
             'content_examples',
             'questions',
             'question_answer_keys',
             'question_hints',
             'enrollments',
             'lesson_progress',
             'learning_paths',
             'learning_sessions',
             'answer_attempts',
             'question_progress',
             'skill_progress',
             'exercise_generations',
             'assessments',
             'coding_attempts',
             'remediation_paths',
             'journey_summaries',
             'chat_sessions',
             'chat_messages',
             'ai_usage',
             'notifications',
             'feedback',
             'error_logs'
         ]
     )
     ),
  0, 'anon has no privilege on any learning table');

select * from finish();
rollback;
