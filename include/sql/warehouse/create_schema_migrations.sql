create schema if not exists audit;

create table if not exists audit.schema_migrations (
    version text primary key,
    checksum text not null,
    applied_at timestamptz not null default now()
);
