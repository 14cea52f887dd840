select coalesce(max(customer_id), 0) from shop.customers;
