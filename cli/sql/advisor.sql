-- The database advisor: security and performance checks on a live database,
-- in the spirit of Supabase's splinter lints (written for learnkit, not copied).
--
-- The first two blocks prepare the session; every other block is one check,
-- run in file order by cli/advisor.py inside one read-only transaction with
-- search_path = pg_catalog, so regclass/regprocedure print schema-qualified
-- names. A check returns one row per finding with the columns
--   level     ERROR | WARN | INFO
--   category  SECURITY | PERFORMANCE
--   object    the table, view, policy, function or extension concerned
--   why       what is wrong and what it risks
--   fix       how to fix it
-- and receives the parameters
--   exposed_schemas  text[]: the schemas the Data API serves (pgrst.db_schemas)
--   managed_schemas  text[]: schemas Supabase or PostgreSQL own, never checked
-- Objects that belong to an extension (pg_depend deptype 'e') are never reported.
-- Check blocks take psycopg parameters, so they must not contain a percent sign.

-- name: prepare_session
select
    pg_catalog.set_config('transaction_read_only', 'on', true) as read_only,
    pg_catalog.set_config('search_path', 'pg_catalog', true) as search_path,
    pg_catalog.set_config('statement_timeout', '60s', true) as statement_timeout,
    exists (select from pg_catalog.pg_roles where rolname = 'anon')
    and exists (select from pg_catalog.pg_roles where rolname = 'authenticated') as has_api_roles;

-- name: exposed_schemas
-- PostgREST's pgrst.db_schemas: set on the database (learnkit, in-database
-- config) or on the authenticator role (hosted Supabase); public by default.
select
    coalesce(
        nullif(current_setting('pgrst.db_schemas', true), ''),
        (
            select substr(setting.value, length('pgrst.db_schemas=') + 1)
            from pg_catalog.pg_db_role_setting as role_setting
            cross join lateral unnest(role_setting.setconfig) as setting (value)
            where
                role_setting.setrole = (select r.oid from pg_catalog.pg_roles as r where r.rolname = 'authenticator')
                and role_setting.setdatabase in (
                    0, (select d.oid from pg_catalog.pg_database as d where d.datname = current_database())
                )
                and starts_with(setting.value, 'pgrst.db_schemas=')
            order by role_setting.setdatabase desc
            limit 1
        ),
        'public'
    ) as schemas;

-- name: rls_disabled_in_exposed_schema
-- Tables the API roles hold privileges on, in an exposed schema, with RLS off
-- and no policies (with policies, policy_exists_rls_disabled reports them).
select
    'ERROR' as level,
    'SECURITY' as category,
    c.oid::regclass::text as object,
    'table ' || c.oid::regclass::text || ' is served by the API (schema ' || n.nspname
    || ' is exposed) with row level security disabled: anyone holding the anon key can read and change every row'
    as why,
    'alter table ' || c.oid::regclass::text
    || ' enable row level security; then add one policy per operation and role' as fix
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and n.nspname = any(%(exposed_schemas)s)
    and not n.nspname = any(%(managed_schemas)s)
    and (
        has_table_privilege('anon', c.oid, 'select, insert, update, delete')
        or has_table_privilege('authenticated', c.oid, 'select, insert, update, delete')
    )
    and not exists (select from pg_catalog.pg_policy as p where p.polrelid = c.oid)
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by object;

-- name: policy_exists_rls_disabled
select
    'ERROR' as level,
    'SECURITY' as category,
    c.oid::regclass::text as object,
    'table ' || c.oid::regclass::text || ' has policies ('
    || (select string_agg(quote_ident(p.polname), ', ' order by p.polname) from pg_catalog.pg_policy as p where p.polrelid = c.oid)
    || ') but row level security is disabled, so none of them applies' as why,
    'alter table ' || c.oid::regclass::text || ' enable row level security' as fix
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and not n.nspname = any(%(managed_schemas)s)
    and exists (select from pg_catalog.pg_policy as p where p.polrelid = c.oid)
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by object;

