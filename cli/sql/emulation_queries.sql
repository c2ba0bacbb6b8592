-- name: has_auth_schema
select exists (select from pg_catalog.pg_namespace where nspname = 'auth') as has_auth;

-- name: database_settings
do $settings$
begin
  execute format('alter database %I set pgrst.db_schemas = %L', current_database(), 'public');
  execute format('alter database %I set search_path = "$user", public, extensions',
    current_database());
end
$settings$;
