-- A database for one of the project's roles. {database} and {owner} are identifiers,
-- filled in with psycopg.sql.Identifier (CREATE DATABASE takes no bind parameters and
-- cannot run inside a function), so sqlfluff skips this file (.sqlfluffignore).
create database {database} owner {owner};
