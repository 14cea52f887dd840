select exists(
    select from pg_database as d
    where d.datname = %(database_name)s
) as database_exists;