-- name: rls_enabled_no_policy
-- Deny-all is a legitimate choice for tables only the server writes and
-- reads, hence INFO: the finding asks for a conscious decision.
select
    'INFO' as level,
    'SECURITY' as category,
    c.oid::regclass::text as object,
    'table ' || c.oid::regclass::text
    || ' has row level security enabled but no policy: the API roles see no rows and can change none' as why,
    'add policies for the roles that need access, or keep it deny-all if only the server uses it' as fix
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and c.relrowsecurity
    and n.nspname = any(%(exposed_schemas)s)
    and not n.nspname = any(%(managed_schemas)s)
    and not exists (select from pg_catalog.pg_policy as p where p.polrelid = c.oid)
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by object;

-- name: auth_rls_initplan
-- A call to auth.<fn>(), learnkit's private.uid() or current_setting() is
-- evaluated once per statement only inside its own scalar sub-select,
-- `(select auth.uid())`, which the planner runs once as an InitPlan; anywhere
-- else it runs for every row.
-- The deparsed expression is reduced innermost bracket first: a `( SELECT …)`
-- group with no FROM becomes WRAPPED (dropping the calls it holds), any other
-- group becomes [ … ]; a call left over at the end was not wrapped.
with recursive policy_expressions as (
    select
        p.oid as policy_oid,
        regexp_replace(
            regexp_replace(
                coalesce('(' || pg_get_expr(p.polqual, p.polrelid) || ')', '')
                || coalesce('(' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', ''),
                '(auth\.\w+|private\.uid)\(\)', 'AUTHCALL_\1', 'g'
            ),
            'current_setting\([^()]*\)', 'SETTINGCALL', 'g'
        ) as expression
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where not n.nspname = any(%(managed_schemas)s)
),

reductions (policy_oid, expression, step) as (
    select
        policy_expressions.policy_oid,
        policy_expressions.expression,
        0
    from policy_expressions
    where policy_expressions.expression ~ '(AUTHCALL_|SETTINGCALL)'
    union all
    select
        reductions.policy_oid,
        regexp_replace(
            regexp_replace(reductions.expression, '\( SELECT (?:(?!\sFROM\s)[^()])*\)', ' WRAPPED ', 'g'),
            '\(([^()]*)\)', '[\1]', 'g'
        ),
        reductions.step + 1
    from reductions
    where reductions.expression ~ '[()]' and reductions.step < 100
),

unwrapped as (
    select distinct on (reductions.policy_oid)
        reductions.policy_oid,
        reductions.expression
    from reductions
    order by reductions.policy_oid asc, reductions.step desc
)

select
    'WARN' as level,
    'PERFORMANCE' as category,
    quote_ident(p.polname) || ' on ' || p.polrelid::regclass::text as object,
    'policy ' || quote_ident(p.polname) || ' calls '
    || (
        select string_agg(distinct replace(replace(call.name[1], 'AUTHCALL_', ''), 'SETTINGCALL', 'current_setting'), ', ')
        from regexp_matches(unwrapped.expression, '(AUTHCALL_\w+\.\w+|SETTINGCALL)', 'g') as call (name)
    )
    || '() outside a (select …): it is evaluated again for every row the query scans' as why,
    'wrap each call in its own sub-select, e.g. user_id = (select private.uid())' as fix
from unwrapped
inner join pg_catalog.pg_policy as p on unwrapped.policy_oid = p.oid
where unwrapped.expression ~ '(AUTHCALL_|SETTINGCALL)'
order by object;

-- name: multiple_permissive_policies
-- Permissive policies are or-ed into one filter in an order set by their
-- names, not by cost: an expensive membership helper in one policy runs even
-- for rows a cheap column test in another would let through. One policy per
-- role and action lets its author put the cheapest test first.
-- A policy to public applies to both API roles.
with policy_targets as (
    select
        p.polrelid as table_oid,
        p.polname,
        target.role_name,
        command.name as command
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    cross join lateral unnest(
        case
            when p.polroles = array[0::oid] then array['anon', 'authenticated']
            else array(
                select r.rolname::text from pg_catalog.pg_roles as r
                where r.oid = any(p.polroles) and not r.rolbypassrls
            )
        end
    ) as target (role_name)
    cross join lateral unnest(
        case p.polcmd
            when 'r' then array['select']
            when 'a' then array['insert']
            when 'w' then array['update']
            when 'd' then array['delete']
            else array['select', 'insert', 'update', 'delete']
        end
    ) as command (name)
    where
        p.polpermissive
        and c.relkind in ('r', 'p')
        and not n.nspname = any(%(managed_schemas)s)
        and not exists (
            select from pg_catalog.pg_depend as d
            where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
        )
)

select
    'WARN' as level,
    'PERFORMANCE' as category,
    table_oid::regclass::text as object,
    'role ' || role_name || ' has ' || count(*) || ' permissive ' || command || ' policies on '
    || table_oid::regclass::text || ' ('
    || string_agg(quote_ident(polname), ', ' order by polname)
    || '): they are or-ed in an order set by their names, not by cost, so costly tests run for rows a cheap one admits' as why,
    'merge them into one policy for the role and action, the conditions joined with or, cheapest first' as fix
from policy_targets
group by table_oid, role_name, command
having count(*) > 1
order by object, role_name, command;

-- name: rls_policy_always_true
-- `using (true)` is a deliberate public read on select policies, but on a
-- write policy for the API roles it lets anyone change any row.
with write_policies as (
    select
        p.oid,
        p.polname,
        p.polrelid,
        p.polcmd,
        replace(lower(coalesce(pg_get_expr(p.polqual, p.polrelid), '')), ' ', '') as using_expression,
        replace(lower(coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')), ' ', '') as check_expression
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        p.polpermissive
        and p.polcmd in ('a', 'w', 'd', '*')
        and not n.nspname = any(%(managed_schemas)s)
        and (
            p.polroles = array[0::oid]
            or exists (
                select from pg_catalog.pg_roles as r
                where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')
            )
        )
        and not exists (
            select from pg_catalog.pg_depend as d
            where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
        )
)

select
    'WARN' as level,
    'SECURITY' as category,
    quote_ident(polname) || ' on ' || polrelid::regclass::text as object,
    'write policy ' || quote_ident(polname) || ' ('
    || case polcmd when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end
    || ') has an always-true '
    || case when using_expression in ('true', '(1=1)') then 'using' else 'with check' end
    || ' clause: any API user can write any row of ' || polrelid::regclass::text as why,
    'restrict it to the rows the user owns, e.g. using (user_id = (select auth.uid())), '
    || 'or move the write into a server-side function' as fix
from write_policies
where
    using_expression in ('true', '(1=1)')
    or check_expression in ('true', '(1=1)')
order by object;

-- name: unindexed_foreign_keys
-- Deleting or updating a referenced row (a user, an organization) looks up
-- the referencing rows by the key's columns: without an index whose leading
-- columns are the key, that is a sequential scan per row, under lock.
with foreign_keys as (
    select
        fk.oid,
        fk.conname,
        fk.conrelid,
        fk.conkey,
        (
            select string_agg(quote_ident(a.attname), ', ' order by key.position)
            from unnest(fk.conkey) with ordinality as key (attnum, position)
            inner join pg_catalog.pg_attribute as a on a.attrelid = fk.conrelid and key.attnum = a.attnum
        ) as column_list
    from pg_catalog.pg_constraint as fk
    inner join pg_catalog.pg_class as c on fk.conrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        fk.contype = 'f'
        and fk.conparentid = 0
        and not n.nspname = any(%(managed_schemas)s)
        and not exists (
            select from pg_catalog.pg_depend as d
            where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
        )
)

select
    'WARN' as level,
    'PERFORMANCE' as category,
    foreign_keys.conrelid::regclass::text || ' (' || foreign_keys.column_list || ')' as object,
    'foreign key ' || quote_ident(foreign_keys.conname) || ' on ' || foreign_keys.conrelid::regclass::text
    || ' has no index starting with its columns: deleting a referenced row scans the whole table,'
    || ' and joins along the key cannot use an index' as why,
    'create index on ' || foreign_keys.conrelid::regclass::text || ' (' || foreign_keys.column_list || ')' as fix
from foreign_keys
where not exists (
    select from pg_catalog.pg_index as i
    where
        i.indrelid = foreign_keys.conrelid
        and i.indpred is null
        and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(foreign_keys.conkey)]
        @> foreign_keys.conkey
        and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(foreign_keys.conkey)]
        <@ foreign_keys.conkey
)
order by object;

-- name: duplicate_index
-- Partitions are skipped: their indexes mirror the partitioned table's.
select
    'WARN' as level,
    'PERFORMANCE' as category,
    i.indrelid::regclass::text as object,
    'indexes ' || string_agg(i.indexrelid::regclass::text, ', ' order by i.indexrelid::regclass::text)
    || ' on ' || i.indrelid::regclass::text
    || ' are identical: every write maintains all of them for no gain' as why,
    'drop all but one (keep the one that backs a primary key or unique constraint)' as fix
from pg_catalog.pg_index as i
inner join pg_catalog.pg_class as c on i.indrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    not c.relispartition
    and not n.nspname = any(%(managed_schemas)s)
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
group by
    i.indrelid,
    i.indkey::text,
    i.indclass::text,
    i.indcollation::text,
    coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),
    coalesce(pg_get_expr(i.indpred, i.indrelid), '')
