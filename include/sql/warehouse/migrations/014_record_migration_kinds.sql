-- The migrations table records definitions (include/sql/warehouse/definitions) too,
-- re-applied whenever they change; the rows recorded so far are versioned migrations.
alter table audit.schema_migrations
add column if not exists kind text not null default 'versioned'
check (kind in ('versioned', 'definition'));
