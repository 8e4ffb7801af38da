"""Forms' storage: answers, who has answered, the public's once-only marks, chases, and the
facts the reminder rules, the missing list, the results and the export read."""
