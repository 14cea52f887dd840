"""The shop's operational database: its schema, a history generator and a live simulator."""
