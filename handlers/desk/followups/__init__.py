"""The desk's follow-ups on a case, after the first actions: a unit returning a dispatched case
(退单), internal notes, files, questions to the reporter and the owner's status changes; `router`
routes their buttons and the answers to their prompts, `common` holds what they share."""
