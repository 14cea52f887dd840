"""For developers only: the embedded PostgreSQL server, local-mode Airflow settings, the demo and the benchmark."""
