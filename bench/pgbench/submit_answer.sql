-- bench/xp_award.py: one POST /rpc/submit_answer as PostgREST runs it, driven by
-- pgbench so both workloads of the bench have the same client. Variables:
-- :client_id (pgbench's), :n (this client's request counter, -D n=0),
-- :students_per_client and :first_question (-D). Each client owns its students;
-- request n answers question first_question + n / students_per_client, so every
-- submission is a learner's first, correct try at an unanswered question. Ids are
-- md5-derived as in bench/sql/xp_award.sql's setup.
\set n :n + 1
\set student :client_id * :students_per_client + (:n % :students_per_client) + 1
\set question :first_question + :n / :students_per_client
begin;
select set_config('role', 'authenticated', true),
       set_config('request.jwt.claims', json_build_object(
         'role', 'authenticated', 'aud', 'authenticated', 'sub', md5('student' || :student)::uuid,
         'email', '', 'phone', '', 'is_anonymous', false, 'aal', 'aal1', 'session_id', md5('jwt' || :student)::uuid,
         'app_metadata', json_build_object('provider', 'email', 'providers', json_build_array('email')),
         'user_metadata', '{}'::json)::text, true),
       set_config('request.method', 'POST', true),
       set_config('request.path', '/rest/v1/rpc/submit_answer', true),
       set_config('request.headers', '{}', true);
select public.submit_answer(md5('session' || :student)::uuid, md5('question' || :question)::uuid,
  to_jsonb(2 * :question + 1), 900, 'bench:' || :first_question || ':' || :client_id || ':' || :n);
end;
