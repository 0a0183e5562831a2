"""Page objects: one class per screen of each target site, locators by role and label built in
``__init__``, one method per thing a person does there, explicit waits, no business rules. The
flows (``erp_flow``, ``portal_a_flow``, ``portal_b_flow``, ``chorus_pro_portal_flow``) put them
together."""
