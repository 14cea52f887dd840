-- The catalog's definitions as comments on the tables just swapped into marts.
select kpi.comment_published_tables(%(definitions)s::jsonb) as comments_written;
