-- Take ids from a table's identity sequence, so parent and child rows can be written together.
select nextval(pg_get_serial_sequence(%(table_name)s, %(column_name)s))
from generate_series(1, %(count)s);
