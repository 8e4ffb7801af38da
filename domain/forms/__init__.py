"""Forms and evaluations (定期报送、问卷、满意度与行风评议): what a form is, which question
comes next, what an answer must look like, periods, audiences, reminders and scores. Pure
rules, no I/O."""
