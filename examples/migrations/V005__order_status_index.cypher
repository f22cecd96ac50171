CREATE INDEX order_status IF NOT EXISTS FOR (o:Order) ON (o.status);
