MATCH (a:Person {name: 'Ada'}), (g:Person {name: 'Grace'})
CREATE (a)-[:KNOWS {since: 1843}]->(g);
