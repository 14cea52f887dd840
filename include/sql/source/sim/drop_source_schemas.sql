-- Used by `generate --replace`, inside the same transaction as the new load.
drop schema if exists shop cascade;
drop schema if exists sim cascade;
