select
    version,
    checksum
from audit.schema_migrations
where kind = 'definition'
order by version;
