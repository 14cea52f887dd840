"""What the DAGs' tasks call: each builds its run from Airflow's context and calls the pipeline step of its name."""