having count(*) > 1
order by object;

-- name: no_primary_key
-- learnkit's tables all have one: PostgREST updates and deletes, realtime and
-- logical replication identify rows by it, and without one duplicate rows
-- cannot be told apart.
select
    'WARN' as level,
    'PERFORMANCE' as category,
    c.oid::regclass::text as object,
    'table ' || c.oid::regclass::text || ' has no primary key: rows cannot be identified for updates, '
    || 'replication or realtime, and duplicates go unnoticed' as why,
    'alter table ' || c.oid::regclass::text
    || ' add primary key (…), or add an identity column as the key' as fix
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'p')
    and not c.relispartition
    and not n.nspname = any(%(managed_schemas)s)
    and not exists (select from pg_catalog.pg_constraint as k where k.conrelid = c.oid and k.contype = 'p')
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by object;

-- name: security_definer_search_path_mutable
-- A security definer function runs with its owner's rights; if its
-- search_path comes from the caller, the caller can put a schema of their own
-- first and have the function run their objects with those rights.
select
    'ERROR' as level,
    'SECURITY' as category,
    p.oid::regprocedure::text as object,
    'security definer function ' || p.oid::regprocedure::text
    || ' has no fixed search_path: a caller can make it resolve names to objects they created' as why,
    'alter function ' || p.oid::regprocedure::text
    || ' set search_path = ''''; and schema-qualify every name in its body' as fix
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    p.prosecdef
    and not n.nspname = any(%(managed_schemas)s)
    and not exists (
        select from unnest(p.proconfig) as setting (value)
        where starts_with(setting.value, 'search_path=')
    )
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
order by object;

-- name: function_search_path_mutable
-- Supabase's splinter lint 0011: a function (security invoker too) without a
-- search_path of its own resolves unqualified names through the caller's,
-- so it behaves differently for different roles, and a caller who can create
-- objects in a schema on that path can make it run theirs. Checked in every
-- schema that is not PostgreSQL's or Supabase's (private ones too, as splinter
-- does); security definer functions are reported once, by the ERROR check above.
select
    'WARN' as level,
    'SECURITY' as category,
    p.oid::regprocedure::text as object,
    'function ' || p.oid::regprocedure::text
    || ' has a role mutable search_path: names in its body resolve through the caller''s search_path' as why,
    'alter function ' || p.oid::regprocedure::text
    || ' set search_path = ''''; and schema-qualify every name in its body' as fix
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    not p.prosecdef
    and not n.nspname = any(%(managed_schemas)s)
    and not exists (
        select from unnest(coalesce(p.proconfig, '{}')) as setting (value)
        where starts_with(setting.value, 'search_path=')
    )
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
order by object;

