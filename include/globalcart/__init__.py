"""GlobalCart 360: incremental ELT from a shop's PostgreSQL into a star schema, under Airflow 3."""
