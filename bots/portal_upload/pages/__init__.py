"""Page objects: one class per screen of each target site, locators by role and label built in
``__init__``, one method per thing a person does there, explicit waits, no business rules, all on
``bots.kit.Screen``. The flows put them together: ``erp`` for the ERP, and the web channels in
``channels/`` (``portal_a``, ``portal_b``, ``chorus_pro_portal``), each module named after the
site as its page objects' module here is."""
