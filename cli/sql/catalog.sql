-- A normalized snapshot of a database's schema (cli/catalog.py).
--
-- Each block returns rows of (key text, detail jsonb): key names one object or
-- fact the way SQL would ("function private.x(uuid)", "grant select on table
-- public.t to anon"), detail holds what must be equal on both sides. Nothing
-- depends on oids, attnums or the order statements ran in, so two databases
-- built differently compare equal when their schemas are. Left out: system
-- schemas, supabase_migrations (push's history), and objects that belong to an
-- extension (the extension itself is compared, with its version).

-- name: schemas
select 'schema ' || quote_ident(n.nspname) as key,
       jsonb_build_object('identity', quote_ident(n.nspname), 'owner', quote_ident(pg_catalog.pg_get_userbyid(n.nspowner)))
         as detail
from pg_catalog.pg_namespace n
where n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend d
                  where d.classid = 'pg_catalog.pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e');

-- name: extensions
select 'extension ' || quote_ident(e.extname) as key,
       jsonb_build_object('schema', e.extnamespace::regnamespace::text, 'version', e.extversion) as detail
from pg_catalog.pg_extension e;

-- name: relations
-- Tables, partitioned tables, views, materialized views, sequences, foreign tables, composite types.
select o.type || ' ' || o.identity as key,
       jsonb_build_object(
         'identity', o.identity,
         'owner', quote_ident(pg_catalog.pg_get_userbyid(c.relowner)),
         'persistence', c.relpersistence,
         'row level security', c.relrowsecurity,
         'forced row level security', c.relforcerowsecurity,
         'options', (select array_agg(option order by option) from unnest(c.reloptions) as option),
         'partition key', case when c.relkind = 'p' then pg_catalog.pg_get_partkeydef(c.oid) end,
         'partition of', (select i.inhparent::regclass::text from pg_catalog.pg_inherits i
                          where i.inhrelid = c.oid and c.relispartition),
         'partition bound', pg_catalog.pg_get_expr(c.relpartbound, c.oid),
         'inherits', (select array_agg(i.inhparent::regclass::text order by i.inhseqno)
                      from pg_catalog.pg_inherits i where i.inhrelid = c.oid and not c.relispartition),
         'definition', case when c.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(c.oid) end,
         'sequence', (select jsonb_build_object('type', s.seqtypid::regtype::text, 'start', s.seqstart,
                                                'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,
                                                'cache', s.seqcache, 'cycle', s.seqcycle)
                      from pg_catalog.pg_sequence s where s.seqrelid = c.oid),
         'owned by', (select d.refobjid::regclass::text || '.' || quote_ident(a.attname)
                      from pg_catalog.pg_depend d
                      join pg_catalog.pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                      where c.relkind = 'S' and d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid
                        and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype in ('a', 'i'))
       ) as detail
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
cross join lateral pg_catalog.pg_identify_object('pg_catalog.pg_class'::regclass, c.oid, 0) o
where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c')
  and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend d
                  where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e');

-- name: columns
-- Position counts live columns only: a dropped column leaves a gap in attnum, not in the table.
select 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname) as key,
       jsonb_build_object(
         'table', c.oid::regclass::text,
         'position', row_number() over (partition by c.oid order by a.attnum),
         'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
         'default', case when a.attgenerated = '' then pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) end,
         'generated', case when a.attgenerated <> '' then pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) end,
         'not null', a.attnotnull,
         'identity', nullif(a.attidentity, ''),
         'collation', case when a.attcollation <> t.typcollation then a.attcollation::regcollation::text end
       ) as detail
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_type t on t.oid = a.atttypid
left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
  and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend d
                  where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e');

-- name: constraints
select 'constraint ' || o.identity as key,
       jsonb_build_object('definition', pg_catalog.pg_get_constraintdef(k.oid),
                          'local', k.conislocal, 'inherited', k.coninhcount) as detail
from pg_catalog.pg_constraint k
join pg_catalog.pg_namespace n on n.oid = k.connamespace
cross join lateral pg_catalog.pg_identify_object('pg_catalog.pg_constraint'::regclass, k.oid, 0) o
where n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend d
                  where d.deptype = 'e'
                    and ((d.classid = 'pg_catalog.pg_class'::regclass and d.objid = k.conrelid)
                         or (d.classid = 'pg_catalog.pg_type'::regclass and d.objid = k.contypid)));

-- name: indexes
select 'index ' || c.oid::regclass::text as key,
       jsonb_build_object('definition', pg_catalog.pg_get_indexdef(c.oid)) as detail
