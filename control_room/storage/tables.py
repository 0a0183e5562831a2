"""Every area's tables, imported together so the metadata (migrations, schema checks) and the mappers
(relationships across areas) are complete whichever area a caller starts from."""
from control_room.access import models as access_models
from control_room.audit import models as audit_models
from control_room.fleet import models as fleet_models
from control_room.inbox import models as inbox_models
from control_room.queue import models as queue_models
from control_room.storage.base import Base
from control_room.vault import models as vault_models

metadata = Base.metadata
__all__ = ["access_models", "audit_models", "fleet_models", "inbox_models", "metadata", "queue_models",
           "vault_models"]