-- name: security_definer_executable_by_anon
-- Functions in an exposed schema are RPC endpoints. Trigger functions cannot
-- be called that way. EXECUTE is granted to public by default, so a missing
-- revoke is the usual cause.
select
    'WARN' as level,
    'SECURITY' as category,
    p.oid::regprocedure::text as object,
    'security definer function ' || p.oid::regprocedure::text
    || ' can be called by anon through /rest/v1/rpc/' || p.proname
    || ': anyone with the anon key runs it with its owner''s rights, bypassing row level security' as why,
    'revoke execute on function ' || p.oid::regprocedure::text || ' from public, anon; '
    || 'grant it to the roles that need it, or make it security invoker, or move it to a schema the API '
    || 'does not expose (private)' as fix
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    p.prosecdef
    and p.prokind = 'f'
    and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
    and n.nspname = any(%(exposed_schemas)s)
    and not n.nspname = any(%(managed_schemas)s)
    and has_function_privilege('anon', p.oid, 'execute')
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
order by object;

-- name: security_definer_view
-- A view without security_invoker reads its tables with its owner's rights:
-- row level security and grants on them are bypassed. Reported when an API
-- role can read the view and some table under it (through nested views too)
-- has row level security, or is one that role may not read itself.
with recursive view_sources (view_oid, source_oid) as (
    select
        v.oid,
        d.refobjid
    from pg_catalog.pg_class as v
    inner join pg_catalog.pg_rewrite as rule on v.oid = rule.ev_class
    inner join pg_catalog.pg_depend as d
        on
            d.classid = 'pg_rewrite'::regclass
            and rule.oid = d.objid
            and d.refclassid = 'pg_class'::regclass
            and d.refobjid <> v.oid
    where v.relkind = 'v'
    union
    select
        view_sources.view_oid,
        d.refobjid
    from view_sources
    inner join pg_catalog.pg_rewrite as rule on view_sources.source_oid = rule.ev_class
    inner join pg_catalog.pg_depend as d
        on
            d.classid = 'pg_rewrite'::regclass
            and rule.oid = d.objid
            and d.refclassid = 'pg_class'::regclass
            and d.refobjid <> view_sources.source_oid
),

