select
    version,
    checksum
from audit.schema_migrations
order by version;
