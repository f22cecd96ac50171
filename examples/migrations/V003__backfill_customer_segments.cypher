// Large data change: batch it so one transaction never holds every lock.
CALL {
  MATCH (u:User) WHERE u.segment IS NULL
  SET u.segment = CASE WHEN u.orders > 10 THEN 'loyal' ELSE 'standard' END
} IN TRANSACTIONS OF 1000 ROWS;
