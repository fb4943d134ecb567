"""The durable queue of writes (`queue`), and what binds Brightpearl's write kinds to it
(`brightpearl`). The mail outbox will be bound to the same queue."""
