select count(*) > 0 as has_shop
from pg_namespace
where nspname = 'shop';
