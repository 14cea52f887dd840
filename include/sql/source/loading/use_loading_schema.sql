-- The shop DDL names its tables without a schema: in this transaction they live in shop_loading.
set local search_path to shop_loading;
