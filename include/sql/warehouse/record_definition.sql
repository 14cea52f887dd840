-- A definition is recorded once and its checksum follows each re-application.
insert into audit.schema_migrations (version, checksum, kind)
values (%(version)s, %(checksum)s, 'definition')
on conflict (version) do update
    set
        checksum = excluded.checksum,
        applied_at = now();