from pg_catalog.pg_class c
join pg_catalog.pg_index i on i.indexrelid = c.oid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('i', 'I')
  and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend d
                  where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = i.indrelid and d.deptype = 'e');

-- name: types
-- Enums (labels in order), domains and ranges; composite types are in relations, arrays follow their element.
select 'type ' || t.oid::regtype::text as key,
       jsonb_build_object(
         'identity', t.oid::regtype::text,
         'owner', quote_ident(pg_catalog.pg_get_userbyid(t.typowner)),
         'kind', t.typtype,
         'labels', (select array_agg(e.enumlabel order by e.enumsortorder)
                    from pg_catalog.pg_enum e where e.enumtypid = t.oid),
         'base type', case when t.typtype = 'd' then pg_catalog.format_type(t.typbasetype, t.typtypmod) end,
         'not null', case when t.typtype = 'd' then t.typnotnull end,
         'default', t.typdefault,
         'range of', (select r.rngsubtype::regtype::text from pg_catalog.pg_range r where r.rngtypid = t.oid)
       ) as detail
from pg_catalog.pg_type t
join pg_catalog.pg_namespace n on n.oid = t.typnamespace
where t.typtype in ('e', 'd', 'r', 'b')
  and not exists (select from pg_catalog.pg_type element where element.typarray = t.oid)
  and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend d
                  where d.classid = 'pg_catalog.pg_type'::regclass and d.objid = t.oid and d.deptype = 'e');

-- name: functions
-- pg_get_functiondef: the body exactly as written, with every option (security, search_path, volatility).
select o.type || ' ' || o.identity as key,
       jsonb_build_object(
         'identity', o.identity,
         'owner', quote_ident(pg_catalog.pg_get_userbyid(p.proowner)),
         'definition', case when p.prokind <> 'a' then pg_catalog.pg_get_functiondef(p.oid) end
       ) as detail
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
cross join lateral pg_catalog.pg_identify_object('pg_catalog.pg_proc'::regclass, p.oid, 0) o
where n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend d
                  where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e');

-- name: triggers
select 'trigger ' || o.identity as key,
       jsonb_build_object('definition', pg_catalog.pg_get_triggerdef(g.oid), 'enabled', g.tgenabled) as detail
from pg_catalog.pg_trigger g
join pg_catalog.pg_class c on c.oid = g.tgrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
cross join lateral pg_catalog.pg_identify_object('pg_catalog.pg_trigger'::regclass, g.oid, 0) o
where not g.tgisinternal
  and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations');

-- name: policies
select 'policy ' || o.identity as key,
       jsonb_build_object(
         'permissive', y.polpermissive,
         'command', y.polcmd,
         'roles', (select array_agg(r.name order by r.name)
                   from (select case when role = 0 then 'public'
                                     else quote_ident(pg_catalog.pg_get_userbyid(role)) end as name
                         from unnest(y.polroles) as role) r),
         'using', pg_catalog.pg_get_expr(y.polqual, y.polrelid),
         'with check', pg_catalog.pg_get_expr(y.polwithcheck, y.polrelid)
       ) as detail
from pg_catalog.pg_policy y
join pg_catalog.pg_class c on c.oid = y.polrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
cross join lateral pg_catalog.pg_identify_object('pg_catalog.pg_policy'::regclass, y.oid, 0) o
where n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations');

