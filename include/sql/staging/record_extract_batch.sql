insert into staging.extract_batches (table_name, run_id, extracted_rows, watermark_from, watermark_to)
values (%(table_name)s, %(run_id)s, %(extracted_rows)s, %(watermark_from)s, %(watermark_to)s);
