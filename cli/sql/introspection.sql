-- Introspection of pg_catalog for `learnkit gen types`.
--
-- Run with search_path = '' so format_type() schema-qualifies every type
-- outside pg_catalog: the generated SQL casts then never depend on the
-- caller's search_path. Objects that belong to an extension are left out.

-- name: use_empty_search_path
set local search_path = '';

-- name: schema_exists
select exists (select from pg_catalog.pg_namespace where nspname = %(schema)s) as found;

-- name: types
-- Every type the database knows; small enough to load whole (a few hundred rows).
select t.oid::integer as oid,
       n.nspname as schema,
       t.typname as name,
       t.typtype::text as kind,
       t.typcategory::text as category,
       t.typnotnull as not_null,
       t.typelem::integer as element,
       t.typbasetype::integer as base,
       t.typrelid::integer as relid,
       coalesce(c.relkind::text, '') as relkind,
       coalesce(range_of.rngsubtype, multirange_of.rngsubtype, 0)::integer as range_subtype,
       pg_catalog.format_type(t.oid, null) as sql_name,
       pg_catalog.obj_description(t.oid, 'pg_type') as comment,
       case when t.typtype = 'e' then
         array(select e.enumlabel::text from pg_catalog.pg_enum as e
               where e.enumtypid = t.oid order by e.enumsortorder)
       end as labels
  from pg_catalog.pg_type as t
  join pg_catalog.pg_namespace as n on n.oid = t.typnamespace
  left join pg_catalog.pg_class as c on c.oid = t.typrelid
  left join pg_catalog.pg_range as range_of on range_of.rngtypid = t.oid
  left join pg_catalog.pg_range as multirange_of on multirange_of.rngmultitypid = t.oid
 where n.nspname not in ('pg_toast', 'information_schema');

-- name: relations
select c.oid::integer as relid,
       c.relname as name,
       c.relkind::text as kind,
       c.reltype::integer as row_type,
       pg_catalog.obj_description(c.oid, 'pg_class') as comment
  from pg_catalog.pg_class as c
  join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
 where n.nspname = %(schema)s
   and c.relkind in ('r', 'p', 'v', 'm', 'f')
   and not c.relispartition
   and not exists (select from pg_catalog.pg_depend as d
                    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      and d.objid = c.oid and d.deptype = 'e')
 order by c.relname;

-- name: attributes
-- Columns of tables and views, and fields of composite types, by relation oid.
select a.attrelid::integer as relid,
       a.attname as name,
       a.attnum::integer as position,
       a.atttypid::integer as type,
       a.attnotnull as not_null,
       a.atthasdef as has_default,
       a.attidentity::text as identity,
       a.attgenerated::text as generated,
       pg_catalog.col_description(a.attrelid, a.attnum) as comment
  from pg_catalog.pg_attribute as a
 where a.attrelid = any(%(relids)s::oid[])
   and a.attnum > 0
   and not a.attisdropped
 order by a.attrelid, a.attnum;

-- name: functions
-- Plain functions only: no aggregates, window functions or procedures, and
-- nothing returning trigger or event_trigger (those are not callable).
select p.oid::integer as oid,
       p.proname as name,
       p.proretset as returns_set,
       p.prorettype::integer as return_type,
       coalesce(p.proallargtypes, p.proargtypes::oid[])::integer[] as arg_types,
       coalesce(p.proargmodes::text[],
                array_fill('i'::text, array[p.pronargs::integer])) as arg_modes,
       coalesce(p.proargnames, '{}') as arg_names,
       p.pronargdefaults::integer as default_count,
       p.provolatile::text as volatility,
       p.prorows::float8 as estimated_rows,
       pg_catalog.pg_get_function_identity_arguments(p.oid) as identity,
       pg_catalog.obj_description(p.oid, 'pg_proc') as comment
  from pg_catalog.pg_proc as p
  join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
 where n.nspname = %(schema)s
   and p.prokind = 'f'
   and p.prorettype not in ('pg_catalog.trigger'::pg_catalog.regtype,
                            'pg_catalog.event_trigger'::pg_catalog.regtype)
   and not exists (select from pg_catalog.pg_depend as d
                    where d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                      and d.objid = p.oid and d.deptype = 'e')
 order by p.proname, identity;

-- name: foreign_keys
-- Foreign keys of the schema's tables, for the TypeScript types' Relationships (as Supabase's
-- generator lists them). one_to_one: a primary key or unique constraint covers exactly the key's columns.
select c.conrelid::integer as relid,
       c.conname as name,
       array(select a.attname::text from unnest(c.conkey) with ordinality as k(attnum, position)
             join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = k.attnum
             order by k.position) as columns,
       rn.nspname as referenced_schema,
       r.relname as referenced_relation,
       array(select a.attname::text from unnest(c.confkey) with ordinality as k(attnum, position)
             join pg_catalog.pg_attribute as a on a.attrelid = c.confrelid and a.attnum = k.attnum
             order by k.position) as referenced_columns,
       exists (select from pg_catalog.pg_constraint as u
                where u.conrelid = c.conrelid and u.contype in ('p', 'u')
                  and u.conkey::smallint[] @> c.conkey::smallint[]
                  and u.conkey::smallint[] <@ c.conkey::smallint[]) as one_to_one
  from pg_catalog.pg_constraint as c
  join pg_catalog.pg_class as t on t.oid = c.conrelid
  join pg_catalog.pg_namespace as n on n.oid = t.relnamespace
  join pg_catalog.pg_class as r on r.oid = c.confrelid
  join pg_catalog.pg_namespace as rn on rn.oid = r.relnamespace
 where n.nspname = %(schema)s
   and c.contype = 'f'
 order by t.relname, c.conname;
