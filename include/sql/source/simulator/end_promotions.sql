update shop.promotions
set status = 'ended'
where status = 'active' and ends_at <= %(at)s;
