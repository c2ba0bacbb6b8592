-- bench/xp_award.py: the naive peer, one POST /rpc/increment_xp as PostgREST runs it (the same request
-- settings as submit_answer.sql), for the same learners. Variables as in submit_answer.sql.
\set n :n + 1
\set student :client_id * :students_per_client + (:n % :students_per_client) + 1
begin;
select set_config('role', 'authenticated', true),
       set_config('request.jwt.claims', json_build_object(
         'role', 'authenticated', 'aud', 'authenticated', 'sub', md5('student' || :student)::uuid,
         'email', '', 'phone', '', 'is_anonymous', false, 'aal', 'aal1', 'session_id', md5('jwt' || :student)::uuid,
         'app_metadata', json_build_object('provider', 'email', 'providers', json_build_array('email')),
         'user_metadata', '{}'::json)::text, true),
       set_config('request.method', 'POST', true),
       set_config('request.path', '/rest/v1/rpc/increment_xp', true),
       set_config('request.headers', '{}', true);
select bench_naive.increment_xp(10);
end;