definer_views as (
    select c.oid
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind = 'v'
        and n.nspname = any(%(exposed_schemas)s)
        and not n.nspname = any(%(managed_schemas)s)
        and not exists (
            select from unnest(c.reloptions) as ro (value)
            where lower(ro.value) in (
                'security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'
            )
        )
        and not exists (
            select from pg_catalog.pg_depend as d
            where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
        )
)

select
    'ERROR' as level,
    'SECURITY' as category,
    definer_views.oid::regclass::text as object,
    'view ' || definer_views.oid::regclass::text || ' runs with its owner''s rights and reads '
    || string_agg(distinct source.oid::regclass::text, ', ')
    || ', bypassing their row level security and grants for ' || string_agg(distinct api.role_name, ' and ') as why,
    'alter view ' || definer_views.oid::regclass::text || ' set (security_invoker = true)' as fix
from definer_views
cross join (values ('anon'), ('authenticated')) as api (role_name)
inner join view_sources on definer_views.oid = view_sources.view_oid
inner join pg_catalog.pg_class as source on view_sources.source_oid = source.oid
where
    has_table_privilege(api.role_name, definer_views.oid, 'select')
    and source.relkind in ('r', 'p', 'm', 'f')
    and (source.relrowsecurity or not has_table_privilege(api.role_name, source.oid, 'select'))
group by definer_views.oid
order by object;

-- name: materialized_view_in_api
-- Materialized views have no row level security: whoever may select sees
-- every row.
select
    'WARN' as level,
    'SECURITY' as category,
    c.oid::regclass::text as object,
    'materialized view ' || c.oid::regclass::text || ' is readable by '
    || concat_ws(
        ' and ',
        case when has_table_privilege('anon', c.oid, 'select') then 'anon' end,
        case when has_table_privilege('authenticated', c.oid, 'select') then 'authenticated' end
    )
    || ', and materialized views have no row level security: every row is visible' as why,
    'revoke select on ' || c.oid::regclass::text || ' from anon, authenticated; '
    || 'serve it through a security definer function in a private schema that filters by the caller' as fix
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind = 'm'
    and not n.nspname = any(%(managed_schemas)s)
    and (
        has_table_privilege('anon', c.oid, 'select') and has_schema_privilege('anon', n.oid, 'usage')
        or has_table_privilege('authenticated', c.oid, 'select')
        and has_schema_privilege('authenticated', n.oid, 'usage')
    )
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
    )
order by object;

-- name: rls_references_user_metadata
-- user_metadata (raw_user_meta_data in auth.users) is written by the user
-- through supabase.auth.updateUser(): never a basis for a security decision.
select
    'ERROR' as level,
    'SECURITY' as category,
    quote_ident(p.polname) || ' on ' || p.polrelid::regclass::text as object,
    'policy ' || quote_ident(p.polname) || ' reads user metadata, which every user can edit for themselves: '
    || 'a user can grant themselves this access' as why,
    'decide on app_metadata (set only by the server) or on a table the user cannot write, '
    || 'e.g. a memberships table' as fix
from pg_catalog.pg_policy as p
inner join pg_catalog.pg_class as c on p.polrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    not n.nspname = any(%(managed_schemas)s)
    and concat(pg_get_expr(p.polqual, p.polrelid), ' ', pg_get_expr(p.polwithcheck, p.polrelid))
    ~ '(user_metadata|raw_user_meta_data)'
