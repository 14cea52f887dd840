"""What the project serves over HTTP: its Data Docs and its documentation, inside Airflow or on its own."""
