"""Work queues: item states and every transition between them (transitions), reservation in priority,
deadline and age order (reservation), the lease sweeper (leases), the retry decision (retry_policy), a
person's action on one item (item_actions), item files, queue depth samples, and the PostgreSQL
one-statement robot calls."""
