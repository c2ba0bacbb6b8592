-- name: set_request
-- What PostgREST runs at the start of every request's transaction.
select
  set_config('role', %(role)s, true),
  set_config('request.jwt.claims', %(claims)s, true),
  set_config('request.method', %(method)s, true),
  set_config('request.path', %(path)s, true),
  set_config('request.headers', %(headers)s, true);

-- name: create_user
insert into auth.users (id, email, raw_user_meta_data, is_anonymous, email_confirmed_at)
values (%(id)s, %(email)s, %(metadata)s::jsonb, %(is_anonymous)s, now());

-- name: drop_database
-- `learnkit db diff`'s scratch database (cli/schema_diff.py).
drop database if exists {target} with (force);

-- name: find_user
-- A user of auth.users by id or by email, for acting as them.
select id, email from auth.users where id::text = %(user)s or email = %(user)s;

-- name: lock_template_build
-- Held by the pytest plugin's session while it builds its template; released with the session.
select pg_advisory_lock(hashtext('learnkit pytest template'));
