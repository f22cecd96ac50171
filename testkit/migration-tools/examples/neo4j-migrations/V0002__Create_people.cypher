CREATE (:Person {name: 'Ada'});
CREATE (:Person {name: 'Grace'});
UNWIND ['Edsger', 'Barbara'] AS name
CREATE (:Person {name: name});