order by object;

-- name: extension_in_public
-- An extension's functions and types in an exposed schema become part of the
-- API (RPC endpoints, names that shadow or collide with yours).
select
    'WARN' as level,
    'SECURITY' as category,
    quote_ident(e.extname) as object,
    'extension ' || quote_ident(e.extname) || ' is installed in schema ' || quote_ident(n.nspname)
    || ', which the API exposes: its functions become callable endpoints' as why,
    case
        when e.extrelocatable then 'alter extension ' || quote_ident(e.extname) || ' set schema extensions'
        else 'drop extension ' || quote_ident(e.extname) || '; create extension ' || quote_ident(e.extname)
            || ' with schema extensions'
    end as fix
from pg_catalog.pg_extension as e
inner join pg_catalog.pg_namespace as n on e.extnamespace = n.oid
where n.nspname = 'public' or n.nspname = any(%(exposed_schemas)s)
order by object;

-- name: auth_users_exposed
-- auth.users holds every user's email, phone and metadata. A view over it in
-- an exposed schema leaks it unless the view is security_invoker and the
-- reading role cannot read auth.users itself.
with recursive view_sources (view_oid, source_oid) as (
    select
        v.oid,
        d.refobjid
    from pg_catalog.pg_class as v
    inner join pg_catalog.pg_rewrite as rule on v.oid = rule.ev_class
    inner join pg_catalog.pg_depend as d
        on
            d.classid = 'pg_rewrite'::regclass
            and rule.oid = d.objid
            and d.refclassid = 'pg_class'::regclass
            and d.refobjid <> v.oid
    where v.relkind in ('v', 'm')
    union
    select
        view_sources.view_oid,
        d.refobjid
    from view_sources
    inner join pg_catalog.pg_rewrite as rule on view_sources.source_oid = rule.ev_class
    inner join pg_catalog.pg_depend as d
        on
            d.classid = 'pg_rewrite'::regclass
            and rule.oid = d.objid
            and d.refclassid = 'pg_class'::regclass
            and d.refobjid <> view_sources.source_oid
)

select
    'ERROR' as level,
    'SECURITY' as category,
    c.oid::regclass::text as object,
    case c.relkind when 'm' then 'materialized view ' else 'view ' end || c.oid::regclass::text
    || ' exposes auth.users (emails, phones, metadata of every user) to '
    || string_agg(api.role_name, ' and ' order by api.role_name) as why,
    'drop it, or revoke select from anon and authenticated; to show users to each other, '
    || 'keep the public fields in a profiles table with its own policies' as fix
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
inner join view_sources on c.oid = view_sources.view_oid
cross join (values ('anon'), ('authenticated')) as api (role_name)
where
    view_sources.source_oid = to_regclass('auth.users')
    and n.nspname = any(%(exposed_schemas)s)
    and not n.nspname = any(%(managed_schemas)s)
    and has_table_privilege(api.role_name, c.oid, 'select')
    and (
        c.relkind = 'm'
        or not exists (
            select from unnest(c.reloptions) as ro (value)
            where lower(ro.value) in (
                'security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'
            )
        )
        or has_table_privilege(api.role_name, view_sources.source_oid, 'select')
    )
group by c.oid, c.relkind
order by object;

-- name: semantic_retrieval_unavailable
-- learnkit's semantic retrieval (public.content_chunks, public.match_content_chunks(): supabase/schemas/
-- 12_retrieval.sql) needs pgvector; a server without it gets the rest of the schema and a NOTICE at push.
-- Informational: nothing is broken, one capability is missing.
select
    'INFO' as level,
    'CAPABILITY' as category,
    'public.content_chunks' as object,
    case
        when exists (select from pg_catalog.pg_available_extensions where name = 'vector')
            then 'semantic retrieval is unavailable: pgvector is installable now, but the migration that creates '
            || 'public.content_chunks ran when it was not'
        else 'semantic retrieval is unavailable: this server has no pgvector extension (vector), so '
            || 'public.content_chunks and public.match_content_chunks() were not created'
    end as why,
    'use a server with pgvector (hosted Supabase, or the embedded server of learnkit db start) and push the '
    || 'migrations there; retrieval needs nothing else' as fix
where
    to_regclass('public.concepts') is not null
    and to_regclass('public.content_chunks') is null;
