-- create session anonymisation
--
-- private.anonymised_session(archived jsonb): an archived learning session (a
-- learning_sessions row as JSON with its answer_attempts and
-- exercise_generations arrays, as the archive-sessions job writes it) without
-- what identifies the learner: every user_id becomes null, client_info is
-- emptied, raw_input (free text a learner typed) and the interests exercises
-- were personalised with are dropped. What was learnt, how well
-- and when stays, for aggregate research. Pure: the same input gives the same
-- output, so rewriting an archive twice yields the same file.

create function private.anonymised_session(archived jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$
  select archived
    || jsonb_build_object(
         'user_id', null,
         'client_info', '{}'::jsonb,
         'answer_attempts', coalesce((
           select jsonb_agg(attempt || jsonb_build_object('user_id', null, 'raw_input', null) order by position)
           from jsonb_array_elements(coalesce(archived -> 'answer_attempts', '[]'))
                with ordinality as attempts (attempt, position)), '[]'::jsonb),
         'exercise_generations', coalesce((
           select jsonb_agg(exercise || jsonb_build_object('user_id', null, 'student_interests', '[]'::jsonb,
                                                           'selected_interest', null) order by position)
           from jsonb_array_elements(coalesce(archived -> 'exercise_generations', '[]'))
                with ordinality as exercises (exercise, position)), '[]'::jsonb),
         'anonymised', true)
$$;
comment on function private.anonymised_session(jsonb) is
  'An archived session (JSON, with answer_attempts and exercise_generations) without the learner''s identity: '
  'user ids null, client_info emptied, raw_input and interests dropped; marked "anonymised": true.';
revoke execute on function private.anonymised_session(jsonb) from public;
