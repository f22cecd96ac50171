// Repeatable: applied again whenever this file changes.
MATCH (p:Person) WITH count(p) AS people
MERGE (s:Stats {name: 'people'}) SET s.count = people;
