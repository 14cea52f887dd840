"""Each DAG's steps as plain functions, in the DAG's order, and a runner that runs them in-process."""
