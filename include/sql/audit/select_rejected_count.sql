select count(*) from audit.rejected_rows;
