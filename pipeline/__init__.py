"""Claims intake: the domain logic (reading documents, checklist, fraud scoring, routing)."""
