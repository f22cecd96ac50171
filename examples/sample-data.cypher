// Demo data for scripts/demo: a small graph and the records a migration runner left behind.
// {{sha256:FILE}} is replaced by the checksum of examples/migrations/FILE before loading.

MERGE (a:User {id: 1}) SET a.email = 'ada@example.com', a.orders = 12
MERGE (b:User {id: 2}) SET b.email = 'grace@example.com', b.orders = 3
MERGE (c:User {id: 3}) SET c.email = 'alan@example.com', c.orders = 0
MERGE (o1:Order {id: 101}) SET o1.placedAt = datetime() - duration('P3D'), o1.status = 'shipped'
MERGE (o2:Order {id: 102}) SET o2.placedAt = datetime() - duration('P1D'), o2.status = 'open'
MERGE (a)-[:PLACED]->(o1)
MERGE (b)-[:PLACED]->(o2)
MERGE (:Product {sku: 'unused-widget'});

// V001 and V002 applied yesterday, V003 slow (over the runbook's 10 s) twenty minutes ago,
// V004 failed a few minutes ago because the constraint already existed. V005 is not applied yet.
MERGE (m:Migration {filename: 'V001__user_id_constraint.cypher'})
  SET m.status = 'SUCCESS', m.appliedAt = datetime() - duration('P1D'), m.executionTime = 182,
      m.checksum = '{{sha256:V001__user_id_constraint.cypher}}', m.description = 'user id constraint', m.appliedBy = 'migrate-job';
MERGE (m:Migration {filename: 'V002__order_date_index.cypher'})
  SET m.status = 'SUCCESS', m.appliedAt = datetime() - duration('P1D') + duration('PT1S'), m.executionTime = 940,
      m.checksum = '{{sha256:V002__order_date_index.cypher}}', m.description = 'order date index', m.appliedBy = 'migrate-job';
MERGE (m:Migration {filename: 'V003__backfill_customer_segments.cypher'})
  SET m.status = 'SUCCESS', m.appliedAt = datetime() - duration('PT20M'), m.executionTime = 14350,
      m.checksum = '{{sha256:V003__backfill_customer_segments.cypher}}', m.description = 'backfill customer segments', m.appliedBy = 'migrate-job';
MERGE (m:Migration {filename: 'V004__email_constraint.cypher'})
  SET m.status = 'FAILED', m.appliedAt = datetime() - duration('PT5M'), m.executionTime = 35,
      m.checksum = '{{sha256:V004__email_constraint.cypher}}', m.appliedBy = 'migrate-job',
      m.description = 'FAILED: Neo.ClientError.Schema.ConstraintAlreadyExists: An equivalent constraint already exists';
