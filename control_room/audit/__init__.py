"""The append-only audit log: who did what, when, to which object; one event per state change, sealed into
a hash chain (log.py), the actors that sign the events (actors.py) and the table (models.py)."""
from control_room.audit.log import (
    ChainVerdict,
    Sealer,
    SensitiveDetail,
    record,
    seal_all,
    seal_pending,
    verify_chain,
)

__all__ = ["ChainVerdict", "SensitiveDetail", "Sealer", "record", "seal_all", "seal_pending", "verify_chain"]
