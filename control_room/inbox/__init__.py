"""The exception inbox: who is working on an escalated item (claims), what a person does to items
whichever door they use — inbox page, queues page, native API — (resolutions), and every resolution kept
as a labelled example the bots learn from (examples)."""
