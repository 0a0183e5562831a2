"""The helpers the tests share (and the benchmarks reuse): servers, PostgreSQL, the live fleet,
seeds, the sandbox clients. Tests import helpers from here only, never from another test module
or a conftest; fixtures stay in the conftest files, which build them from these helpers."""
