"""Storage: the engine and the session factory (engine), the declarative base and column types shared by
every area's tables (base, tables), schema migrations (migrate), files on disk (files) and signed URLs."""
