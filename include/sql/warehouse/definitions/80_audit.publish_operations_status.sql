-- Keep the operational status the BI role reads in marts (publication_log,
-- source_watermarks, load_runs, quality_results) equal to the audit tables it copies,
-- in the writer's own transaction: a decision, a watermark or a check result is
-- visible to the dashboards exactly when it commits. The triggers go with the
-- function and are created again below.
drop function if exists audit.publish_operations_status() cascade;

create function audit.publish_operations_status() returns trigger
language plpgsql
as $$
begin
    if tg_table_name = 'publications' then
        insert into marts.publication_log as l
        values (
            new.run_id, new.publication, new.outcome, new.failed_critical, new.failed_warning,
            new.kpi_daily_rows, new.kpi_monthly_rows, new.decided_at
        )
        on conflict (run_id) do update
            set
                publication = excluded.publication,
                outcome = excluded.outcome,
                failed_critical = excluded.failed_critical,
                failed_warning = excluded.failed_warning,
                kpi_daily_rows = excluded.kpi_daily_rows,
                kpi_monthly_rows = excluded.kpi_monthly_rows,
                decided_at = excluded.decided_at;
    elsif tg_table_name = 'watermarks' then
        if tg_op = 'TRUNCATE' then
            truncate marts.source_watermarks;
            return null;
        end if;
        if tg_op = 'DELETE' then
            delete from marts.source_watermarks as w where w.table_name = old.table_name;
            return null;
        end if;
        insert into marts.source_watermarks as w
        values (new.table_name, new.high_watermark, new.run_id, new.advanced_at)
        on conflict (table_name) do update
            set
                high_watermark = excluded.high_watermark,
                run_id = excluded.run_id,
                advanced_at = excluded.advanced_at;
    elsif tg_table_name = 'load_runs' then
        if tg_op = 'DELETE' then
            delete from marts.load_runs as r where r.run_id = old.run_id and r.table_name = old.table_name;
            return null;
        end if;
        insert into marts.load_runs as r
        values (
            new.run_id, new.table_name, new.extracted_rows, new.inserted_rows, new.updated_rows,
            new.ignored_stale_rows, new.rejected_rows, new.loaded_at
        )
        on conflict (run_id, table_name) do update
            set
                extracted_rows = excluded.extracted_rows,
                inserted_rows = excluded.inserted_rows,
                updated_rows = excluded.updated_rows,
                ignored_stale_rows = excluded.ignored_stale_rows,
                rejected_rows = excluded.rejected_rows,
                loaded_at = excluded.loaded_at;
    elsif tg_table_name = 'quality_results' then
        if tg_op = 'DELETE' then
            delete from marts.quality_results as q where q.run_id = old.run_id and q.check_name = old.check_name;
            return null;
        end if;
        insert into marts.quality_results as q
        values (
            new.run_id, new.check_name, new.suite, new.severity, new.description, new.success,
            new.unexpected_count, new.error is not null, new.data_docs, new.checked_at
        )
        on conflict (run_id, check_name) do update
            set
                suite = excluded.suite,
                severity = excluded.severity,
                description = excluded.description,
                success = excluded.success,
                unexpected_count = excluded.unexpected_count,
                errored = excluded.errored,
                data_docs = excluded.data_docs,
                checked_at = excluded.checked_at;
    end if;
    return null;
end;
$$;

create trigger publications_publish_status after insert or update on audit.publications
for each row execute function audit.publish_operations_status();

create trigger watermarks_publish_status after insert or update or delete on audit.watermarks
for each row execute function audit.publish_operations_status();

create trigger watermarks_truncate_publish_status after truncate on audit.watermarks
for each statement execute function audit.publish_operations_status();

create trigger load_runs_publish_status after insert or update or delete on audit.load_runs
for each row execute function audit.publish_operations_status();

create trigger quality_results_publish_status after insert or update or delete on audit.quality_results
for each row execute function audit.publish_operations_status();
