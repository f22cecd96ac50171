// A unique constraint; this syntax works on Neo4j 4.4 and 5+.
CREATE CONSTRAINT person_name IF NOT EXISTS FOR (p:Person) REQUIRE p.name IS UNIQUE;