-- name: grants
-- Every ACL exploded into (privilege, object, grantee): the order grants ran in does not matter,
-- and a NULL ACL counts as the built-in default it stands for (acldefault). Grantors are left out:
-- who granted is history, what is granted is the schema.
with objects as (
  select case when c.relkind = 'S' then 'sequence' else 'table' end as kind,
         c.oid::regclass::text as identity, null::text as column_name,
         coalesce(c.relacl, pg_catalog.acldefault(case when c.relkind = 'S' then 's' else 'r' end::"char", c.relowner)) as acl
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
    and not exists (select from pg_catalog.pg_depend d
                    where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
  union all
  select 'table', c.oid::regclass::text, quote_ident(a.attname), a.attacl
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where a.attacl is not null and a.attnum > 0 and not a.attisdropped
    and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  union all
  select case p.prokind when 'p' then 'procedure' else 'function' end,
         o.identity, null, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  cross join lateral pg_catalog.pg_identify_object('pg_catalog.pg_proc'::regclass, p.oid, 0) o
  where n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
    and not exists (select from pg_catalog.pg_depend d
                    where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  union all
  select 'schema', quote_ident(n.nspname), null, coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))
  from pg_catalog.pg_namespace n
  where n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
  union all
  select 'type', t.oid::regtype::text, null, coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))
  from pg_catalog.pg_type t
  join pg_catalog.pg_namespace n on n.oid = t.typnamespace
  left join pg_catalog.pg_class c on c.oid = t.typrelid
  where t.typtype in ('e', 'd', 'r', 'b', 'c') and (c.oid is null or c.relkind = 'c')
    and not exists (select from pg_catalog.pg_type element where element.typarray = t.oid)
    and n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations')
    and not exists (select from pg_catalog.pg_depend d
                    where d.classid = 'pg_catalog.pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
)
select 'grant ' || x.privilege || coalesce(' (' || objects.column_name || ')', '')
         || ' on ' || objects.kind || ' ' || objects.identity || ' to ' || x.grantee as key,
       jsonb_build_object('privilege', x.privilege, 'column', objects.column_name, 'kind', objects.kind,
                          'object', objects.identity, 'grantee', x.grantee, 'grantable', x.is_grantable) as detail
from objects
cross join lateral (
  select lower(e.privilege_type) as privilege, e.is_grantable,
         case when e.grantee = 0 then 'public' else quote_ident(pg_catalog.pg_get_userbyid(e.grantee)) end as grantee
  from pg_catalog.aclexplode(objects.acl) e
) x;

-- name: default_privileges
select 'default privileges for role ' || x.role || coalesce(' in schema ' || x.schema, '')
         || ': grant ' || x.privilege || ' on ' || x.objects || ' to ' || x.grantee as key,
       jsonb_build_object('role', x.role, 'schema', x.schema, 'privilege', x.privilege, 'objects', x.objects,
                          'grantee', x.grantee, 'grantable', x.is_grantable) as detail
from pg_catalog.pg_default_acl a
left join pg_catalog.pg_namespace n on n.oid = a.defaclnamespace
cross join lateral (
  select quote_ident(pg_catalog.pg_get_userbyid(a.defaclrole)) as role, quote_ident(n.nspname) as schema,
         lower(e.privilege_type) as privilege, e.is_grantable,
         case a.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
                              when 'T' then 'types' when 'n' then 'schemas' end as objects,
         case when e.grantee = 0 then 'public' else quote_ident(pg_catalog.pg_get_userbyid(e.grantee)) end as grantee
  from pg_catalog.aclexplode(a.defaclacl) e
) x
where n.nspname is null or (n.nspname !~ '^pg_' and n.nspname not in ('information_schema', 'supabase_migrations'));

-- name: comments
-- Comments on roles and databases (pg_shdescription) are left out: roles are shared by every
-- database of a server, and the two databases compared differ in name by design.
-- Keys are the statement's target: `comment on column …`, `comment on constraint c on domain d`.
select 'comment on '
         || case when o.type like '% column' then 'column ' || o.identity
                 when o.type = 'table constraint' then 'constraint ' || o.identity
                 when o.type = 'domain constraint' then 'constraint ' || (
                   select quote_ident(k.conname) || ' on domain ' || k.contypid::regtype::text
                   from pg_catalog.pg_constraint k where k.oid = d.objoid)
                 when o.type = 'composite type' then 'type ' || o.identity
                 else o.type || ' ' || o.identity end as key,
       jsonb_build_object('comment', d.description) as detail
from pg_catalog.pg_description d
cross join lateral pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) o
where d.classoid in ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_type'::regclass,
                     'pg_catalog.pg_namespace'::regclass, 'pg_catalog.pg_constraint'::regclass,
                     'pg_catalog.pg_trigger'::regclass, 'pg_catalog.pg_policy'::regclass,
                     'pg_catalog.pg_extension'::regclass)
  and coalesce(o.schema, case when d.classoid = 'pg_catalog.pg_namespace'::regclass then o.identity end, '')
      !~ '^pg_'
  and coalesce(o.schema, case when d.classoid = 'pg_catalog.pg_namespace'::regclass then o.identity end, '')
      not in ('information_schema', 'supabase_migrations')
  and not exists (select from pg_catalog.pg_depend e
                  where e.classid = d.classoid and e.objid = d.objoid and e.deptype = 'e');

-- name: qualify_names
-- With an empty search_path every name in the catalog functions' output is schema-qualified,
-- whatever the database's or session's settings.
set local search_path = '';

-- name: create_scratch_database
create database {target};
